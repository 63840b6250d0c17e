"""Gateway replicas tell each other through Redis: a widget connected to one replica gets, at once, the replies of
a turn another replica answered; admin-written responses changed on one are reloaded by every other."""

import asyncio
import json
import os
import subprocess
import sys
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
