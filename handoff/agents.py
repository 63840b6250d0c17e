"""Agent and admin accounts: passwords (argon2id) with lockout, and API tokens for scripts (random, shown once,
stored as their SHA-256; a user can hold several, each may expire or be revoked)."""

import hashlib
import secrets
from datetime import datetime, timedelta

from pwdlib import PasswordHash
from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff import clock
from handoff.exceptions import AccountLocked, InvalidCredentials, InvalidToken, UserExists, UserNotFound, WeakPassword
from handoff.models import AgentSession, AgentUser, ApiToken
from handoff.settings import get_settings

ROLES = ("agent", "admin")
MIN_PASSWORD_CHARS = 8

_passwords = PasswordHash.recommended()
#: Verified against when the name is unknown, so that answer takes as long as a wrong password.
_DUMMY_HASH = _passwords.hash(secrets.token_urlsafe(16))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise WeakPassword(f"a password needs at least {MIN_PASSWORD_CHARS} characters")


def get_by_name_or_raise(*, db_session: Session, name: str) -> AgentUser:
    user = db_session.scalars(select(AgentUser).where(AgentUser.name == name)).first()
    if user is None:
        raise UserNotFound(name)
    return user


def get_or_raise(*, db_session: Session, user_id: int) -> AgentUser:
    user = db_session.get(AgentUser, user_id)
    if user is None:
        raise UserNotFound(str(user_id))
    return user


def list_users(*, db_session: Session) -> list[AgentUser]:
    return list(db_session.scalars(select(AgentUser).order_by(AgentUser.name)))


def create_user(
    *, db_session: Session, name: str, role: str, email: str | None = None, password: str | None = None,
) -> tuple[AgentUser, str]:
    """The new user and a first API token (not stored anywhere in clear)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if db_session.scalars(select(AgentUser).where(AgentUser.name == name)).first() is not None:
        raise UserExists(f"a user named {name!r} exists already")
    if password is not None:
        _check_password(password)
    user = AgentUser(name=name, role=role, email=email, active=True, failed_logins=0,
                     password_hash=_passwords.hash(password) if password is not None else None)
    db_session.add(user)
    db_session.flush()
    _, token = create_api_token(db_session=db_session, user=user, label="created with the account")
    return user, token


def set_password(*, db_session: Session, user: AgentUser, password: str) -> None:
    """A new password; it also lifts a lockout."""
    _check_password(password)
    user.password_hash = _passwords.hash(password)
    user.failed_logins, user.locked_until = 0, None


def authenticate_password_or_raise(*, db_session: Session, name: str, password: str) -> AgentUser:
    """The user, if the name and password match an active account that is not locked. A wrong password counts
    towards the lockout (AccountLocked once it starts); a right one resets the count."""
    user = db_session.scalars(select(AgentUser).where(AgentUser.name == name)).first()
    if user is None or user.password_hash is None:
        _passwords.verify(password, _DUMMY_HASH)
        raise InvalidCredentials(name)
    now = clock.now()
    locked_until = clock.aware(user.locked_until)
    if locked_until is not None and locked_until > now:
        raise AccountLocked(locked_until)
    if not _passwords.verify(password, user.password_hash) or not user.active:
        settings = get_settings()
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= settings.lockout_attempts:
            user.failed_logins, user.locked_until = 0, now + timedelta(minutes=settings.lockout_minutes)
            raise AccountLocked(user.locked_until, just_locked=True)
        raise InvalidCredentials(name)
    user.failed_logins, user.locked_until = 0, None
    return user


def deactivate_user(*, db_session: Session, user: AgentUser) -> None:
    """No more sign-ins or token use; the user's console sessions end now."""
    user.active = False
    for session in db_session.scalars(select(AgentSession).where(AgentSession.user_id == user.id)):
        db_session.delete(session)


def reactivate_user(*, db_session: Session, user: AgentUser) -> None:
    user.active = True


def create_api_token(
    *, db_session: Session, user: AgentUser, label: str = "", expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """The stored token row and the token itself (shown once)."""
    token = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=token_hash(token), label=label, created_at=clock.now(),
                   expires_at=expires_at)
    db_session.add(row)
    db_session.flush()
    return row, token


def list_api_tokens(*, db_session: Session, user: AgentUser) -> list[ApiToken]:
    return list(db_session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def revoke_api_token(*, db_session: Session, user: AgentUser, token_id: int) -> ApiToken:
    row = db_session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise UserNotFound(f"{user.name} has no token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = clock.now()
    return row


def authenticate_token_or_raise(*, db_session: Session, token: str) -> AgentUser:
    """The token's user; refused if the token is unknown, revoked or expired, or the user inactive."""
    row = db_session.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash(token))).first()
    now = clock.now()
    if row is None or row.revoked_at is not None:
        raise InvalidToken("unknown or revoked token")
    expires_at = clock.aware(row.expires_at)
    if expires_at is not None and expires_at <= now:
        raise InvalidToken("this token has expired")
    user = db_session.get(AgentUser, row.user_id)
    if user is None or not user.active:
        raise InvalidToken("this account is deactivated")
    last_used = clock.aware(row.last_used_at)
    if last_used is None or now - last_used >= timedelta(minutes=1):
        row.last_used_at = now
    return user
