"""Open, read, answer and close tickets (keyword-only functions, one verb each)."""

import json
import uuid
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conversations.models import Conversation
from handoff import webhooks
from handoff.exceptions import AgentNotFound, TicketClosed, TicketNotFound  # noqa: F401  (re-exported)
from handoff.models import AgentUser, Ticket, TicketNote
from handoff.package import build_package
from shop.source import OrderSource

OPEN_STATUSES = ("open", "claimed")


def open_ticket_of(*, db_session: Session, conversation_id: int) -> Ticket | None:
    query = select(Ticket).where(Ticket.conversation_id == conversation_id, Ticket.status.in_(OPEN_STATUSES))
    return db_session.scalars(query).first()


def create(
    *, db_session: Session, conversation: Conversation, customer_id: int | None, reason: str, source: OrderSource
) -> Ticket:
    """Open a ticket (or return the conversation's open one) with the packaged history."""
    existing = open_ticket_of(db_session=db_session, conversation_id=conversation.id)
    if existing is not None:
        return existing
    package = build_package(db_session=db_session, conversation=conversation, customer_id=customer_id,
                            reason=reason, source=source)
    ticket = Ticket(
        id=f"T-{uuid.uuid4().hex[:10]}", conversation_id=conversation.id, customer_id=customer_id, status="open",
        reason=reason, language=conversation.language, priority=package["priority"], summary=package["summary"],
        package=json.dumps(package, ensure_ascii=False),
    )
    db_session.add(ticket)
    db_session.flush()
    webhooks.record(db_session=db_session, event_type="ticket.created", ticket=ticket)
    return ticket


def queue_position(*, db_session: Session, ticket: Ticket) -> int:
    """1 + the unclaimed tickets opened before this one."""
    query = select(func.count()).select_from(Ticket).where(Ticket.status == "open",
                                                           Ticket.created_at < ticket.created_at)
    return 1 + (db_session.scalar(query) or 0)


def get_or_raise(*, db_session: Session, ticket_id: str) -> Ticket:
    ticket = db_session.get(Ticket, ticket_id)
    if ticket is None:
        raise TicketNotFound(ticket_id)
    return ticket


def get_all(
    *, db_session: Session, status: str | None = None, language: str | None = None, priority: str | None = None
) -> list[Ticket]:
    query = select(Ticket).order_by(Ticket.created_at.desc())
    for column, value in ((Ticket.status, status), (Ticket.language, language), (Ticket.priority, priority)):
        if value:
            query = query.where(column == value)
    return list(db_session.scalars(query))


def agent_or_raise(*, db_session: Session, agent_id: int) -> AgentUser:
    agent = db_session.get(AgentUser, agent_id)
    if agent is None:
        raise AgentNotFound(agent_id)
    return agent


def claim(*, db_session: Session, ticket: Ticket, agent_id: int) -> Ticket:
    if ticket.status == "closed":
        raise TicketClosed(ticket.id)
    ticket.status, ticket.assignee_id = "claimed", agent_id
    webhooks.record(db_session=db_session, event_type="ticket.updated", ticket=ticket)
    return ticket


def close(*, db_session: Session, ticket: Ticket) -> Ticket:
    if ticket.status == "closed":
        raise TicketClosed(ticket.id)
    ticket.status, ticket.closed_at = "closed", datetime.now(UTC)
    webhooks.record(db_session=db_session, event_type="ticket.closed", ticket=ticket)
    return ticket


def add_note(*, db_session: Session, ticket: Ticket, author_id: int, text: str) -> TicketNote:
    note = TicketNote(ticket_id=ticket.id, author_id=author_id, text=text)
    db_session.add(note)
    db_session.flush()
    return note


def notes(*, db_session: Session, ticket: Ticket) -> list[TicketNote]:
    return list(db_session.scalars(select(TicketNote).where(TicketNote.ticket_id == ticket.id).order_by(TicketNote.id)))


def unclaimed_since(*, db_session: Session, before: datetime) -> list[Ticket]:
    """Open tickets nobody claimed, opened before `before`, whose shopper has not been told yet."""
    query = select(Ticket).where(Ticket.status == "open", Ticket.created_at < before,
                                 Ticket.waiting_notice_at.is_(None))
    return list(db_session.scalars(query))


def ticket_openings(*, db_session: Session, conversation_ids: set[int]) -> list[tuple[int, datetime]]:
    """(conversation id, when the ticket was opened) of every ticket of these conversations."""
    query = select(Ticket.conversation_id, Ticket.created_at).where(Ticket.conversation_id.in_(conversation_ids))
    return [(conversation_id, created_at) for conversation_id, created_at in db_session.execute(query)]


def was_handed_over(*, db_session: Session, conversation_id: int) -> bool:
    """Whether the conversation ever had a ticket, open or closed."""
    return db_session.scalar(select(Ticket.id).where(Ticket.conversation_id == conversation_id).limit(1)) is not None
