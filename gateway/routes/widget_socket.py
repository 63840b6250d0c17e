"""The web widget's WebSocket: shopper messages in; the conversation's new messages (the assistant's replies,
agents' messages, notices) pushed out as they are stored.

Frames, all JSON text:
- client → gateway: `{"type": "message", "text": str, "language": str | null, "customer_token": str | null}`
- gateway → client: `{"type": "message", "message": {id, role, text, language, buttons, handoff, ...}}` for
  every new message of the conversation, in order; `{"type": "reply", "language", "handoff"}` when a turn is
  done (after its messages); `{"type": "error", "error": {"code", "message"}}` for a bad frame (the socket
  stays open).
The socket opens an existing conversation: its random sender id (`?sender_id=`, 128 bits or more) and its
secret (`?token=`, returned by the first `POST /api/v1/chat`); otherwise an error frame
`conversation_not_found` and the socket is closed. `?after=ID` resumes after the last message the client has.
Message frames count against the client's and the conversation's rate limits (over one: an error frame
`rate_limited` with `retry_after` seconds).
"""

import asyncio
import json
import logging
import re
from typing import Any, Literal

from anyio import to_thread
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import Field, ValidationError

from conversations import service as conversation_service
from conversations.exceptions import ConversationNotFound
from database.core import get_session_factory
from gateway.errors import describe_validation_errors
from gateway.exceptions import GatewayError
from gateway.flows import handle_message_flow
from gateway.live import live_messages
from gateway.rate_limits import RateLimited, limit_client
from gateway.schemas import ChatRequest, StrictBody
from gateway.settings import get_settings
from gateway.transcript import shown_message
from gateway.validation import check_message_text

logger = logging.getLogger(__name__)

router = APIRouter(tags=["widget"])

#: The widget makes 32 random hex digits (plus a prefix); shorter ids could be guessed.
WIDGET_SENDER_ID = re.compile(r"[A-Za-z0-9_\-]{32,128}")
POLICY_VIOLATION = 1008


class WidgetFrame(StrictBody):
    type: Literal["message"]
    text: str
    language: str | None = Field(default=None, max_length=16)
    customer_token: str | None = Field(default=None, max_length=512)


def error_frame(code: str, message: str, **details: Any) -> dict[str, Any]:
    return {"type": "error", "error": {"code": code, "message": message, **details}}


def gateway_error_frame(error: GatewayError) -> dict[str, Any]:
    if isinstance(error, RateLimited):
        return error_frame(error.code, error.message, retry_after=error.retry_after)
    return error_frame(error.code, error.message)


NOT_FOUND_FRAME = error_frame("conversation_not_found",
                              "no such conversation (a conversation needs the secret it was created with)")


