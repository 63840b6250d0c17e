class ProactiveError(Exception):
    """Base of the proactive package's errors."""


class EventsNotConfigured(ProactiveError):
    """SHOP_EVENTS_SECRET is not set: the shop cannot sign events."""


class BadEventSignature(ProactiveError):
    """The X-Shopbot-Signature header is missing or does not match the body."""


class InvalidEvent(ProactiveError):
    """The body is not a shop event of the contract."""
