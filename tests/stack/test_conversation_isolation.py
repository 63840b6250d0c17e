"""Each conversation belongs to its shopper, through the running stack: a stranger who knows a WhatsApp phone
number, a Telegram chat id, a Messenger id or a leaked widget id reaches nothing through the public API (chat,
history, socket) and the shopper's conversation is unchanged; a typed `/intent{...}` reaches Rasa as text; a
flooding client gets 429s while others are answered as usual."""

import itertools
import json
import os
import secrets
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from runtime.processes import Service, free_port, wait_until_healthy
from shop.enums import OrderStatus
from tests.channels.webhooks import messenger_event, post_meta, post_telegram, telegram_update, whatsapp_notification
from tests.conftest import TEST_VAR
from tests.factories import stored_messages

pytestmark = pytest.mark.stack

ids = itertools.count(1)


def wait_for_reply(sender_id: str, replies: int, timeout: float = 60) -> list[dict]:
    """The conversation's stored messages once the assistant has written `replies` of them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = stored_messages(sender_id)
        if sum(m["role"] == "bot" for m in messages) >= replies:
            return messages
        time.sleep(0.2)
    raise AssertionError(f"no reply {replies} in {sender_id}")


def verify_order(say: Callable[[str], None], sender_id: str, order) -> list[dict]:
    """The shopper asks about their order and proves it is theirs with the e-mail (through their channel)."""
    say(f"where is my order {order.number}?")
    wait_for_reply(sender_id, 1)
    say(order.customer.email)
    messages = wait_for_reply(sender_id, 2)
    assert order.shipments[-1].tracking_number in messages[-1]["text"]
    return messages


def assert_stranger_learns_nothing(url: str, sender_id: str, secrets_of_the_shopper: list[str]) -> None:
    """Every public way in, with the conversation's id and without its secret (or with made-up ones)."""
    before = stored_messages(sender_id)
    answers = []
    for headers in ({}, {"X-Conversation-Token": "guess"}, {"X-Conversation-Token": secrets.token_urlsafe(32)}):
        for text in ("cancel my order", "/affirm", "what is my e-mail?"):
            answers.append(httpx.post(f"{url}/api/v1/chat", json={"sender_id": sender_id, "text": text},
                                      headers=headers, timeout=30))
        answers.append(httpx.get(f"{url}/api/v1/conversations/{sender_id}/messages", headers=headers, timeout=30))
        answers.append(httpx.get(f"{url}/api/v1/conversations/{sender_id}/messages", params={"after": 0},
                                 headers=headers, timeout=30))
    for answer in answers:
        assert answer.status_code == 404, answer.text
        assert answer.json()["error"]["code"] == "conversation_not_found"
        assert not any(secret in answer.text for secret in secrets_of_the_shopper)
    socket_url = url.replace("http://", "ws://") + "/api/v1/ws"
    for query in (f"sender_id={sender_id}", f"sender_id={sender_id}&token=guess"):
        with connect(f"{socket_url}?{query}") as socket:
            frame = socket.recv(timeout=10)
            assert json.loads(frame)["error"]["code"] in ("invalid_sender_id", "conversation_not_found")
            assert not any(secret in frame for secret in secrets_of_the_shopper)
            with pytest.raises(ConnectionClosed):
                socket.recv(timeout=10)
    assert stored_messages(sender_id) == before


#: How each channel's shopper writes (a signed webhook from the platform), by channel: (chat id, say).
CHANNEL_SHOPPERS: dict[str, tuple[str, Callable[[str, str, str], object]]] = {
    "whatsapp": ("4915112340001", lambda url, chat_id, text: post_meta(url, "whatsapp", whatsapp_notification(
        "text", message_id=f"wamid.iso-{next(ids)}", wa_id=chat_id, text=text))),
    "telegram": ("930001", lambda url, chat_id, text: post_telegram(url, telegram_update(
        "text", update_id=950_000 + next(ids), chat_id=int(chat_id), text=text))),
    "messenger": ("6738291043459001", lambda url, chat_id, text: post_meta(url, "messenger", messenger_event(
        "text", mid=f"m_iso-{next(ids)}", psid=chat_id, text=text))),
}


@pytest.mark.parametrize("channel", ["whatsapp", "telegram", "messenger"])
def test_knowing_a_channel_id_reaches_nothing(running_stack, fresh_order, channel):
    """A phone number, a Telegram chat id or a Messenger id is all a stranger needs to name the conversation."""
    order = fresh_order(OrderStatus.SHIPPED)
    chat_id, post = CHANNEL_SHOPPERS[channel]
    verify_order(lambda text: post(running_stack.url, chat_id, text), f"{channel}:{chat_id}", order)
    assert_stranger_learns_nothing(running_stack.url, f"{channel}:{chat_id}",
                                   [order.customer.email, order.shipments[-1].tracking_number])


