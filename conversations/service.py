"""Plain keyword-only functions over conversations and messages."""

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from sqlalchemy import Select, false, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conversations.exceptions import ConversationNotFound
from conversations.models import Conversation, Message


def _token_hash(token: str) -> str:
    """A token has 256 random bits, so a fast hash keeps it as safe as a slow one would."""
    return hashlib.sha256(token.encode()).hexdigest()


def get(*, db_session: Session, sender_id: str) -> Conversation | None:
    return db_session.scalars(select(Conversation).where(Conversation.sender_id == sender_id)).one_or_none()


def get_by_id_or_raise(*, db_session: Session, conversation_id: int) -> Conversation:
    conversation = db_session.get(Conversation, conversation_id)
    if conversation is None:
        raise ConversationNotFound(str(conversation_id))
    return conversation


def earlier_of_customer(*, db_session: Session, customer_id: int, excluding_id: int) -> list[Conversation]:
    """The customer's other conversations, newest first."""
    return list(db_session.scalars(
        select(Conversation).where(Conversation.customer_id == customer_id, Conversation.id != excluding_id)
        .order_by(Conversation.created_at.desc())))


def latest_messages(*, db_session: Session, limit: int, excluding: Select | None = None) -> list[Message]:
    """The newest `limit` messages of all conversations (but those whose ids `excluding` selects), oldest first."""
    query = select(Message).order_by(Message.id.desc()).limit(limit)
    if excluding is not None:
        query = query.where(Message.id.not_in(excluding))
    return list(reversed(db_session.scalars(query).all()))


def get_message(*, db_session: Session, message_id: int) -> Message | None:
    return db_session.get(Message, message_id)


def get_or_create(
    *, db_session: Session, sender_id: str, channel: str, language: str
) -> tuple[Conversation, bool]:
    """The conversation, and whether it was created just now."""
    conversation = get(db_session=db_session, sender_id=sender_id)
    if conversation is not None:
        return conversation, False
    conversation = Conversation(sender_id=sender_id, channel=channel, language=language)
    db_session.add(conversation)
    db_session.flush()
    return conversation, True


def create_with_token(
    *, db_session: Session, sender_id: str, channel: str, language: str
) -> tuple[Conversation, str]:
    """A new conversation and its secret, which only its creator gets (only the hash is stored).
    ConversationNotFound if another request created the same id first."""
    token = secrets.token_urlsafe(32)
    conversation = Conversation(sender_id=sender_id, channel=channel, language=language,
                                token_hash=_token_hash(token))
    db_session.add(conversation)
    try:
        db_session.flush()
    except IntegrityError as error:
        db_session.rollback()
        raise ConversationNotFound(sender_id) from error
    return conversation, token


def owned_or_raise(*, db_session: Session, sender_id: str, token: str | None) -> Conversation:
    """The conversation, if `token` is its secret; ConversationNotFound otherwise (unknown id, no secret sent,
    a wrong one, or a conversation without a secret: messaging channels and conversations from before)."""
    return check_owner(conversation=get(db_session=db_session, sender_id=sender_id), sender_id=sender_id,
                       token=token)


def check_owner(*, conversation: Conversation | None, sender_id: str, token: str | None) -> Conversation:
    """`owned_or_raise` for a conversation already loaded (or None)."""
    if (conversation is None or conversation.token_hash is None or not token
            or not hmac.compare_digest(conversation.token_hash, _token_hash(token))):
        raise ConversationNotFound(sender_id)
    return conversation


def add_message(
    *,
    db_session: Session,
    conversation: Conversation,
    role: str,
    text: str,
    language: str,
    text_en: str | None = None,
    intent: str | None = None,
    confidence: float | None = None,
    response_key: str | None = None,
    delivered: bool = True,
    translation_backend: str | None = None,
    translation_ms: float | None = None,
) -> Message:
    message = Message(
        conversation=conversation,
        role=role,
        text=text,
        text_en=text_en,
        language=language,
        intent=intent,
        confidence=confidence,
        response_key=response_key,
        delivered=delivered,
        translation_backend=translation_backend,
        translation_ms=translation_ms,
    )
    db_session.add(message)
    db_session.flush()
    return message


def list_messages(*, db_session: Session, sender_id: str, after_id: int = 0, limit: int = 200) -> list[Message]:
    query = (
        select(Message)
        .join(Conversation)
        .where(Conversation.sender_id == sender_id, Message.id > after_id)
        .order_by(Message.id)
        .limit(limit)
    )
    return list(db_session.scalars(query))


def set_english_text(
    *, db_session: Session, message_id: int, text_en: str, backend: str, milliseconds: float
) -> None:
    message = db_session.get(Message, message_id)
    if message is not None and message.text_en is None:
        message.text_en = text_en
        message.translation_backend = backend
        message.translation_ms = milliseconds


def reset_rasa_session_turns(*, db_session: Session, sender_id: str) -> None:
    conversation = get(db_session=db_session, sender_id=sender_id)
    if conversation is not None:
        conversation.rasa_session_turns = 0


def last_response_key(*, db_session: Session, conversation_id: int) -> str | None:
    """The response key of the assistant's latest message in the conversation (the question it asked)."""
    query = (
        select(Message.response_key)
        .where(Message.conversation_id == conversation_id, Message.role == "bot")
        .order_by(Message.id.desc())
        .limit(1)
    )
    return db_session.scalars(query).first()


def latest_message_id(*, db_session: Session) -> int:
    return db_session.scalar(select(func.max(Message.id))) or 0


def senders_with_messages_after(*, db_session: Session, after_id: int) -> set[str]:
    """The sender ids of the conversations with messages after `after_id`."""
    query = select(Conversation.sender_id).join(Message).where(Message.id > after_id).distinct()
    return set(db_session.scalars(query))


def senders_with_stored_messages(*, db_session: Session) -> list[str]:
    """Conversations with shopper messages stored while the assistant was down, the longest-waiting first."""
    oldest = func.min(Message.id)
    query = (
        select(Conversation.sender_id)
        .join(Message)
        .where(Message.delivered == false(), Message.role == "shopper")
        .group_by(Conversation.sender_id)
        .order_by(oldest)
    )
    return list(db_session.scalars(query))


def stored_messages(*, db_session: Session, conversation_id: int, before_id: int | None = None) -> list[Message]:
    """A conversation's shopper messages stored while the assistant was down, in the order they came."""
    query = select(Message).where(Message.conversation_id == conversation_id, Message.delivered == false(),
                                  Message.role == "shopper")
    if before_id is not None:
        query = query.where(Message.id < before_id)
    return list(db_session.scalars(query.order_by(Message.id)))


def last_shopper_message_at(*, db_session: Session, conversation_id: int) -> datetime | None:
    """When the shopper last wrote in the conversation (messaging channels' service windows start there)."""
    query = select(func.max(Message.created_at)).where(Message.conversation_id == conversation_id,
                                                       Message.role == "shopper")
    moment = db_session.scalar(query)
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment
