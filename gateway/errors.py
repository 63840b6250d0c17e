"""Every error the gateway answers with, in one JSON shape: `{"error": {"code", "message"}}`.

Domain packages raise their own exceptions and know nothing of HTTP; `DOMAIN_ERRORS` maps them to a status and
code by exception type, once. A subclass without its own entry is answered as its nearest mapped base
(Starlette looks handlers up along the exception's MRO), so renaming a class cannot silently change its status.
"""

import logging
from collections.abc import Callable, Sequence

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from canned.exceptions import CannedReplyNotFound, InvalidCannedReply, MissingValue
from conversations.exceptions import ConversationNotFound
from gateway.exceptions import GatewayError, RetryLater
from handoff.exceptions import AgentNotFound, TicketClosed, TicketNotFound, UserExists, UserNotFound, WeakPassword
from learning.evaluate import InvalidEvaluationData
from learning.exceptions import (
    ActivationRefused,
    InvalidTrainingData,
    JobConflict,
    LearningError,
    ModelSwitchFailed,
    NotFound,
    UnknownIntent,
)
from privacy.exceptions import SubjectNotFound
from proactive.channel_rules import OutsideWindow
from proactive.exceptions import BadEventSignature, EventsNotConfigured, InvalidEvent

logger = logging.getLogger(__name__)

NOT_FOUND_MESSAGE = "no such conversation (a conversation needs the secret it was created with)"

#: Exceptions of the domain packages: (status, code, the message for the client from the exception).
DOMAIN_ERRORS: dict[type[Exception], tuple[int, str, Callable[[Exception], str]]] = {
    ConversationNotFound: (404, "conversation_not_found", lambda _error: NOT_FOUND_MESSAGE),
    TicketNotFound: (404, "ticket_not_found", lambda error: f"no ticket {error}"),
    TicketClosed: (409, "ticket_closed", lambda error: f"ticket {error} is closed"),
    AgentNotFound: (404, "agent_not_found", lambda error: f"no agent {error}"),
    UserNotFound: (404, "user_not_found", str),
    UserExists: (409, "user_exists", str),
    WeakPassword: (422, "weak_password", str),
    LearningError: (422, "invalid_request", str),
    InvalidTrainingData: (422, "invalid_training_data", str),
    InvalidEvaluationData: (422, "invalid_evaluation_data", str),
    UnknownIntent: (422, "unknown_intent", str),
    NotFound: (404, "not_found", str),
    JobConflict: (409, "job_running", str),
    ActivationRefused: (409, "activation_refused", str),
    ModelSwitchFailed: (502, "model_switch_failed", str),
    CannedReplyNotFound: (404, "canned_reply_not_found", lambda error: f"no canned reply {error}"),
    InvalidCannedReply: (422, "invalid_canned_reply", str),
    MissingValue: (422, "missing_value", str),
    SubjectNotFound: (404, "subject_not_found", str),
    EventsNotConfigured: (404, "shop_events_not_configured", str),
    BadEventSignature: (403, "invalid_signature", str),
    InvalidEvent: (422, "invalid_event", str),
}
HTTP_ERROR_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}


def error_response(status_code: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status_code, content={"error": {"code": code, "message": message}},
                        headers=headers)


def describe_validation_error(error: dict) -> str:
    """One pydantic error as a client reads it: where, and what is wrong."""
    location = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
    if error.get("type") == "json_invalid":
        return "the request body is not valid JSON"
    if error.get("type") == "extra_forbidden":
        return f"unknown field: {location}"
    return f"{location}: {error.get('msg')}" if location else str(error.get("msg"))


def describe_validation_errors(errors: Sequence) -> str:
    return "; ".join(describe_validation_error(error) for error in errors)


def _domain_error_handler(status_code: int, code: str, message: Callable[[Exception], str]):
    async def handle(_request: Request, error: Exception) -> JSONResponse:
        return error_response(status_code, code, message(error))
    return handle


# Starlette types every handler as taking Exception; each is registered for one type only.
async def _gateway_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, GatewayError)
    retry_after = {"Retry-After": str(error.retry_after)} if isinstance(error, RetryLater) else None
    return error_response(error.status_code, error.code, error.message, headers=retry_after)


async def _outside_window(_request: Request, error: Exception) -> JSONResponse:
    """An agent's reply a messaging platform would refuse now; the templates that may be sent instead."""
    assert isinstance(error, OutsideWindow)
    templates = f" Templates for this shopper: {', '.join(error.templates)}." if error.templates else ""
    return JSONResponse(status_code=409, content={"error": {
        "code": "outside_service_window", "message": f"{error}{templates}", "templates": error.templates}})


async def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = error.errors()
    code = "invalid_json" if any(e.get("type") == "json_invalid" for e in errors) else "invalid_request"
    return error_response(422 if code == "invalid_request" else 400, code, describe_validation_errors(errors))


async def _http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 400:  # FastAPI could not decode the body at all (e.g. invalid UTF-8)
        return error_response(400, "invalid_body", "the request body could not be read as UTF-8 JSON")
    return error_response(error.status_code, HTTP_ERROR_CODES.get(error.status_code, "http_error"), str(error.detail))


async def _unexpected_error(request: Request, _error: Exception) -> JSONResponse:
    # The process boundary of a request: a bug answers 500 in the JSON shape, logged with its traceback.
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(500, "internal_error", "something went wrong on our side; please try again")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(GatewayError, _gateway_error)
    for exception_type, (status_code, code, message) in DOMAIN_ERRORS.items():
        app.add_exception_handler(exception_type, _domain_error_handler(status_code, code, message))
    app.add_exception_handler(OutsideWindow, _outside_window)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
