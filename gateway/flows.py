"""The per-message path, read top to bottom: one shopper message in, the assistant's replies out."""

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from anyio import to_thread
from sqlalchemy.orm import Session

from assistant.rasa_client import RasaClient, RasaUnavailable
from assistant.tracker_events import latest_slot_value, parse_of_message
from assistant.understanding import OUT_OF_SCOPE, english_for_understanding, nlu_metadata, public_intent_name
from channels.registry import PLATFORMS
from conversations import service as conversation_service
from conversations.models import Conversation, Message
from database.core import session_scope
from gateway import csat_flows
from gateway.blocking import in_thread, in_transaction
from gateway.buttons import buttons_for, pressed, shown_text
from gateway.conversation_lock import conversation_lock
from gateway.exceptions import InvalidCustomerToken, ReservedSenderId
from gateway.language import apply_language_request, update_conversation_language
from gateway.rate_limits import limit_conversation
from gateway.replies import Reply, render_bot_messages, send_reply, store_reply
from gateway.schemas import ChatMessage, ChatRequest, ChatResponse, Handoff
from gateway.settings import get_settings
from handoff import service as handoff_service
from handoff.hours import next_opening
from handoff.models import Ticket
from handoff.settings import get_settings as get_handoff_settings
from shop import auth
from shop.settings import get_settings as get_shop_settings
from shop.source import get_order_source
from telemetry.instruments import RASA_ERRORS, timed_turn
from translation.detect import Detection
from translation.languages import native_name
from translation.response_registry import QUESTIONS
from translation.responses import BOT_LANGUAGE, ResponseCatalog
from translation.service import TranslationService
from translation.settings import get_settings as get_translation_settings

logger = logging.getLogger(__name__)


# Work done after the reply has gone out: English for agents and the log, Rasa session rollover.
_background_tasks: set[asyncio.Task] = set()

#: Where strangers can write: each conversation there is reached only with its secret. Messaging channels'
#: conversations are reached only through their signed webhooks.
PUBLIC_CHANNELS = ("api", "web")


def extracted_values(parse: dict) -> list[dict[str, str]]:
    """The entities of a parse as agents read them (name and value only)."""
    return [{"entity": str(e["entity"]), "value": str(e["value"])} for e in parse.get("entities") or []
            if e.get("entity") and e.get("value") is not None]


async def existing_conversation(
    *, db_session: Session, sender_id: str, channel: str, conversation_token: str | None
) -> Conversation | None:
    """The conversation of this turn, or None when this turn starts it (`store_arrival` creates it).

    On the public API and the widget, an existing conversation needs its secret; a messaging channel's id is
    refused there (ConversationNotFound or ReservedSenderId), so knowing a shopper's phone number or chat id
    reaches nothing. Each accepted turn counts against the conversation's rate limit."""
    existing = await in_thread(conversation_service.get, db_session=db_session, sender_id=sender_id)
    if channel not in PUBLIC_CHANNELS:  # the channel's signed webhook vouched for the sender
        return existing
    if existing is not None:
        conversation = conversation_service.check_owner(conversation=existing, sender_id=sender_id,
                                                        token=conversation_token)
        await limit_conversation(sender_id)
        return conversation
    if sender_id.split(":", 1)[0] in PLATFORMS:
        raise ReservedSenderId(f"{sender_id.split(':', 1)[0]} conversations are reached through that channel")
    await limit_conversation(sender_id)
    return None


def start_conversation(*, db_session: Session, sender_id: str, channel: str) -> tuple[Conversation, str | None]:
    """A new conversation, with the secret that reaches it on the public API and the widget."""
    if channel not in PUBLIC_CHANNELS:
        conversation, _ = conversation_service.get_or_create(db_session=db_session, sender_id=sender_id,
                                                             channel=channel, language=BOT_LANGUAGE)
        return conversation, None
    return conversation_service.create_with_token(db_session=db_session, sender_id=sender_id, channel=channel,
                                                  language=BOT_LANGUAGE)


def as_understood_text(text: str, payload: str | None) -> str:
    """What Rasa gets: a button's payload as it is (Rasa reads `/affirm` as that intent); anything else a
    shopper typed never starts with `/`, so nobody can pick an intent or set slots by typing one."""
    if payload or not text.lstrip().startswith("/"):
        return payload or text
    return text.lstrip().lstrip("/").strip() or "?"


