from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.models import AuditEvent


class Actor(Protocol):
    """Whoever acted: an agent or admin account (anything with an id and a name)."""

    id: int
    name: str


def record(
    *, db_session: Session, action: str, actor: Actor | None = None, actor_name: str | None = None,
    subject_type: str | None = None, subject_id: str | int | None = None, details: dict | None = None,
) -> AuditEvent:
    """Add an event to the caller's transaction: it is stored with the change it describes, or not at all.
    `actor_name` alone names someone without an account (a failed sign-in as an unknown name)."""
    event = AuditEvent(action=action, actor_id=actor.id if actor else None,
                       actor_name=actor.name if actor else actor_name, subject_type=subject_type,
                       subject_id=None if subject_id is None else str(subject_id), details=details or {})
    db_session.add(event)
    return event


def list_events(*, db_session: Session, limit: int = 100, action: str | None = None) -> list[AuditEvent]:
    """The newest events first; `action` filters on one action name."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db_session.scalars(query))
