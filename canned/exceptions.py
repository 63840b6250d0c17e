class CannedReplyError(Exception):
    """Base of the canned package's errors."""


class CannedReplyNotFound(CannedReplyError):
    pass


class InvalidCannedReply(CannedReplyError, ValueError):
    """Unknown variable, unbalanced braces, unknown language or no English text."""


class MissingValue(CannedReplyError):
    """A variable of the reply has no value for this order (e.g. a tracking number before shipping)."""