def verify_customer(token: str | None) -> int | None:
    if not token:
        return None
    try:
        return auth.verify_customer_token(token)
    except auth.InvalidCustomerToken as error:
        raise InvalidCustomerToken(str(error)) from error


def translate_for_agents_later(message_id: int, text: str, language: str, translator: TranslationService) -> None:
    """Fill a shopper message's English text off the critical path (agents and the log need it, Rasa not)."""
    if translator.backend_for(src_lang=language, tgt_lang=BOT_LANGUAGE) is None:
        return

    def work() -> None:
        translation = translator.translate(text, src_lang=language, tgt_lang=BOT_LANGUAGE)
        if translation is not None:
            with session_scope() as db_session:
                conversation_service.set_english_text(db_session=db_session, message_id=message_id,
                                                      text_en=translation.text, backend=translation.backend,
                                                      milliseconds=translation.milliseconds)

    _in_background(to_thread.run_sync(work))


def handoff_reason(bot_messages: list[dict]) -> str | None:
    """The reason the action server gave for handing over (`handoff` in a reply payload), if any."""
    for message in bot_messages:
        payload = message.get("custom")
        if isinstance(payload, dict) and isinstance(payload.get("handoff"), dict):
            return str(payload["handoff"].get("reason") or "shopper_request")
    return None


def open_ticket(*, db_session: Session, conversation: Conversation, reason: str) -> Ticket:
    """The customer is the one the shop vouched for, or the one an order + e-mail check verified in Rasa."""
    customer_id = conversation.customer_id
    if customer_id is None:
        customer_id = auth.slot_customer_id(latest_slot_value(db_session=db_session, sender_id=conversation.sender_id,
                                                              slot="customer_id"))
    source = get_order_source(db_session, get_shop_settings().order_source)
    return handoff_service.create(db_session=db_session, conversation=conversation, customer_id=customer_id,
                                  reason=reason, source=source)


def handoff_expectation(db_session: Session, ticket: Ticket) -> dict:
    opening = next_opening(datetime.now(UTC), get_handoff_settings())
    if opening is not None:
        return {"response": "utter_handoff_after_hours", "vars": {"opening": {"datetime": opening.isoformat()}}}
    return {"response": "utter_handoff_queue",
            "vars": {"position": handoff_service.queue_position(db_session=db_session, ticket=ticket)}}


def _in_background(coroutine) -> None:
    task = asyncio.get_running_loop().create_task(coroutine)
    _background_tasks.add(task)
    task.add_done_callback(_background_tasks.discard)


def should_roll_rasa_session(turns: int, delivered: bool, replies: list[Reply]) -> bool:
    """Past the bound, once the turn reached Rasa and no reply asks the shopper anything."""
    asked = QUESTIONS & {reply.response_key for reply in replies}
    return delivered and not asked and turns >= get_settings().rasa_session_max_turns


def roll_rasa_session_later(sender_id: str, rasa: RasaClient) -> None:
    """Start a new Rasa session after the reply went out, before the shopper's next turn (same lock)."""

    async def work() -> None:
        async with conversation_lock(sender_id):
            try:
                await rasa.start_new_session(sender_id)
            except RasaUnavailable as error:
                logger.warning("could not start a new Rasa session for %s: %s", sender_id, error)
                return
            await in_thread(reset_rasa_session_turns, sender_id)

    _in_background(work())


def reset_rasa_session_turns(sender_id: str) -> None:
    with session_scope() as db_session:
        conversation_service.reset_rasa_session_turns(db_session=db_session, sender_id=sender_id)


def language_not_supported(
    db_session: Session, conversation: Conversation, shopper_message: Message, unsupported: str, *,
    responses: ResponseCatalog, translator: TranslationService,
) -> ChatResponse:
    """The reply to a message in a language that is not configured (it reaches the admins' inbox as a fallback)."""
    logger.info("message in %s, which is not configured, in conversation %s", unsupported, conversation.sender_id)
    shopper_message.intent, shopper_message.confidence = OUT_OF_SCOPE, 0.0
    shopper_message.delivered = True
    languages = ", ".join(native_name(code) for code in get_translation_settings().languages)
    reply = send_reply(db_session=db_session, conversation=conversation, responses=responses, translator=translator,
                       payload={"response": "utter_language_not_supported", "vars": {"languages": languages}})
    db_session.commit()
    return ChatResponse(language=conversation.language, messages=[ChatMessage(text=reply.text, text_en=reply.text_en)])