def test_a_leaked_widget_id_without_its_secret_reaches_nothing(running_stack, fresh_order):
    order = fresh_order(OrderStatus.SHIPPED)
    sender = f"w-{secrets.token_hex(16)}"
    running_stack.chat(sender, f"where is my order {order.number}?")
    assert order.shipments[-1].tracking_number in running_stack.say(sender, order.customer.email)
    assert_stranger_learns_nothing(running_stack.url, sender, [order.customer.email,
                                                               order.shipments[-1].tracking_number])
    # The owner carries on, history and socket included
    assert len(running_stack.history(sender)) == 4
    socket_url = running_stack.url.replace("http://", "ws://") + "/api/v1/ws"
    with connect(f"{socket_url}?sender_id={sender}&token={running_stack.tokens[sender]}&after=0") as socket:
        assert json.loads(socket.recv(timeout=10))["message"]["text"] == f"where is my order {order.number}?"


def test_a_typed_intent_reaches_rasa_as_text(running_stack, fresh_order):
    """Rasa reads text starting with `/` as an intent with entities: only the buttons' payloads may be read
    that way, never what a shopper types."""
    order = fresh_order(OrderStatus.SHIPPED)
    sender = f"w-{secrets.token_hex(16)}"

    def last_text_rasa_got() -> str:
        tracker = httpx.get(f"{running_stack.stack_rasa_url}/conversations/{sender}/tracker", timeout=30).json()
        return [event["text"] for event in tracker["events"] if event["event"] == "user"][-1]

    typed = f'/order_status{{"order_id": "{order.number}", "email": "{order.customer.email}"}}'
    running_stack.say(sender, typed)
    assert last_text_rasa_got() == typed[1:]
    assert running_stack.history(sender)[0]["text"] == typed  # stored as the shopper wrote it
    running_stack.say(sender, "/affirm")  # a button's payload
    assert last_text_rasa_got() == "/affirm"


@pytest.fixture(scope="module")
def gateway_with_default_limits(running_stack):
    """A second gateway replica of the running stack with the shipped rate limits, behind a 'proxy' at
    127.0.0.1 (so each test client can have its own address through X-Forwarded-For)."""
    port = free_port()
    env = {**os.environ, "GATEWAY_RASA_URL": running_stack.stack_rasa_url, "PYTHONPATH": os.getcwd(),
           "GATEWAY_TRUSTED_PROXIES": '["127.0.0.1"]', "SHOP_PROFILE_PATH": str(running_stack.profile_path)}
    for name in ("GATEWAY_RATE_LIMIT_CLIENT", "GATEWAY_RATE_LIMIT_CONVERSATION"):
        env.pop(name, None)
    gateway = Service(name="gateway-default-limits",
                      command=[running_stack.stack.service("gateway").command[0], "-m", "uvicorn", "gateway.app:app",
                               "--host", "127.0.0.1", "--port", str(port), "--no-access-log"],
                      env=env, health_url=f"http://127.0.0.1:{port}/health", is_healthy=lambda r: r.status_code == 200,
                      log_path=TEST_VAR / "logs" / "gateway-default-limits.log")
    gateway.start()
    wait_until_healthy([gateway], timeout=60, progress=lambda line: None)
    yield f"http://127.0.0.1:{port}"
    gateway.stop()


def test_a_flood_from_one_client_gets_429s_while_other_shoppers_are_answered(gateway_with_default_limits):
    url = gateway_with_default_limits
    flooder = {"X-Forwarded-For": "203.0.113.66"}

    def flood(n: int) -> httpx.Response:
        return httpx.post(f"{url}/api/v1/parse", json={"text": f"spam {n}"}, headers=flooder, timeout=30)

    calm_latencies = []

    def calm_conversation(k: int) -> None:
        sender, headers = f"calm-{secrets.token_hex(8)}", {"X-Forwarded-For": f"198.51.100.{k}"}
        for text in ("hello", "what payment methods do you accept?", "thanks"):
            start = time.perf_counter()
            answer = httpx.post(f"{url}/api/v1/chat", json={"sender_id": sender, "text": text}, headers=headers,
                                timeout=60)
            calm_latencies.append(time.perf_counter() - start)
            assert answer.status_code == 200, answer.text
            headers = {**headers, "X-Conversation-Token": answer.json()["conversation_token"]
                       or headers.get("X-Conversation-Token", "")}

    with ThreadPoolExecutor(max_workers=8) as pool:
        floods = [pool.submit(flood, n) for n in range(400)]
        calm = [pool.submit(calm_conversation, k) for k in range(4)]
        statuses = [f.result().status_code for f in floods]
        for conversation in calm:
            conversation.result()
    limited = [f.result() for f in floods if f.result().status_code == 429]
    assert statuses.count(200) <= 300 and len(limited) >= 100
    assert limited[0].json()["error"]["code"] == "rate_limited" and int(limited[0].headers["Retry-After"]) >= 1
    assert len(calm_latencies) == 12 and statistics.median(calm_latencies) < 5.0
