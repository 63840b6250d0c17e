"""The gateway application: routers, shared clients and the one place where errors become JSON."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from channels.outbox import run_delivery
from channels.registry import configured_platforms
from channels.settings import get_channel_queue_settings
from conversations.exceptions import ConversationNotFound
from database.core import session_scope
from gateway.channel_flows import handle_unfinished
from gateway.exceptions import GatewayError, RetryLater
from gateway.handoff_jobs import run_handoff_jobs
from gateway.live import poll_other_processes, watch_commits
from gateway.rasa_client import RasaClient
from gateway.routes import (
    admin,
    audit,
    auth,
    channels,
    chat,
    conversations,
    health,
    pages,
    parse,
    shop_events,
    tickets,
    users,
    widget_socket,
)
from gateway.security_headers import SecurityHeadersMiddleware
from gateway.settings import get_settings
from handoff.exceptions import AgentNotFound, TicketClosed, TicketNotFound, UserExists, UserNotFound, WeakPassword
from handoff.settings import get_settings as get_handoff_settings
from learning import jobs as learning_jobs
from learning.exceptions import LearningError
from proactive.channel_rules import OutsideWindow
from proactive.exceptions import BadEventSignature, EventsNotConfigured, InvalidEvent
from proactive.jobs import run_proactive_jobs
from translation.responses import BOT_LANGUAGE, get_catalog
from translation.service import get_translation_service
from translation.settings import get_settings as get_translation_settings

logger = logging.getLogger(__name__)

#: Errors of the admin API (learning package): status and code by exception class.
LEARNING_ERRORS = {
    "InvalidTrainingData": (422, "invalid_training_data"),
    "InvalidEvaluationData": (422, "invalid_evaluation_data"),
    "UnknownIntent": (422, "unknown_intent"),
    "NotFound": (404, "not_found"),
    "JobConflict": (409, "job_running"),
    "ActivationRefused": (409, "activation_refused"),
    "ModelSwitchFailed": (502, "model_switch_failed"),
}
#: Errors of the account endpoints (handoff package): status and code by exception class.
ACCOUNT_ERRORS = {UserNotFound: (404, "user_not_found"), UserExists: (409, "user_exists"),
                  WeakPassword: (422, "weak_password")}
#: Errors of the shop-events endpoint (proactive package).
SHOP_EVENT_ERRORS = {EventsNotConfigured: (404, "shop_events_not_configured"),
                     BadEventSignature: (403, "invalid_signature"), InvalidEvent: (422, "invalid_event")}
HTTP_ERROR_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}


def error_response(status_code: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status_code, content={"error": {"code": code, "message": message}},
                        headers=headers)


def _describe(error: dict) -> str:
    location = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
    if error.get("type") == "json_invalid":
        return "the request body is not valid JSON"
    if error.get("type") == "extra_forbidden":
        return f"unknown field: {location}"
    return f"{location or 'body'}: {error.get('msg')}"


def _report_languages(app: FastAPI) -> None:
    for language in get_translation_settings().languages:
        if language == BOT_LANGUAGE:
            continue
        if language not in app.state.responses.languages:
            logger.warning("%s: no localized responses; replies are machine-translated or English", language)
        if app.state.translator.backend_for(src_lang=language, tgt_lang=BOT_LANGUAGE) is None:
            logger.warning("%s: no translation model installed; understood through the multilingual encoder, "
                           "live translation for agents is off (shopbot models download %s)", language, language)


def _account_error_handler(status_code: int, code: str):
    async def handle(_request: Request, error: Exception) -> JSONResponse:
        return error_response(status_code, code, str(error))
    return handle


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    app.state.rasa = RasaClient(settings.rasa_url, timeout=settings.rasa_timeout_seconds)
    app.state.responses = get_catalog()
    app.state.translator = get_translation_service()
    _report_languages(app)
    handoff = get_handoff_settings()
    if handoff.webhook_url and handoff.webhook_secret is None:
        raise RuntimeError("HANDOFF_WEBHOOK_URL is set but HANDOFF_WEBHOOK_SECRET is not")
    jobs = asyncio.create_task(run_handoff_jobs(handoff, app.state.responses, app.state.translator))
    with session_scope() as db_session:
        admin.refresh_admin_responses(db_session, app.state.responses)
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
    live_poll = asyncio.create_task(poll_other_processes(settings.live_poll_seconds))
    yield
    jobs.cancel()
    learning_worker.cancel()
    for task in channel_tasks:
        task.cancel()
    live_poll.cancel()
    proactive_jobs.cancel()
    await app.state.rasa.close()


def create_app() -> FastAPI:
    app = FastAPI(
        title="shopbot gateway",
        version="0.1.0",
        description="Multilingual shop assistant: chat, NLU parse, conversations and health.",
        lifespan=lifespan,
    )
    for module in (chat, parse, conversations, tickets, admin, users, audit, auth, health, pages, widget_socket,
                   channels, shop_events):
        app.include_router(module.router)
    app.add_middleware(SecurityHeadersMiddleware)
    # The web widget runs on the shop's pages: its HTTP calls (history, polling fallback) are cross-origin.
    # Only the origins the shop lists may make them (same-origin pages need no CORS).
    app.add_middleware(CORSMiddleware, allow_origins=get_settings().widget_origins, allow_methods=["GET", "POST"],
                       allow_headers=["Content-Type", "X-Conversation-Token"], expose_headers=["Retry-After"])

    @app.middleware("http")
    async def limit_body_size(request: Request, call_next):
        length = request.headers.get("content-length")
        limit = (get_settings().max_admin_body_bytes if request.url.path.startswith("/api/v1/admin/")
                 else get_settings().max_body_bytes)
        if length and length.isdigit() and int(length) > limit:
            return error_response(413, "body_too_large", f"request bodies are limited to {limit} bytes")
        return await call_next(request)

    @app.exception_handler(GatewayError)
    async def gateway_error(_request: Request, error: GatewayError) -> JSONResponse:
        retry_after = {"Retry-After": str(error.retry_after)} if isinstance(error, RetryLater) else None
        return error_response(error.status_code, error.code, error.message, headers=retry_after)

    @app.exception_handler(ConversationNotFound)
    async def conversation_not_found(_request: Request, _error: ConversationNotFound) -> JSONResponse:
        return error_response(404, "conversation_not_found",
                              "no such conversation (a conversation needs the secret it was created with)")

    @app.exception_handler(TicketNotFound)
    async def ticket_not_found(_request: Request, error: TicketNotFound) -> JSONResponse:
        return error_response(404, "ticket_not_found", f"no ticket {error}")

    @app.exception_handler(LearningError)
    async def learning_error(_request: Request, error: LearningError) -> JSONResponse:
        status_code, code = LEARNING_ERRORS.get(type(error).__name__, (422, "invalid_request"))
        return error_response(status_code, code, str(error))

    @app.exception_handler(AgentNotFound)
    async def agent_not_found(_request: Request, error: AgentNotFound) -> JSONResponse:
        return error_response(404, "agent_not_found", f"no agent {error}")

    for account_error, (account_status, account_code) in (ACCOUNT_ERRORS | SHOP_EVENT_ERRORS).items():
        app.add_exception_handler(account_error, _account_error_handler(account_status, account_code))

    @app.exception_handler(OutsideWindow)
    async def outside_window(_request: Request, error: OutsideWindow) -> JSONResponse:
        templates = f" Templates for this shopper: {', '.join(error.templates)}." if error.templates else ""
        return JSONResponse(status_code=409, content={"error": {
            "code": "outside_service_window", "message": f"{error}{templates}", "templates": error.templates}})

    @app.exception_handler(TicketClosed)
    async def ticket_closed(_request: Request, error: TicketClosed) -> JSONResponse:
        return error_response(409, "ticket_closed", f"ticket {error} is closed")

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
        errors = error.errors()
        code = "invalid_json" if any(e.get("type") == "json_invalid" for e in errors) else "invalid_request"
        return error_response(422 if code == "invalid_request" else 400, code,
                              "; ".join(_describe(e) for e in errors))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 400:  # FastAPI could not decode the body at all (e.g. invalid UTF-8)
            return error_response(400, "invalid_body", "the request body could not be read as UTF-8 JSON")
        code = HTTP_ERROR_CODES.get(error.status_code, "http_error")
        return error_response(error.status_code, code, str(error.detail))

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, error: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "something went wrong on our side; please try again")

    return app


app = create_app()
