"""One shopper's tickets for a data-rights request. Erasure keeps each ticket's status, reason, language,
agent and times (analytics) and removes its summary, package, notes and queued helpdesk events."""

import json
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from handoff.models import OutboxEvent, Ticket, TicketNote


def _tickets(db_session: Session, *, customer_id: int | None, conversation_ids: list[int]) -> list[Ticket]:
    conditions = [Ticket.conversation_id.in_(conversation_ids)] if conversation_ids else []
    if customer_id is not None:
        conditions.append(Ticket.customer_id == customer_id)
    return list(db_session.scalars(select(Ticket).where(or_(*conditions)).order_by(Ticket.created_at))) \
        if conditions else []


def export(*, db_session: Session, customer_id: int | None, conversation_ids: list[int]) -> list[dict[str, Any]]:
    tickets = _tickets(db_session, customer_id=customer_id, conversation_ids=conversation_ids)
    notes = db_session.scalars(select(TicketNote).where(TicketNote.ticket_id.in_([t.id for t in tickets]))).all()
    return [{"id": t.id, "status": t.status, "reason": t.reason, "language": t.language, "priority": t.priority,
             "summary": t.summary, "package": json.loads(t.package),
             "created_at": t.created_at.isoformat() if t.created_at else None,
             "closed_at": t.closed_at.isoformat() if t.closed_at else None,
             "notes": [{"text": n.text, "created_at": n.created_at.isoformat() if n.created_at else None}
                       for n in notes if n.ticket_id == t.id]}
            for t in tickets]


def erase(*, db_session: Session, customer_id: int | None, conversation_ids: list[int]) -> dict[str, int]:
    tickets = _tickets(db_session, customer_id=customer_id, conversation_ids=conversation_ids)
    ids = [t.id for t in tickets]
    for ticket in tickets:
        ticket.summary, ticket.package, ticket.customer_id = "(erased at the shopper's request)", "{}", None
    notes = db_session.execute(delete(TicketNote).where(TicketNote.ticket_id.in_(ids))).rowcount if ids else 0
    events = db_session.execute(delete(OutboxEvent).where(OutboxEvent.ticket_id.in_(ids))).rowcount if ids else 0
    db_session.flush()
    return {"tickets": len(tickets), "ticket_notes": notes, "ticket_outbox": events}
