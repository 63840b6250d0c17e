"""Finding seeded data by what a test needs, not by hard-coded numbers."""

from sqlalchemy import select
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


def open_ticket(db_session: Session, sender_id: str, language: str = "en"):
    """A committed ticket for a new conversation of an unidentified shopper."""
    from handoff import service as handoff_service
    from shop.source import SqlOrderSource

    conversation, _ = conversation_service.get_or_create(db_session=db_session, sender_id=sender_id, channel="api",
                                                         language=language)
    conversation_service.add_message(db_session=db_session, conversation=conversation, role="shopper",
                                     text="I want to talk to a person", language=language)
    ticket = handoff_service.create(db_session=db_session, conversation=conversation, customer_id=None,
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