async def answer_flow(
    *, db_session: Session, conversation: Conversation, shopper_message: Message, rasa_text: str, original_text: str,
    customer_token: str | None, rasa: RasaClient, responses: ResponseCatalog, translator: TranslationService,
) -> tuple[list[Reply], Ticket | None]:
    """Ask the assistant about a stored shopper message and store its replies in the shopper's language (a
    ticket when it asked for a person). RasaUnavailable leaves the message stored, to be answered later."""
    sender_id = conversation.sender_id
    # Ask the assistant; the original text always travels in the metadata (the encoder reads it)
    gateway_message_id = uuid.uuid4().hex
    metadata = {"gateway_message_id": gateway_message_id, **nlu_metadata(original_text, shopper_message.language),
                "customer_token": customer_token}
    await in_thread(db_session.commit)  # no connection held while Rasa answers (100 turns would drain the pool)
    bot_messages = await rasa.send_message(sender_id=sender_id, text=rasa_text, metadata=metadata)
    if not bot_messages:
        logger.warning("the assistant gave no reply to %s (see the action server log)", sender_id)
        bot_messages = [{"custom": {"response": "utter_try_again"}}]
    return await in_transaction(
        db_session, store_answer, db_session=db_session, conversation=conversation, shopper_message=shopper_message,
        gateway_message_id=gateway_message_id, bot_messages=bot_messages, responses=responses, translator=translator)


def store_answer(
    *, db_session: Session, conversation: Conversation, shopper_message: Message, gateway_message_id: str,
    bot_messages: list[dict], responses: ResponseCatalog, translator: TranslationService,
) -> tuple[list[Reply], Ticket | None]:
    """What the assistant understood and answered, stored in the shopper's language (and the ticket it opened)."""
    sender_id = conversation.sender_id

    # Record what the assistant understood; "answer in Spanish" switches the language of the replies
    parse = parse_of_message(db_session=db_session, sender_id=sender_id, message_id=gateway_message_id)
    if parse:
        intent = parse.get("intent") or {}
        shopper_message.intent = public_intent_name(intent.get("name"))
        shopper_message.confidence = intent.get("confidence")
        shopper_message.entities = extracted_values(parse)
    apply_language_request(parse, conversation)
    language = conversation.language
    # (committed before rendering: on SQLite an open write would stop every other turn's writes while MT runs)
    db_session.commit()

    # Render the replies in the shopper's language and store them
    replies = render_bot_messages(bot_messages, language, responses=responses, translator=translator,
                                  db_session=db_session)
    for reply in replies:
        store_reply(db_session=db_session, conversation=conversation, reply=reply)
    shopper_message.delivered = True  # answered, in the same commit as its replies
    conversation.rasa_session_turns += 1

    # The assistant asked for a person: open a ticket with the shopper's packaged history, and say when
    # to expect the person (queue position, or when the team is back)
    ticket = None
    reason = handoff_reason(bot_messages)
    if reason is not None:
        ticket = hand_over(db_session=db_session, conversation=conversation, reason=reason, replies=replies,
                           responses=responses, translator=translator)
    return replies, ticket


def hand_over(
    *, db_session: Session, conversation: Conversation, reason: str, replies: list[Reply],
    responses: ResponseCatalog, translator: TranslationService,
) -> Ticket:
    """Open a ticket and tell the shopper when to expect the person (appended to `replies` and stored)."""
    ticket = open_ticket(db_session=db_session, conversation=conversation, reason=reason)
    replies.append(send_reply(db_session=db_session, conversation=conversation, responses=responses,
                              translator=translator, payload=handoff_expectation(db_session, ticket)))
    return ticket


def store_offline(
    *, db_session: Session, conversation: Conversation, shopper_message: Message, responses: ResponseCatalog,
    translator: TranslationService,
) -> Reply:
    """The assistant is down: the message stays stored to be answered later, and the shopper is told so."""
    shopper_message.delivered = False
    return send_reply(db_session=db_session, conversation=conversation, responses=responses, translator=translator,
                      payload={"response": "utter_message_stored_offline"})


