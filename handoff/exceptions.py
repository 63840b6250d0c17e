from datetime import datetime


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


class InvalidCredentials(HandoffError):
    """Unknown name, wrong password, inactive or password-less user: one answer, so nothing is learnt."""


class AccountLocked(HandoffError):
    """Too many wrong passwords in a row; refused until `locked_until`, even with the right password."""

    def __init__(self, locked_until: datetime, *, just_locked: bool = False) -> None:
        super().__init__(f"locked until {locked_until.isoformat()}")
        self.locked_until = locked_until
        self.just_locked = just_locked


class InvalidSession(HandoffError):
    pass


class UserNotFound(HandoffError):
    pass


class UserExists(HandoffError, ValueError):
    pass


class WeakPassword(HandoffError, ValueError):
    pass
