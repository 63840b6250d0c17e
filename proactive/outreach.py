"""Who a proactive message can reach, and sending one: rendered in the shopper's language, kept in the
conversation's history, queued in the channel outbox under the platform's rules."""

import logging
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from channels import outbox
from channels import service as channel_service
from channels.base import Button
from conversations import service as conversation_service
from conversations.models import Conversation, Message
from proactive import channel_rules
from proactive.models import OptOut
from shop.schemas import CustomerRead
from translation.responses import BOT_LANGUAGE, ResponseCatalog

logger = logging.getLogger(__name__)

RESPONSES_DIR = Path(__file__).with_name("responses")
COD_BUTTONS = (("button.cod_confirm", "/cod_confirm"), ("button.cod_cancel", "/cod_cancel"))


@lru_cache
def catalog() -> ResponseCatalog:
    return ResponseCatalog(RESPONSES_DIR)


def cod_buttons(language: str) -> list[Button]:
    return [Button(title=catalog().term(term, language), payload=payload) for term, payload in COD_BUTTONS]


def opted_out(*, db_session: Session, sender_id: str, customer_id: int | None) -> bool:
    """A shopper who said stop on any channel of the same customer gets no proactive message."""
    condition = OptOut.sender_id == sender_id
    if customer_id is not None:
        condition = or_(condition, OptOut.customer_id == customer_id)
    return db_session.scalar(select(OptOut.id).where(condition).limit(1)) is not None


def opt_out(*, db_session: Session, conversation: Conversation) -> None:
    if db_session.scalar(select(OptOut.id).where(OptOut.sender_id == conversation.sender_id)) is None:
        db_session.add(OptOut(sender_id=conversation.sender_id, customer_id=conversation.customer_id))


def reachable_conversation(*, db_session: Session, customer: CustomerRead) -> Conversation | None:
    """The conversation of the customer's most recently linked channel user, unless they opted out."""
    link = channel_service.latest_link_of_customer(db_session=db_session, customer_id=customer.id)
    if link is None:
        return None
    sender_id = f"{link.channel}:{link.channel_user_id}"
    if opted_out(db_session=db_session, sender_id=sender_id, customer_id=customer.id):
        logger.info("customer %s opted out of proactive messages", customer.id)
        return None
    conversation, _ = conversation_service.get_or_create(db_session=db_session, sender_id=sender_id,
                                                         channel=link.channel, language=customer.language)
    conversation.customer_id = conversation.customer_id or customer.id
    return conversation


def send(
    *, db_session: Session, conversation: Conversation, kind: str, variables: dict[str, Any],
    buttons: Sequence[Button] = (),
) -> Message:
    """Store the message in the conversation (agents and the inquiry history see it) and queue it for the
    platform, in the caller's transaction."""
    language = conversation.language
    payload = {"response": kind, "vars": variables}
    text = catalog().render(payload, language)
    text_en = text if language == BOT_LANGUAGE else catalog().render(payload, BOT_LANGUAGE)
    message = conversation_service.add_message(
        db_session=db_session, conversation=conversation, role="bot", text=text, text_en=text_en,
        language=language, response_key=kind,
        translation_backend="localized" if catalog().is_localized(payload, language) else None)
    values = {name: catalog().format_value(value, language) for name, value in variables.items()}
    bodies = channel_rules.proactive_bodies(db_session=db_session, conversation=conversation, kind=kind, text=text,
                                            values=values, buttons=buttons)
    recipient = conversation.sender_id.removeprefix(f"{conversation.channel}:")
    outbox.enqueue(db_session=db_session, channel=conversation.channel, recipient=recipient, bodies=bodies)
    return message

