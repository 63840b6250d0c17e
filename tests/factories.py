"""Finding seeded data by what a test needs, not by hard-coded numbers."""

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from conversations import service as conversation_service
from database.core import session_scope
from shop.models import Customer, Order


def orders_in_status(db_session: Session, status: str) -> list[Order]:
    return list(db_session.scalars(select(Order).where(Order.status == status).order_by(Order.id)))


def any_customer(db_session: Session) -> Customer:
    """A seeded customer (tests that only need someone the shop knows, not particular orders)."""
    customer = db_session.scalars(select(Customer).order_by(Customer.id)).first()
    assert customer is not None, "the test database is seeded"
    return customer


def open_ticket(db_session: Session, sender_id: str, language: str = "en", *, customer_id: int | None = None,
                text: str = "I want to talk to a person", intent: str | None = None):
    """A committed ticket for a new conversation (of an unidentified shopper unless `customer_id` is given)."""
    from handoff import service as handoff_service
    from shop.source import SqlOrderSource

    conversation, _ = conversation_service.get_or_create(db_session=db_session, sender_id=sender_id, channel="api",
                                                         language=language)
    conversation.customer_id = customer_id
    conversation_service.add_message(db_session=db_session, conversation=conversation, role="shopper",
                                     text=text, language=language, intent=intent)
    ticket = handoff_service.create(db_session=db_session, conversation=conversation, customer_id=customer_id,
                                    reason="shopper_request", source=SqlOrderSource(db_session))
    db_session.commit()
    return ticket


def create_account(db_session: Session, role: str = "agent", password: str | None = "correct horse battery",
                   **fields):
    """A committed account with a random name: (user, api_token)."""
    import secrets

    from handoff.agents import create_user

    user, token = create_user(db_session=db_session, name=f"{role}-{secrets.token_hex(4)}", role=role,
                              password=password, **fields)
    db_session.commit()
    return user, token


def stored_messages(sender_id: str) -> list[dict]:
    """A conversation's messages as stored (what agents see); channel conversations are not readable through
    the public API."""
    with session_scope() as db_session:
        return [{"id": m.id, "role": m.role, "text": m.text, "text_en": m.text_en, "language": m.language,
                 "intent": m.intent}
                for m in conversation_service.list_messages(db_session=db_session, sender_id=sender_id)]


def discard_conversation(db_session: Session, sender_id: str) -> None:
    """Remove a conversation a test committed, with its messages, tickets and their queued events."""
    from conversations.models import Conversation, Message
    from handoff.models import OutboxEvent, Ticket, TicketNote

    db_session.rollback()
    conversation = conversation_service.get(db_session=db_session, sender_id=sender_id)
    if conversation is None:
        return
    ticket_ids = list(db_session.scalars(select(Ticket.id).where(Ticket.conversation_id == conversation.id)))
    db_session.execute(delete(TicketNote).where(TicketNote.ticket_id.in_(ticket_ids)))
    db_session.execute(delete(OutboxEvent).where(OutboxEvent.ticket_id.in_(ticket_ids)))
    db_session.execute(delete(Ticket).where(Ticket.id.in_(ticket_ids)))
    db_session.execute(delete(Message).where(Message.conversation_id == conversation.id))
    db_session.execute(delete(Conversation).where(Conversation.id == conversation.id))
    db_session.commit()


def discard_account(db_session: Session, name: str) -> None:
    """Remove an account a test (or a command it ran) committed, with its API tokens and sessions."""
    from handoff.models import AgentSession, AgentUser, ApiToken

    db_session.rollback()
    user = db_session.scalars(select(AgentUser).where(AgentUser.name == name)).first()
    if user is None:
        return
    db_session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    db_session.execute(delete(AgentSession).where(AgentSession.user_id == user.id))
    db_session.delete(user)
    db_session.commit()
