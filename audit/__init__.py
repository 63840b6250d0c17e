"""Who did what: an append-only log of agents' and admins' actions, written in the same transaction."""
