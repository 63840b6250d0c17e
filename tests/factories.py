"""Finding seeded data by what a test needs, not by hard-coded numbers."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from conversations import service as conversation_service
from database.core import session_scope
from shop.models import Order


def orders_in_status(db_session: Session, status: str) -> list[Order]:
    return list(db_session.scalars(select(Order).where(Order.status == status).order_by(Order.id)))


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
