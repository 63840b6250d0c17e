"""Finding seeded data by what a test needs, not by hard-coded numbers."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from conversations import service as conversation_service
from database.core import session_scope
from shop.models import Order


def orders_in_status(db_session: Session, status: str) -> list[Order]:
    return list(db_session.scalars(select(Order).where(Order.status == status).order_by(Order.id)))


def stored_messages(sender_id: str) -> list[dict]:
    """A conversation's messages as stored (what agents see); channel conversations are not readable through
    the public API."""
    with session_scope() as db_session:
        return [{"id": m.id, "role": m.role, "text": m.text, "text_en": m.text_en, "language": m.language,
                 "intent": m.intent}
                for m in conversation_service.list_messages(db_session=db_session, sender_id=sender_id)]
