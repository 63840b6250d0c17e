"""Background jobs of the gateway for handed-over conversations: the helpdesk webhook outbox, and telling
shoppers whose ticket nobody claimed that they are still in the queue."""

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import httpx
from anyio import to_thread
from sqlalchemy.exc import SQLAlchemyError

from conversations import service as conversation_service
from database.core import session_scope
from gateway.replies import send_reply
from handoff import service as handoff_service
from handoff import webhooks
from handoff.settings import HandoffSettings
from translation.responses import ResponseCatalog
from translation.service import TranslationService

logger = logging.getLogger(__name__)


def deliver_webhooks_once(client: httpx.Client, settings: HandoffSettings) -> None:
    with session_scope() as db_session:
        webhooks.deliver_due(db_session=db_session, client=client, url=settings.webhook_url,
                             secret=settings.webhook_secret.get_secret_value(),
                             max_backoff=settings.webhook_max_backoff_seconds)


def notify_unclaimed_once(settings: HandoffSettings, responses: ResponseCatalog, translator: TranslationService) -> int:
    """Tell each shopper whose ticket is still unclaimed after the configured time; returns how many."""
    before = datetime.now(UTC) - timedelta(minutes=settings.unclaimed_notice_minutes)
    with session_scope() as db_session:
        tickets = handoff_service.unclaimed_since(db_session=db_session, before=before)
        for ticket in tickets:
            conversation = conversation_service.get_by_id_or_raise(db_session=db_session,
                                                                   conversation_id=ticket.conversation_id)
            send_reply(db_session=db_session, conversation=conversation, payload={"response": "utter_handoff_waiting"},
                       responses=responses, translator=translator)
            ticket.waiting_notice_at = datetime.now(UTC)
        return len(tickets)


async def run_handoff_jobs(settings: HandoffSettings, responses: ResponseCatalog, translator: TranslationService,
                           interval: float = 5.0) -> None:
    """Forever, every few seconds: drain the webhook outbox (if configured) and send waiting notices."""
    with httpx.Client(timeout=10.0) as client:
        while True:
            try:
                if settings.webhook_url:
                    await to_thread.run_sync(lambda: deliver_webhooks_once(client, settings))
                await to_thread.run_sync(lambda: notify_unclaimed_once(settings, responses, translator))
            except (SQLAlchemyError, httpx.HTTPError) as error:
                logger.warning("handoff background job failed, retrying: %s", error)
            await asyncio.sleep(interval)
