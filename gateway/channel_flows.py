"""Messages from messaging channels (Telegram, WhatsApp, Messenger), handled after the webhook was
acknowledged: through the same per-message path as the chat API, the replies leaving through the channel
outbox (queued where each reply is stored, see gateway/replies.py)."""

import asyncio
import logging
import weakref
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from assistant.rasa_client import RasaClient
from assistant.tracker_events import latest_slot_value
from channels import outbox
from channels import service as channel_service
from channels.base import Inbound
from channels.registry import PLATFORMS
from channels.settings import ChannelQueueSettings
from conversations import service as conversation_service
from conversations.models import Conversation
from database.core import get_session_factory, session_scope
from gateway.blocking import in_thread, in_transaction
from gateway.flows import handle_message_flow
from gateway.replies import send_reply
from gateway.schemas import ChatRequest
from gateway.settings import get_settings
from proactive import flows as proactive_flows
from shop.auth import create_customer_token, slot_customer_id
from translation.responses import BOT_LANGUAGE, ResponseCatalog
from translation.service import TranslationService
from translation.settings import get_settings as get_translation_settings

logger = logging.getLogger(__name__)

# One chat's messages are handled in the order they arrived, so its replies are queued in that order too.
_chat_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
_tasks: set[asyncio.Task] = set()


def _first_language(inbound: Inbound) -> str:
    """A new conversation starts in the language the user's app is set to, if it is one we answer in."""
    hint = (inbound.language_hint or "").split("-")[0].lower()
    return hint if hint in get_translation_settings().languages else BOT_LANGUAGE


def acknowledge(*, db_session: Session, inbound: Inbound) -> Conversation:
    """Queue what the platform needs acknowledged (a pressed Telegram button); the chat's conversation."""
    outbox.enqueue(db_session=db_session, channel=inbound.channel, recipient=inbound.chat_id,
                   bodies=PLATFORMS[inbound.channel].receipt_bodies(inbound))
    conversation, _ = conversation_service.get_or_create(
        db_session=db_session, sender_id=inbound.sender_id, channel=inbound.channel,
        language=_first_language(inbound))
    return conversation


def answer_unreadable(*, db_session: Session, conversation: Conversation, kind: str, responses: ResponseCatalog,
                      translator: TranslationService) -> None:
    """Keep a note of what the shopper sent (agents see it) and ask them, in their language, to type."""
    conversation_service.add_message(db_session=db_session, conversation=conversation, role="shopper",
                                     text=f"[{kind}]", text_en=f"[{kind}]", language=conversation.language)
    send_reply(db_session=db_session, conversation=conversation, payload={"response": "utter_unsupported_message"},
               responses=responses, translator=translator)


def remember_verified_customer(*, db_session: Session, inbound: Inbound, conversation: Conversation) -> None:
    """Once the order flow verified who the shopper is (order number + e-mail), link the channel user to that
    customer, so that later conversations on this channel start identified."""
    verified = slot_customer_id(latest_slot_value(db_session=db_session, sender_id=inbound.sender_id,
                                                  slot="customer_id"))
    if verified is not None:
        channel_service.link_customer(db_session=db_session, channel=inbound.channel,
                                      channel_user_id=inbound.user_id, customer_id=verified)
        conversation.customer_id = verified
        logger.info("%s user linked to customer %s", inbound.channel, verified)


