"""One shopper's conversations for a data-rights request: found, exported, anonymised.

Erasure keeps each conversation's and message's shape (channel, language, role, intent, confidence, times), so
aggregate analytics stay, and removes what identifies or was said: sender id, secret, customer, texts, values.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from conversations.models import Conversation

ERASED_PREFIX = "erased:"


def find(*, db_session: Session, customer_id: int | None = None, sender_id: str | None = None) -> list[Conversation]:
    """The conversations of a customer, of a sender id, or both."""
    conditions = []
    if customer_id is not None:
        conditions.append(Conversation.customer_id == customer_id)
    if sender_id is not None:
        conditions.append(Conversation.sender_id == sender_id)
    if not conditions:
        return []
    return list(db_session.scalars(select(Conversation).where(or_(*conditions)).order_by(Conversation.id)))


def older_than(*, db_session: Session, before: datetime) -> list[Conversation]:
    """Conversations last active before `before` that are not erased yet."""
    return list(db_session.scalars(select(Conversation).where(
        Conversation.updated_at < before, Conversation.sender_id.not_like(f"{ERASED_PREFIX}%"))))


def export(conversations: list[Conversation]) -> list[dict[str, Any]]:
    return [{"sender_id": c.sender_id, "channel": c.channel, "language": c.language, "customer_id": c.customer_id,
             "created_at": c.created_at.isoformat() if c.created_at else None,
             "messages": [{"id": m.id, "role": m.role, "text": m.text, "text_en": m.text_en, "language": m.language,
                           "intent": m.intent, "confidence": m.confidence, "entities": m.entities,
                           "created_at": m.created_at.isoformat() if m.created_at else None}
                          for m in c.messages]}
            for c in conversations]


def anonymise(*, db_session: Session, conversations: list[Conversation]) -> int:
    """Blank every message and detach each conversation from its shopper; the number of messages blanked."""
    blanked = 0
    for conversation in conversations:
        conversation.sender_id = f"{ERASED_PREFIX}{conversation.id}"
        conversation.customer_id = None
        conversation.token_hash = None
        for message in conversation.messages:
            message.text, message.text_en, message.entities = "", None, None
            blanked += 1
    db_session.flush()
    return blanked


def message_ids(conversations: list[Conversation]) -> list[int]:
    return [m.id for c in conversations for m in c.messages]


def texts(conversations: list[Conversation]) -> list[str]:
    """Every text of the conversations (both languages), to find copies held by other stores."""
    return sorted({t for c in conversations for m in c.messages for t in (m.text, m.text_en) if t})

