"""The assistant's replies in the shopper's language: the team's translation of a response where one exists,
else a cached machine translation of the English text, else English."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from channels import outbox as channel_outbox
from channels.base import Button
from conversations import service as conversation_service
from conversations.models import Conversation, Message
from gateway.buttons import buttons_for
from shop.profile import load_profile
from translation.responses import BOT_LANGUAGE, ResponseCatalog, get_catalog
from translation.service import TranslationService


@dataclass(frozen=True)
class Reply:
    text: str
    text_en: str
    response_key: str | None
    #: "localized", an MT backend name, or None (English shown as is)
    translation_backend: str | None = None
    translation_ms: float | None = None


def render_defaults() -> dict[str, str]:
    profile = load_profile()
    return {"shop_name": profile.name, "support_email": profile.support_email}


def render_reply(
    payload: dict[str, Any], language: str, *, responses: ResponseCatalog, translator: TranslationService,
    db_session: Session,
) -> Reply:
    defaults = render_defaults()
    text_en = responses.render(payload, BOT_LANGUAGE, defaults)
    key = payload["response"]
    if language == BOT_LANGUAGE:
        return Reply(text_en, text_en, key)
    if responses.is_localized(payload, language):
        return Reply(responses.render(payload, language, defaults), text_en, key, "localized")
    translation = translator.translate_cached(text_en, src_lang=BOT_LANGUAGE, tgt_lang=language,
                                              db_session=db_session)
    if translation is None:
        return Reply(text_en, text_en, key)
    return Reply(translation.text, text_en, key, translation.backend, translation.milliseconds)


def render_bot_messages(
    bot_messages: list[dict[str, Any]], language: str, *, responses: ResponseCatalog,
    translator: TranslationService, db_session: Session,
) -> list[Reply]:
    replies = []
    for message in bot_messages:
        payload = message.get("custom")
        if isinstance(payload, dict) and "response" in payload:
            replies.append(render_reply(payload, language, responses=responses, translator=translator,
                                        db_session=db_session))
        elif message.get("text"):
            replies.append(Reply(message["text"], message["text"], None))
    return replies


def store_reply(*, db_session: Session, conversation: Conversation, reply: Reply) -> Message:
    """Keep a bot reply in the conversation's history, in both languages; on a messaging channel it is queued
    for the shopper in the same transaction (with its quick replies)."""
    message = conversation_service.add_message(
        db_session=db_session, conversation=conversation, role="bot", text=reply.text, text_en=reply.text_en,
        language=conversation.language, response_key=reply.response_key,
        translation_backend=reply.translation_backend, translation_ms=reply.translation_ms,
    )
    buttons = buttons_for(reply.response_key, conversation.language, get_catalog())
    channel_outbox.enqueue_message(db_session=db_session, conversation=conversation, text=reply.text,
                                   buttons=[Button(**button) for button in buttons])
    return message


def send_reply(
    *, db_session: Session, conversation: Conversation, payload: dict[str, Any], responses: ResponseCatalog,
    translator: TranslationService,
) -> Reply:
    """Render a response in the conversation's language and store it as the assistant's message (queued on a
    messaging channel)."""
    reply = render_reply(payload, conversation.language, responses=responses, translator=translator,
                         db_session=db_session)
    store_reply(db_session=db_session, conversation=conversation, reply=reply)
    return reply
