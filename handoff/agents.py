"""Agent and admin accounts: a random bearer token, shown once, stored as its SHA-256."""

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff.exceptions import InvalidToken
from handoff.models import AgentUser

ROLES = ("agent", "admin")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(*, db_session: Session, name: str, role: str) -> tuple[AgentUser, str]:
    """The new user and their token (not stored anywhere in clear)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if db_session.scalars(select(AgentUser).where(AgentUser.name == name)).first() is not None:
        raise ValueError(f"a user named {name!r} exists already")
    token = secrets.token_urlsafe(32)
    user = AgentUser(name=name, role=role, token_hash=_hash(token))
    db_session.add(user)
    db_session.flush()
    return user, token


def authenticate_or_raise(*, db_session: Session, token: str) -> AgentUser:
    user = db_session.scalars(select(AgentUser).where(AgentUser.token_hash == _hash(token))).first()
    if user is None:
        raise InvalidToken("unknown or revoked token")
    return user