async def channel_message_flow(
    *, inbound: Inbound, rasa: RasaClient, responses: ResponseCatalog, translator: TranslationService
) -> None:
    """One message from a messaging channel, answered through the channel's outbox."""
    with get_session_factory()() as db_session:
        conversation = await in_transaction(db_session, acknowledge, db_session=db_session, inbound=inbound)

        # Images, stickers, voice, locations...: ask for text
        if inbound.text is None:
            await in_transaction(db_session, answer_unreadable, db_session=db_session, conversation=conversation,
                                 kind=inbound.kind, responses=responses, translator=translator)
            return

        # An answer to a proactive message (a COD confirmation, "stop") is handled there
        if await proactive_flows.answer_flow(db_session=db_session, conversation=conversation, text=inbound.text,
                                             parser=rasa):
            return

        # A linked channel user is vouched for like a logged-in shopper of the shop
        customer_id = None
        if inbound.one_to_one:
            customer_id = await in_thread(channel_service.linked_customer_id, db_session=db_session,
                                          channel=inbound.channel, channel_user_id=inbound.user_id)
        request = ChatRequest(sender_id=inbound.sender_id, text=inbound.text[:get_settings().max_message_chars],
                              customer_token=create_customer_token(customer_id) if customer_id else None)
        await handle_message_flow(request=request, channel=inbound.channel, db_session=db_session, rasa=rasa,
                                  responses=responses, translator=translator)

        # Remember the customer the order flow verified
        if customer_id is None and inbound.one_to_one:
            await in_transaction(db_session, remember_verified_customer, db_session=db_session, inbound=inbound,
                                 conversation=conversation)


async def _handle_in_order(deliveries: list[tuple[int, Inbound]], **services) -> None:
    """Each accepted message in turn; one that fails stays unhandled (tried again later) and the rest go on."""
    for delivery_id, inbound in deliveries:
        lock = _chat_locks.get(inbound.sender_id)
        if lock is None:
            lock = _chat_locks[inbound.sender_id] = asyncio.Lock()
        async with lock:
            try:
                await channel_message_flow(inbound=inbound, **services)
            except Exception:  # a background task's boundary: whatever failed (a bug, the database, MT), this
                # message stays unhandled to be tried again, and the others of the webhook are still answered
                logger.exception("%s message %s could not be handled; it will be tried again", inbound.channel,
                                 inbound.message_id)
                await in_thread(_record, channel_service.mark_failed_attempt, delivery_id)
                continue
            await in_thread(_record, channel_service.mark_handled, delivery_id)


def _record(mark: Callable[..., None], delivery_id: int) -> None:
    with session_scope() as db_session:
        mark(db_session=db_session, delivery_id=delivery_id)


def _claim_unhandled(settings: ChannelQueueSettings) -> list[tuple[int, Inbound]]:
    with session_scope() as db_session:
        return channel_service.claim_unhandled(db_session=db_session, lease_seconds=settings.handling_lease_seconds,
                                               max_attempts=settings.max_handling_attempts)


def handle_later(deliveries: list[tuple[int, Inbound]], *, rasa: RasaClient, responses: ResponseCatalog,
                 translator: TranslationService) -> None:
    """Handle the accepted messages of one webhook after it has been acknowledged (platforms retry slow
    webhooks)."""
    task = asyncio.get_running_loop().create_task(
        _handle_in_order(deliveries, rasa=rasa, responses=responses, translator=translator))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


async def handle_unfinished(settings: ChannelQueueSettings, *, rasa: RasaClient, responses: ResponseCatalog,
                            translator: TranslationService) -> None:
    """Forever: take on accepted messages that no gateway process finished handling (it stopped or crashed in
    between, or the handling failed) and handle them; at most `max_handling_attempts` times each."""
    while True:
        try:
            deliveries = await in_thread(_claim_unhandled, settings)
            if deliveries:
                logger.warning("handling %d channel messages left unanswered: %s", len(deliveries),
                               ", ".join(f"{inbound.channel} {inbound.message_id}" for _, inbound in deliveries))
                await _handle_in_order(deliveries, rasa=rasa, responses=responses, translator=translator)
        except SQLAlchemyError as error:
            logger.warning("looking for unhandled channel messages failed, retrying: %s", error)
        except Exception:  # a bug must not stop the recovery for good: log it and look again next round
            logger.exception("looking for unhandled channel messages crashed; retrying")
        await asyncio.sleep(settings.unfinished_check_seconds)