class WidgetConnection:
    """One open widget: the last message id it was sent, and one sender at a time on the socket."""

    def __init__(self, websocket: WebSocket, sender_id: str, token: str, cursor: int) -> None:
        self.websocket = websocket
        self.sender_id = sender_id
        self.token = token
        self.cursor = cursor
        self._sending = asyncio.Lock()

    def _new_messages(self) -> list[dict[str, Any]]:
        responses = self.websocket.app.state.responses
        with get_session_factory()() as db_session:
            messages = conversation_service.list_messages(db_session=db_session, sender_id=self.sender_id,
                                                          after_id=self.cursor)
            return [shown_message(m, responses).model_dump(mode="json") for m in messages]

    async def send_new_messages(self, then: dict[str, Any] | None = None) -> None:
        """Every message stored since the last one sent, then (optionally) one more frame."""
        async with self._sending:
            for message in await to_thread.run_sync(self._new_messages):
                await self.websocket.send_json({"type": "message", "message": message})
                self.cursor = message["id"]
            if then is not None:
                await self.websocket.send_json(then)

    async def push_when_woken(self, woken: asyncio.Event) -> None:
        try:
            while True:
                await woken.wait()
                woken.clear()
                await self.send_new_messages()
        except (WebSocketDisconnect, RuntimeError):  # closed while sending; the receiving side ends the socket
            return

    def _request(self, raw: str) -> ChatRequest:
        """The chat request a frame asks for; GatewayError, ValidationError or ValueError if it is bad."""
        frame = WidgetFrame.model_validate(json.loads(raw))
        check_message_text(frame.text, get_settings().max_message_chars)
        return ChatRequest(sender_id=self.sender_id, text=frame.text, language=frame.language,
                           customer_token=frame.customer_token)

    async def take_turn(self, raw: str) -> None:
        try:
            await limit_client(self.websocket)
            request = self._request(raw)
        except (json.JSONDecodeError, RecursionError):
            return await self.send_new_messages(error_frame("invalid_json", "the frame is not valid JSON"))
        except ValidationError as error:
            frame = error_frame("invalid_frame", describe_validation_errors(error.errors()))
            return await self.send_new_messages(frame)
        except GatewayError as error:
            return await self.send_new_messages(gateway_error_frame(error))
        state = self.websocket.app.state
        try:
            with get_session_factory()() as db_session:
                response = await handle_message_flow(request=request, channel="web", db_session=db_session,
                                                     rasa=state.rasa, responses=state.responses,
                                                     translator=state.translator, conversation_token=self.token)
        except GatewayError as error:
            return await self.send_new_messages(gateway_error_frame(error))
        except ConversationNotFound:
            return await self.send_new_messages(NOT_FOUND_FRAME)
        except Exception:  # the socket outlives one failed turn; the error is logged like the HTTP API's
            logger.exception("unhandled error in a widget turn of %s", self.sender_id)
            return await self.send_new_messages(error_frame("internal_error",
                                                            "something went wrong on our side; please try again"))
        await self.send_new_messages({"type": "reply", "language": response.language,
                                      "handoff": response.handoff.model_dump() if response.handoff else None})

    async def receive_frames(self) -> None:
        limit = get_settings().max_body_bytes
        while True:
            frame = await self.websocket.receive()
            if frame["type"] == "websocket.disconnect":
                return
            raw = frame.get("text")
            if raw is None:
                await self.send_new_messages(error_frame("invalid_frame", "send JSON text frames"))
            elif len(raw.encode()) > limit:
                await self.send_new_messages(error_frame("frame_too_large", f"frames are limited to {limit} bytes"))
            else:
                await self.take_turn(raw)


def _owns(sender_id: str, token: str) -> bool:
    with get_session_factory()() as db_session:
        try:
            conversation_service.owned_or_raise(db_session=db_session, sender_id=sender_id, token=token)
        except ConversationNotFound:
            return False
        return True


async def _refuse(websocket: WebSocket, frame: dict[str, Any]) -> None:
    await websocket.send_json(frame)
    await websocket.close(code=POLICY_VIOLATION)


@router.websocket("/api/v1/ws")
async def widget_socket(websocket: WebSocket) -> None:
    await websocket.accept()
    sender_id = websocket.query_params.get("sender_id", "")
    token = websocket.query_params.get("token", "")
    if not WIDGET_SENDER_ID.fullmatch(sender_id):
        return await _refuse(websocket, error_frame("invalid_sender_id", "sender_id must be 32-128 random "
                                                                         "characters (letters, digits, '-' or '_')"))
    try:
        await limit_client(websocket)
    except RateLimited as error:
        return await _refuse(websocket, gateway_error_frame(error))
    if not await to_thread.run_sync(_owns, sender_id, token):
        return await _refuse(websocket, NOT_FOUND_FRAME)
    after = websocket.query_params.get("after", "0")
    connection = WidgetConnection(websocket, sender_id, token, int(after) if after.isdigit() else 0)
    woken = live_messages.subscribe(sender_id)
    pushes = asyncio.create_task(connection.push_when_woken(woken))
    try:
        await connection.send_new_messages()  # anything stored while the client was away
        await connection.receive_frames()
    except WebSocketDisconnect:
        pass
    finally:
        pushes.cancel()
        live_messages.unsubscribe(sender_id, woken)
