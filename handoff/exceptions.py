class HandoffError(Exception):
    """Base of the handoff package's errors."""


class TicketNotFound(HandoffError):
    pass


class TicketClosed(HandoffError):
    pass


class InvalidToken(HandoffError):
    pass


class AgentNotFound(HandoffError):
    pass
