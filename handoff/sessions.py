"""Console sessions after a password sign-in: the cookie carries a random id (stored as its SHA-256) and
each session has a CSRF token the console sends back on state-changing requests."""

import hmac
import secrets
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from handoff import clock
from handoff.agents import token_hash
from handoff.exceptions import InvalidSession
from handoff.models import AgentSession, AgentUser
from handoff.settings import get_settings

#: last_seen_at is written at most this often (not on every request of a busy console).
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def start_session(*, db_session: Session, user: AgentUser) -> tuple[AgentSession, str]:
    """The stored session and the id for the cookie (shown once)."""
    session_id, now = secrets.token_urlsafe(32), clock.now()
    row = AgentSession(session_hash=token_hash(session_id), user_id=user.id, csrf_token=secrets.token_urlsafe(32),
                       created_at=now, last_seen_at=now,
                       expires_at=now + timedelta(hours=get_settings().session_max_hours))
    db_session.add(row)
    db_session.flush()
    return row, session_id


def get_session_or_raise(*, db_session: Session, session_id: str) -> tuple[AgentSession, AgentUser]:
    """The live session and its active user. An expired (idle or absolute) session is deleted and that is
    committed at once, since the caller answers 401 and commits nothing."""
    row = db_session.scalars(select(AgentSession).where(AgentSession.session_hash == token_hash(session_id))).first()
    if row is None:
        raise InvalidSession("not signed in")
    now = clock.now()
    idle_limit = clock.aware(row.last_seen_at) + timedelta(minutes=get_settings().session_idle_minutes)
    user = db_session.get(AgentUser, row.user_id)
    if now >= clock.aware(row.expires_at) or now >= idle_limit or user is None or not user.active:
        db_session.delete(row)
        db_session.commit()
        raise InvalidSession("the session has ended; please sign in again")
    if now - clock.aware(row.last_seen_at) >= LAST_SEEN_RESOLUTION:
        row.last_seen_at = now
    return row, user


def csrf_matches(session: AgentSession, sent: str | None) -> bool:
    return sent is not None and hmac.compare_digest(session.csrf_token, sent)


def end_session(*, db_session: Session, session_id: str) -> None:
    db_session.execute(delete(AgentSession).where(AgentSession.session_hash == token_hash(session_id)))
