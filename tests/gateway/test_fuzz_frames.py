"""Property-based fuzzing of what schemathesis cannot reach: channel webhooks signed the way each platform signs
them, with recorded payloads bent out of shape, and widget socket frames. Never a 5xx (or a dropped socket),
every error in the JSON error shape, and a rejected webhook stores nothing."""

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from channels.models import ChannelDelivery
from conversations.models import Conversation
from database.core import session_scope
from runtime.processes import free_port
from tests.channels.fake_platform import (
    MESSENGER_APP_SECRET,
    MESSENGER_TOKEN,
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    VERIFY_TOKEN,
    WHATSAPP_APP_SECRET,
    WHATSAPP_TOKEN,
)
from tests.channels.webhooks import payload
from tests.gateway.conftest import gateway_environment, own_database, prepare_database, start_conversation

EXAMPLES = 120
UNLIMITED = "1000000/minute"
RECORDED = {
    "telegram": ["telegram_text", "telegram_callback_query", "telegram_sticker"],
    "whatsapp": ["whatsapp_text", "whatsapp_button_reply", "whatsapp_image", "whatsapp_status"],
    "messenger": ["messenger_text", "messenger_quick_reply", "messenger_image", "messenger_echo"],
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats(allow_nan=False)
    | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value inside a JSON document (keys and list indices)."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


def _bend(document: Any, path: tuple, replacement: Any, delete: bool) -> Any:
    if not path:
        return replacement
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    return document


@st.composite
def bent_payloads(draw, channel: str) -> dict[str, Any] | Any:
    """A recorded payload of `channel` with one to three values replaced by arbitrary JSON or removed."""
    document = payload(draw(st.sampled_from(RECORDED[channel])))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(document)
        path = draw(st.sampled_from(paths))
        document = _bend(document, path, draw(json_values), delete=bool(path) and draw(st.booleans()))
    return document


def _signed(channel: str, body: bytes) -> dict[str, str]:
    if channel == "telegram":
        return {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    secret = {"whatsapp": WHATSAPP_APP_SECRET, "messenger": MESSENGER_APP_SECRET}[channel]
    return {"X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


def _stored() -> tuple[int, int]:
    """What is stored, once the gateway finished handling the messages it accepted (in the background)."""
    deadline = time.monotonic() + 10
    with session_scope() as db_session:
        unfinished = (select(func.count()).select_from(ChannelDelivery)
                      .where(ChannelDelivery.inbound.is_not(None), ChannelDelivery.handled_at.is_(None),
                             ChannelDelivery.attempts == 0))
        while db_session.scalar(unfinished) and time.monotonic() < deadline:
            db_session.rollback()
            time.sleep(0.02)
        return tuple(db_session.scalar(select(func.count()).select_from(table))
                     for table in (ChannelDelivery, Conversation))


def _assert_error_shape(response) -> None:
    error = response.json()["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str)


@pytest.fixture(scope="module")
def gateway() -> Iterator[TestClient]:
    """The gateway with all three channels configured against platforms and a Rasa that are not listening."""
    nowhere = f"http://127.0.0.1:{free_port()}"
    env = {**own_database(), "GATEWAY_RASA_URL": nowhere, "GATEWAY_RATE_LIMIT_CLIENT": UNLIMITED,
           "GATEWAY_RATE_LIMIT_CONVERSATION": UNLIMITED,
           "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
           "TELEGRAM_API_BASE_URL": nowhere,
           "WHATSAPP_ACCESS_TOKEN": WHATSAPP_TOKEN, "WHATSAPP_APP_SECRET": WHATSAPP_APP_SECRET,
           "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN, "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
           "WHATSAPP_API_BASE_URL": nowhere,
           "MESSENGER_PAGE_ACCESS_TOKEN": MESSENGER_TOKEN, "MESSENGER_APP_SECRET": MESSENGER_APP_SECRET,
           "MESSENGER_VERIFY_TOKEN": VERIFY_TOKEN, "MESSENGER_API_BASE_URL": nowhere}
    with gateway_environment(env):
        prepare_database()
        from gateway.app import create_app

        with TestClient(create_app(), raise_server_exceptions=False) as client:
            yield client


@pytest.mark.parametrize("channel", sorted(RECORDED))
def test_bent_webhooks_are_answered_or_refused_in_the_error_shape(gateway, channel):
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(document=bent_payloads(channel))
    def post(document):
        body = json.dumps(document).encode()
        before = _stored()
        response = gateway.post(f"/webhooks/{channel}", content=body,
                                headers={"Content-Type": "application/json", **_signed(channel, body)})
        assert response.status_code in (200, 400), response.text
        if response.status_code == 400:
            _assert_error_shape(response)
            assert _stored() == before
        else:
            assert response.json()["accepted"] <= 1

    post()


@given(frame=st.one_of(json_values.map(json.dumps), st.text(max_size=60),
                       st.fixed_dictionaries({"type": st.just("message")},
                                             optional={"text": json_values, "language": json_values,
                                                       "customer_token": json_values}).map(json.dumps)))
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_bad_socket_frames_get_error_frames_and_the_socket_stays_open(gateway, frame):
    sender = f"fuzz-{secrets.token_hex(16)}"
    token = start_conversation(gateway, sender)
    last = gateway.get(f"/api/v1/conversations/{sender}/messages", headers={"X-Conversation-Token": token}).json()
    with gateway.websocket_connect(f"/api/v1/ws?sender_id={sender}&token={token}&after={last[-1]['id']}") as socket:
        socket.send_text(frame)
        answer = _turn_end(socket)
        assert answer["type"] in ("error", "reply"), answer
        if answer["type"] == "error":
            assert isinstance(answer["error"]["code"], str) and answer["error"]["code"] != "internal_error"
        socket.send_text(json.dumps({"type": "message", "text": "still there?"}))
        assert _turn_end(socket)["type"] == "reply"


def _turn_end(socket) -> dict[str, Any]:
    """The frame that ends a turn (a reply or an error), after the turn's messages."""
    while (frame := socket.receive_json())["type"] == "message":
        pass
    return frame