async def answer_stored_flow(
    *, db_session: Session, conversation: Conversation, rasa: RasaClient, responses: ResponseCatalog,
    translator: TranslationService, before_id: int | None = None, hand_over_before: datetime | None = None,
) -> Ticket | None:
    """Answer a conversation's messages stored while the assistant was down, oldest first, committing each.
    From a message stored before `hand_over_before` on, or once a person has the conversation, the rest go to
    the person's ticket, which is returned. The caller holds the conversation's lock; RasaUnavailable stops at
    the first message still unanswered, which stays stored."""
    waiting = await in_thread(conversation_service.stored_messages, db_session=db_session,
                              conversation_id=conversation.id, before_id=before_id)
    for position, message in enumerate(waiting):
        ticket = await in_transaction(db_session, _ticket_for_stored, db_session=db_session,
                                      conversation=conversation, waiting=waiting[position:],
                                      hand_over_before=hand_over_before, responses=responses, translator=translator)
        if ticket is not None:
            return ticket
        await answer_flow(db_session=db_session, conversation=conversation, shopper_message=message,
                          rasa_text=as_understood_text(message.text_en or message.text, None),
                          original_text=message.text, customer_token=None, rasa=rasa, responses=responses,
                          translator=translator)
    if not waiting:
        return None
    return await in_thread(handoff_service.open_ticket_of, db_session=db_session, conversation_id=conversation.id)


def _ticket_for_stored(
    *, db_session: Session, conversation: Conversation, waiting: list[Message], hand_over_before: datetime | None,
    responses: ResponseCatalog, translator: TranslationService,
) -> Ticket | None:
    """The person's ticket the first of the `waiting` messages goes to, with the rest: the open one, or one opened
    as it waited too long. None while the assistant is to answer it."""
    ticket = handoff_service.open_ticket_of(db_session=db_session, conversation_id=conversation.id)
    if ticket is None and hand_over_before is not None and as_utc(waiting[0].created_at) < hand_over_before:
        ticket = hand_over(db_session=db_session, conversation=conversation, reason="assistant_unavailable",
                           replies=[], responses=responses, translator=translator)
    if ticket is not None:
        for message in waiting:
            message.delivered = True
    return ticket


