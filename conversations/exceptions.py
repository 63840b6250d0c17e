class ConversationNotFound(Exception):
    """No conversation with this id that the caller may reach: unknown, or its secret is missing or wrong
    (one answer for all three, so a stranger learns nothing)."""
