"""The gateway application: routers, shared clients and the one place where errors become JSON."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from anyio import to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from assistant.rasa_client import RasaClient
from channels.outbox import run_delivery
from channels.registry import configured_platforms
from channels.settings import get_channel_queue_settings
from database.core import session_scope
from gateway.body_limit import BodyLimitMiddleware
from gateway.broadcast import Broadcast
from gateway.channel_flows import handle_unfinished
from gateway.errors import install_error_handlers
from gateway.handoff_jobs import run_handoff_jobs
from gateway.live import live_messages, poll_other_processes, watch_commits
from gateway.replay import run_replay
from gateway.routes import (
    admin,
    analytics,
    audit,
    auth,
    canned,
    channels,
    chat,
    conversations,
    health,
    metrics,
    pages,
    parse,
    privacy,
    shop_events,
    tickets,
    users,
    widget_socket,
)
from gateway.security_headers import SecurityHeadersMiddleware
from gateway.settings import get_settings
from handoff.settings import get_settings as get_handoff_settings
from learning import jobs as learning_jobs
from privacy.jobs import run_retention
from privacy.settings import get_settings as get_privacy_settings
from proactive.jobs import run_proactive_jobs
from translation.responses import BOT_LANGUAGE, get_catalog
from translation.service import get_translation_service
from translation.settings import get_settings as get_translation_settings

logger = logging.getLogger(__name__)

def _report_languages(app: FastAPI) -> None:
    for language in get_translation_settings().languages:
        if language == BOT_LANGUAGE:
            continue
        if language not in app.state.responses.languages:
            logger.warning("%s: no localized responses; replies are machine-translated or English", language)
        if app.state.translator.backend_for(src_lang=language, tgt_lang=BOT_LANGUAGE) is None:
            logger.warning("%s: no translation model installed; understood through the multilingual encoder, "
                           "live translation for agents is off (shopbot models download %s)", language, language)


async def _reload_admin_responses(app: FastAPI) -> None:
    """Another replica changed the admin-written responses."""
    def reload() -> None:
        with session_scope() as db_session:
            admin.refresh_admin_responses(db_session, app.state.responses)

    await to_thread.run_sync(reload)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    app.state.rasa = RasaClient(settings.rasa_url, timeout=settings.rasa_timeout_seconds)
    app.state.rasa_replicas = [RasaClient(url) for url in settings.rasa_replica_urls]
    app.state.responses = get_catalog()
    app.state.translator = get_translation_service()
    _report_languages(app)
    handoff = get_handoff_settings()
    if handoff.webhook_url and handoff.webhook_secret is None:
        raise RuntimeError("HANDOFF_WEBHOOK_URL is set but HANDOFF_WEBHOOK_SECRET is not")
    jobs = asyncio.create_task(run_handoff_jobs(handoff, app.state.responses, app.state.translator))
    await _reload_admin_responses(app)
    learning_worker = asyncio.create_task(learning_jobs.run_worker())
    platforms = configured_platforms()
    logger.info("messaging channels: %s", ", ".join(platforms) or "none configured")
    channel_tasks = [
        asyncio.create_task(run_delivery(platforms, get_channel_queue_settings())),
        asyncio.create_task(handle_unfinished(get_channel_queue_settings(), rasa=app.state.rasa,
                                              responses=app.state.responses, translator=app.state.translator)),
    ] if platforms else []
    proactive_jobs = asyncio.create_task(run_proactive_jobs())
    watch_commits()
    broadcast = app.state.broadcast = Broadcast(settings.redis_url) if settings.redis_url else None
    live_messages.start(broadcast.new_messages if broadcast else None)
    live_poll = asyncio.create_task(poll_other_processes(settings.live_poll_seconds))
    listening = asyncio.create_task(broadcast.listen(
        on_messages=live_messages.wake, on_responses=partial(_reload_admin_responses, app))) if broadcast else None
    replay = asyncio.create_task(run_replay(settings, rasa=app.state.rasa, responses=app.state.responses,
                                            translator=app.state.translator))
    privacy_settings = get_privacy_settings()
    retention = (asyncio.create_task(run_retention(privacy_settings))
                 if privacy_settings.retention_days is not None else None)
    yield
    replay.cancel()
    if retention is not None:
        retention.cancel()
    jobs.cancel()
    learning_worker.cancel()
    for task in channel_tasks:
        task.cancel()
    live_poll.cancel()
    if broadcast is not None and listening is not None:
        listening.cancel()
        await broadcast.close()
    proactive_jobs.cancel()
    for rasa in [app.state.rasa, *app.state.rasa_replicas]:
        await rasa.close()


def create_app() -> FastAPI:
    app = FastAPI(
        title="shopbot gateway",
        version="0.1.0",
        description="Multilingual shop assistant: chat, NLU parse, conversations and health.",
        lifespan=lifespan,
    )
    for module in (chat, parse, conversations, tickets, canned, admin, privacy, users, audit, auth, health, pages,
                   widget_socket, channels, analytics, metrics, shop_events):
        app.include_router(module.router)
    app.add_middleware(SecurityHeadersMiddleware)
    # The web widget runs on the shop's pages: its HTTP calls (history, polling fallback) are cross-origin.
    # Only the origins the shop lists may make them (same-origin pages need no CORS).
    app.add_middleware(CORSMiddleware, allow_origins=get_settings().widget_origins, allow_methods=["GET", "POST"],
                       allow_headers=["Content-Type", "X-Conversation-Token"], expose_headers=["Retry-After"])
    app.add_middleware(BodyLimitMiddleware)

    install_error_handlers(app)
    return app


app = create_app()