def as_utc(moment: datetime) -> datetime:
    """SQLite gives back naive UTC timestamps; PostgreSQL aware ones."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass
class Arrival:
    conversation: Conversation
    #: the conversation's secret, when this turn started it
    issued_token: str | None
    detection: Detection
    shopper_message: Message
    #: the ticket a person has the conversation under, if any
    ticket: Ticket | None


def store_arrival(
    *, db_session: Session, request: ChatRequest, channel: str, conversation: Conversation | None,
    payload: str | None, customer_id: int | None, responses: ResponseCatalog,
) -> Arrival:
    """The conversation (started now if `conversation` is None), the language to answer in, and the shopper's
    message stored before anything can fail (it is never lost; a click as the button's title); committed, or
    nothing stored."""
    new = conversation is None
    issued_token = None
    if conversation is None:
        conversation, issued_token = start_conversation(db_session=db_session, sender_id=request.sender_id,
                                                        channel=channel)
    detection = update_conversation_language(request.language, "" if payload else request.text, conversation,
                                             new=new)
    language = detection.language
    if customer_id is not None:
        conversation.customer_id = customer_id
    shown, shown_en = request.text, request.text if language == BOT_LANGUAGE else None
    if payload:
        shown, shown_en = shown_text(payload, language, responses, conversation_service.last_response_key(
            db_session=db_session, conversation_id=conversation.id))
    ticket = None if new else handoff_service.open_ticket_of(db_session=db_session, conversation_id=conversation.id)
    # Unanswered until its replies are stored (unless it goes to a person's ticket): if this process dies
    # mid-turn, the replay of a running gateway answers it
    shopper_message = conversation_service.add_message(
        db_session=db_session, conversation=conversation, role="shopper", text=shown, language=language,
        text_en=shown_en, delivered=ticket is not None,
    )
    # (committed before any await: no pooled connection is held while waiting for MT or Rasa)
    db_session.commit()
    return Arrival(conversation, issued_token, detection, shopper_message, ticket)


@timed_turn
async def handle_message_flow(
    *, request: ChatRequest, channel: str, db_session: Session, rasa: RasaClient, responses: ResponseCatalog,
    translator: TranslationService, conversation_token: str | None = None,
) -> ChatResponse:
    """One shopper turn, in the shopper's language."""
    ticket: Ticket | None = None
    async with conversation_lock(request.sender_id):
        # Identify the shopper the shop vouches for, if any
        customer_id = verify_customer(request.customer_token)

        # Find the conversation (only its owner reaches it) and the language to answer in
        existing = await existing_conversation(db_session=db_session, sender_id=request.sender_id, channel=channel,
                                               conversation_token=conversation_token)
        # A quick-reply click (`/affirm`) says nothing about the language and reaches Rasa as it is
        payload = pressed(request.text)
        arrival = await in_thread(store_arrival, db_session=db_session, request=request, channel=channel,
                                  conversation=existing, payload=payload, customer_id=customer_id,
                                  responses=responses)
        conversation, issued_token, detection = arrival.conversation, arrival.issued_token, arrival.detection
        shopper_message, ticket = arrival.shopper_message, arrival.ticket
        language = detection.language

        # While a person has the conversation, the assistant stays silent: the message goes to the ticket
        if ticket is not None:
            if language != BOT_LANGUAGE:
                translate_for_agents_later(shopper_message.id, request.text, language, translator)
            return ChatResponse(language=language, messages=[], handoff=Handoff(ticket_id=ticket.id),
                                conversation_token=issued_token)

        # The answer to the satisfaction question is recorded and thanked for; anything else goes on as usual
        rated = await in_transaction(db_session, csat_flows.answer_flow, db_session=db_session,
                                     conversation=conversation, shopper_message=shopper_message, text=request.text,
                                     responses=responses, translator=translator)
        if rated is not None:
            return rated.model_copy(update={"conversation_token": issued_token})

        # Written in a language the shop does not serve: say which ones it does, in the conversation's language
        if detection.unsupported:
            response = await in_thread(language_not_supported, db_session, conversation, shopper_message,
                                       detection.unsupported, responses=responses, translator=translator)
            return response.model_copy(update={"conversation_token": issued_token})

        # Give Rasa the text it understands best: English MT where it helps, else the original
        inbound = None if payload else await english_for_understanding(request.text, language, translator)
        text_en = request.text if language == BOT_LANGUAGE else (inbound.text if inbound else None)
        if inbound is not None:
            shopper_message.text_en = inbound.text
            shopper_message.translation_backend = inbound.backend
            shopper_message.translation_ms = inbound.milliseconds
        # (committed before Rasa is asked: on SQLite an open write would block Rasa's own tracker writes)
        await in_thread(db_session.commit)

        # Answer, in order, what was stored while the assistant was down, then this message; if the assistant
        # is down, the message is kept and answered once it is back (gateway/replay.py)
        replies: list[Reply] = []
        try:
            ticket = await answer_stored_flow(db_session=db_session, conversation=conversation, rasa=rasa,
                                              responses=responses, translator=translator,
                                              before_id=shopper_message.id)
            if ticket is None:
                replies, ticket = await answer_flow(
                    db_session=db_session, conversation=conversation, shopper_message=shopper_message,
                    rasa_text=as_understood_text(text_en or request.text, payload), original_text=request.text,
                    customer_token=request.customer_token, rasa=rasa, responses=responses, translator=translator)
                # A conversation the assistant resolved alone may end with the satisfaction question (shop setting)
                question = await in_transaction(
                    db_session, csat_flows.ask_after_resolution_flow, db_session=db_session, conversation=conversation,
                    shopper_message=shopper_message, ticket=ticket, responses=responses,
                    translator=translator)
                if question is not None:
                    replies.append(question)
        except RasaUnavailable as error:
            logger.error("assistant unavailable for %s: %s", request.sender_id, error)
            RASA_ERRORS.inc()
            replies = [await in_transaction(db_session, store_offline, db_session=db_session,
                                            conversation=conversation, shopper_message=shopper_message,
                                            responses=responses, translator=translator)]
        language = conversation.language  # every phase above committed its writes

        # Off the critical path: English of the shopper's message for agents; a shorter Rasa session
        if text_en is None and not payload:
            translate_for_agents_later(shopper_message.id, request.text, language, translator)
        if should_roll_rasa_session(conversation.rasa_session_turns, shopper_message.delivered, replies):
            roll_rasa_session_later(request.sender_id, rasa)

    return ChatResponse(
        language=language,
        messages=[ChatMessage(text=reply.text, text_en=reply.text_en,
                              buttons=buttons_for(reply.response_key, language, responses)) for reply in replies],
        handoff=Handoff(ticket_id=ticket.id) if ticket is not None else None,
        conversation_token=issued_token,
    )
