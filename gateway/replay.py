"""Messages stored while the assistant was down are answered once it is back, in order per conversation; one
that waited longer than `GATEWAY_REPLAY_HANDOFF_AFTER_SECONDS` goes to a person instead. The replies reach the
shopper like any other (widget socket, messaging channel outbox)."""

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError

from assistant.rasa_client import RasaClient, RasaUnavailable
from conversations import service as conversation_service
from database.core import get_session_factory, session_scope
from gateway.blocking import in_thread
from gateway.conversation_lock import ConversationBusy, conversation_lock
from gateway.flows import answer_stored_flow
from gateway.settings import GatewaySettings
from translation.responses import ResponseCatalog
from translation.service import TranslationService

logger = logging.getLogger(__name__)

#: A conversation in the middle of a turn is left to the next pass rather than waited for.
LOCK_WAIT_SECONDS = 1.0


def _now() -> datetime:
    return datetime.now(UTC)


def _senders_waiting() -> list[str]:
    with session_scope() as db_session:
        return conversation_service.senders_with_stored_messages(db_session=db_session)


async def replay_stored_flow(
    *, rasa: RasaClient, responses: ResponseCatalog, translator: TranslationService, handoff_after: timedelta,
    now: Callable[[], datetime] = _now,
) -> list[str]:
    """One pass over every conversation with stored messages, the longest-waiting first; returns the
    conversations caught up. Stops at the first sign that the assistant is still down."""
    senders = await in_thread(_senders_waiting)
    caught_up = []
    for sender_id in senders:
        try:
            async with conversation_lock(sender_id, wait_seconds=LOCK_WAIT_SECONDS):
                with get_session_factory()() as db_session:
                    conversation = await in_thread(conversation_service.get, db_session=db_session,
                                                   sender_id=sender_id)
                    if conversation is None:  # erased meanwhile
                        continue
                    await answer_stored_flow(db_session=db_session, conversation=conversation, rasa=rasa,
                                             responses=responses, translator=translator,
                                             hand_over_before=now() - handoff_after)
        except ConversationBusy:  # a turn is being answered (here or on another replica): next pass
            continue
        except RasaUnavailable as error:
            logger.info("assistant still unavailable, stored messages wait: %s", error)
            break
        caught_up.append(sender_id)
    if caught_up:
        logger.info("answered the stored messages of %d conversation(s)", len(caught_up))
    return caught_up


async def run_replay(settings: GatewaySettings, *, rasa: RasaClient, responses: ResponseCatalog,
                     translator: TranslationService) -> None:
    """Look for stored messages every `replay_interval_seconds` for as long as the gateway runs."""
    handoff_after = timedelta(seconds=settings.replay_handoff_after_seconds)
    while True:
        try:
            await replay_stored_flow(rasa=rasa, responses=responses, translator=translator,
                                     handoff_after=handoff_after)
        except SQLAlchemyError as error:
            logger.warning("could not answer stored messages this time: %s", error)
        await asyncio.sleep(settings.replay_interval_seconds)
