"""What the assistant achieves, per language, channel and day: computed on request from the stored history.

Reads, never writes, through read-only queries on tables other packages own: `conversations` and `messages`
(conversations/), `tickets` and `agent_users` (handoff/), `csat_surveys` (csat/, through its service).
Nothing is stored here, so erasing a shopper's data changes the figures only by that shopper's rows.
"""
