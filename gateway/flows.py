"""The per-message path, read top to bottom: one shopper message in, the assistant's replies out."""

import asyncio
import logging
import uuid
import weakref
from typing import Any

from sqlalchemy.orm import Session

from conversations import service as conversation_service
from conversations.models import Conversation
from gateway.exceptions import InvalidCustomerToken, UnsupportedLanguage
from gateway.rasa_client import RasaClient, RasaUnavailable, parse_of_message
from gateway.schemas import ChatMessage, ChatRequest, ChatResponse
from shop import auth
from shop.profile import load_profile
from translation.responses import BOT_LANGUAGE, ResponseCatalog

logger = logging.getLogger(__name__)

FALLBACK_INTENT = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"

# One turn at a time per conversation, so replies and the stored history keep their order.
_conversation_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()


def _lock_for(sender_id: str) -> asyncio.Lock:
    lock = _conversation_locks.get(sender_id)
    if lock is None:
        lock = _conversation_locks[sender_id] = asyncio.Lock()
    return lock


def public_intent_name(name: str | None) -> str | None:
    """Rasa's `nlu_fallback` is reported under the catalogue's name, `out_of_scope`."""
    return OUT_OF_SCOPE if name == FALLBACK_INTENT else name


def verify_customer(token: str | None) -> int | None:
    if not token:
        return None
    try:
        return auth.verify_customer_token(token)
    except auth.InvalidCustomerToken as error:
        raise InvalidCustomerToken(str(error)) from error


def choose_language(requested: str | None, conversation: Conversation, responses: ResponseCatalog) -> str:
    language = (requested or conversation.language or BOT_LANGUAGE).lower()
    if language not in responses.languages:
        raise UnsupportedLanguage(
            f"language {language!r} is not configured; available: {', '.join(responses.languages)}"
        )
    return language


def render_bot_messages(
    bot_messages: list[dict[str, Any]], language: str, responses: ResponseCatalog
) -> list[tuple[str, str, str | None]]:
    """(text in the shopper's language, English text, response key) for each Rasa message."""
    defaults = _render_defaults()
    rendered = []
    for message in bot_messages:
        payload = message.get("custom")
        if isinstance(payload, dict) and "response" in payload:
            text = responses.render(payload, language, defaults)
            text_en = text if language == BOT_LANGUAGE else responses.render(payload, BOT_LANGUAGE, defaults)
            rendered.append((text, text_en, payload["response"]))
        elif message.get("text"):
            rendered.append((message["text"], message["text"], None))
    return rendered


def _render_defaults() -> dict[str, str]:
    profile = load_profile()
    return {"shop_name": profile.name, "support_email": profile.support_email}


async def handle_message_flow(
    *, request: ChatRequest, channel: str, db_session: Session, rasa: RasaClient, responses: ResponseCatalog
) -> ChatResponse:
    async with _lock_for(request.sender_id):
        # Identify the shopper the shop vouches for, if any
        customer_id = verify_customer(request.customer_token)

        # Find the conversation and the language to answer in
        conversation = conversation_service.get_or_create(
            db_session=db_session, sender_id=request.sender_id, channel=channel, language=BOT_LANGUAGE
        )
        language = choose_language(request.language, conversation, responses)
        conversation.language = language
        if customer_id is not None:
            conversation.customer_id = customer_id

        # Store the shopper's message before anything can fail: it is never lost
        shopper_message = conversation_service.add_message(
            db_session=db_session, conversation=conversation, role="shopper", text=request.text,
            language=language, text_en=request.text if language == BOT_LANGUAGE else None,
        )
        db_session.commit()

        # Ask the assistant
        gateway_message_id = uuid.uuid4().hex
        metadata = {
            "gateway_message_id": gateway_message_id,
            "language": language,
            "original_text": request.text,
            "customer_token": request.customer_token,
        }
        try:
            bot_messages = await rasa.send_message(sender_id=request.sender_id, text=request.text, metadata=metadata)
        except RasaUnavailable as error:
            logger.error("assistant unavailable for %s: %s", request.sender_id, error)
            shopper_message.delivered = False
            bot_messages = [{"custom": {"response": "utter_message_stored_offline"}}]
        if not bot_messages:
            logger.warning("the assistant gave no reply to %s (see the action server log)", request.sender_id)
            bot_messages = [{"custom": {"response": "utter_try_again"}}]

        # Record what the assistant understood
        parse = parse_of_message(db_session=db_session, sender_id=request.sender_id, message_id=gateway_message_id)
        if parse:
            intent = parse.get("intent") or {}
            shopper_message.intent = public_intent_name(intent.get("name"))
            shopper_message.confidence = intent.get("confidence")

        # Render the replies in the shopper's language and store them
        replies = render_bot_messages(bot_messages, language, responses)
        for text, text_en, key in replies:
            conversation_service.add_message(
                db_session=db_session, conversation=conversation, role="bot", text=text, text_en=text_en,
                language=language, response_key=key,
            )
        db_session.commit()

    return ChatResponse(
        language=language,
        messages=[ChatMessage(text=text, text_en=text_en) for text, text_en, _ in replies],
        handoff=None,
    )
