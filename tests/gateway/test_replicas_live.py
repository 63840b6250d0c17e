"""Gateway replicas tell each other through Redis: a widget connected to one replica gets, at once, the replies of
a turn another replica answered; an agent console on one sees at once the tickets and shopper messages another
stored; admin-written responses changed on one are reloaded by every other."""

import asyncio
import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import redis
from websockets.sync.client import connect

from gateway.broadcast import CHANNEL, Broadcast
from runtime.processes import free_port
from tests.gateway.conftest import gateway_environment, own_database, prepare_database
from tests.redis_server import redis_server

SENDER = "w-" + "r" * 32
AGENT_PASSWORD = "live console password"


def _gateway(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "gateway.app:app", "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, **env}, cwd=Path(__file__).parents[2], stdout=log.open("w"), stderr=subprocess.STDOUT)


def _wait_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while True:
        assert process.poll() is None, "the gateway exited"
        try:
            if httpx.get(url + "/health/live", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the gateway did not come up"
        time.sleep(0.3)


@pytest.fixture
def two_gateways(fake_rasa, tmp_path):
    with redis_server() as redis_url:
        # the slow poll would take five minutes: only the replicas' Redis channel can bring messages sooner
        env = {**own_database(), "REDIS_URL": redis_url, "GATEWAY_RASA_URL": fake_rasa.url,
               "GATEWAY_LIVE_POLL_SECONDS": "300"}
        with gateway_environment(env):
            prepare_database()
            from database.core import session_scope
            from handoff.agents import create_user

            with session_scope() as db_session:
                create_user(db_session=db_session, name="live-agent", role="agent", password=AGENT_PASSWORD)
        ports = [free_port(), free_port()]
        processes = [_gateway(port, env, tmp_path / f"gateway-{n}.log") for n, port in enumerate(ports)]
        try:
            urls = [f"http://127.0.0.1:{port}" for port in ports]
            for url, process in zip(urls, processes, strict=True):
                _wait_up(url, process)
            yield urls
        finally:
            for process in processes:
                process.terminate()
                process.wait(20)


def test_a_widget_on_one_replica_gets_at_once_the_replies_another_replica_stored(two_gateways):
    first, second = two_gateways
    started = httpx.post(first + "/api/v1/chat", json={"sender_id": SENDER, "text": "hi"}, timeout=30)
    token = started.json()["conversation_token"]
    socket_url = second.replace("http", "ws") + f"/api/v1/ws?sender_id={SENDER}&token={token}"
    with connect(socket_url) as widget:
        history = [json.loads(widget.recv(timeout=10)) for _ in range(2)]
        assert [frame["message"]["role"] for frame in history] == ["shopper", "bot"]

        asked = time.monotonic()
        answer = httpx.post(first + "/api/v1/chat", json={"sender_id": SENDER, "text": "where is my order"},
                            headers={"X-Conversation-Token": token}, timeout=30)
        assert answer.status_code == 200
        pushed = [json.loads(widget.recv(timeout=10)) for _ in range(2)]
        assert time.monotonic() - asked < 5
    assert [(f["message"]["role"], f["message"]["text"]) for f in pushed] == [
        ("shopper", "where is my order"), ("bot", "(fake Rasa) you asked about order_status")]


class EventStream:
    """A console's server-sent event stream, read in a thread: `next()` is the next event's data."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self._events: queue.Queue[dict] = queue.Queue()
        self._client = httpx.Client(timeout=httpx.Timeout(5.0, read=None))
        self._response = self._client.send(self._client.build_request("GET", url, headers=headers), stream=True)
        assert self._response.status_code == 200, self._response.read()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for line in self._response.iter_lines():
                if line.startswith("data: "):
                    self._events.put(json.loads(line[6:]))
        except httpx.HTTPError:
            pass  # closed by the test

    def next(self, timeout: float = 5.0) -> dict:
        return self._events.get(timeout=timeout)

    def close(self) -> None:
        self._response.close()
        self._client.close()


def test_a_console_on_one_replica_sees_at_once_the_ticket_and_the_messages_another_replica_stored(two_gateways):
    first, second = two_gateways
    signed_in = httpx.post(second + "/api/v1/auth/login", json={"username": "live-agent", "password": AGENT_PASSWORD})
    agent = {"Cookie": "; ".join(f"{name}={value}" for name, value in signed_in.cookies.items())}
    sender = "w-" + "q" * 32
    token = httpx.post(first + "/api/v1/chat", json={"sender_id": sender, "text": "hi"}, timeout=30).json()[
        "conversation_token"]
    shopper = {"X-Conversation-Token": token}

    tickets = EventStream(second + "/api/v1/tickets/stream", agent)
    try:
        assert tickets.next() == {"kind": "tickets"}  # at once: the console loads its queue
        asked = time.monotonic()
        handoff = httpx.post(first + "/api/v1/chat", json={"sender_id": sender, "text": "a person please"},
                             headers=shopper, timeout=30).json()["handoff"]
        assert tickets.next() == {"kind": "tickets"}
        assert time.monotonic() - asked < 5, "the queue heard of the new ticket late"
    finally:
        tickets.close()
    ticket_id = handoff["ticket_id"]
    listed = httpx.get(second + "/api/v1/tickets?status=open", headers=agent).json()
    assert ticket_id in [t["id"] for t in listed]

    detail = httpx.get(second + f"/api/v1/tickets/{ticket_id}", headers=agent).json()
    transcript = EventStream(second + f"/api/v1/tickets/{ticket_id}/stream?after={detail['messages'][-1]['id']}",
                             agent)
    try:
        asked = time.monotonic()
        httpx.post(first + "/api/v1/chat", json={"sender_id": sender, "text": "it arrived broken"},
                   headers=shopper, timeout=30)
        message = transcript.next()
        assert time.monotonic() - asked < 5, "the transcript heard of the message late"
    finally:
        transcript.close()
    assert (message["role"], message["text"]) == ("shopper", "it arrived broken")


def test_what_replicas_publish_reaches_every_listener_and_a_malformed_event_is_ignored():
    with redis_server() as url:
        async def listen_and_publish() -> tuple[list[set[str]], int]:
            woken: list[set[str]] = []
            reloads = 0

            async def reload() -> None:
                nonlocal reloads
                reloads += 1

            broadcast = Broadcast(url)
            listening = asyncio.create_task(broadcast.listen(on_messages=woken.append, on_responses=reload))
            await asyncio.sleep(0.3)  # subscribed
            redis.Redis.from_url(url).publish(CHANNEL, b"not json")
            broadcast.new_messages({"web-a", "web-b"})
            broadcast.responses_changed()
            for _ in range(50):
                if reloads:
                    break
                await asyncio.sleep(0.1)
            listening.cancel()
            await broadcast.close()
            return woken, reloads

        assert asyncio.run(listen_and_publish()) == ([{"web-a", "web-b"}], 1)
