"""One turn at a time per conversation across gateway processes sharing Redis; a dead holder's lease runs out."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gateway.conversation_lock import ConversationBusy, conversation_lock
from gateway.settings import get_settings
from tests.redis_server import redis_server

# A gateway process's turn: hold the conversation, note when, work for a while.
_TURN = """
import asyncio, json, sys, time
from gateway import conversation_lock as module

module.LEASE_SECONDS, module._RENEW_EVERY_SECONDS = 1.0, 0.3

async def turn():
    async with module.conversation_lock("web-shared", wait_seconds=float(sys.argv[2])):
        started = time.time()
        print("holding", flush=True)
        await asyncio.sleep(float(sys.argv[1]))
        return started, time.time()

try:
    print(json.dumps(asyncio.run(turn())), flush=True)
except module.ConversationBusy:
    print(json.dumps("busy"), flush=True)
"""


@pytest.fixture(autouse=True)
def _settings_read_again():
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _turn(redis_url: str, seconds: float, wait: float = 30) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", _TURN, str(seconds), str(wait)], stdout=subprocess.PIPE,
                            text=True, env={**os.environ, "REDIS_URL": redis_url},
                            cwd=Path(__file__).parents[2], start_new_session=True)


def _result(process: subprocess.Popen):
    out, _ = process.communicate(timeout=60)
    return json.loads(out.splitlines()[-1])


def test_turns_of_one_conversation_on_two_gateways_never_overlap():
    with redis_server() as url:
        first, second = _turn(url, 1.5), _turn(url, 1.5)  # each longer than the lease: renewed meanwhile
        (start_a, end_a), (start_b, end_b) = sorted([_result(first), _result(second)])
    assert end_a <= start_b


def test_a_gateway_that_dies_mid_turn_holds_the_conversation_only_until_its_lease_runs_out():
    with redis_server() as url:
        dying = _turn(url, 60)
        assert dying.stdout.readline().strip() == "holding"
        os.killpg(dying.pid, signal.SIGKILL)
        dying.wait()
        killed_at = time.time()
        started, _ = _result(_turn(url, 0))
    assert started - killed_at < 3


def test_a_caller_that_will_not_wait_is_told_the_conversation_is_busy():
    with redis_server() as url:
        holder = _turn(url, 3)
        assert holder.stdout.readline().strip() == "holding"
        assert _result(_turn(url, 0, wait=0.5)) == "busy"
        assert _result(holder) != "busy"


def test_without_redis_a_busy_conversation_is_refused_after_the_wait(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)

    async def two_turns() -> None:
        async with conversation_lock("web-local"):
            with pytest.raises(ConversationBusy):
                async with conversation_lock("web-local", wait_seconds=0.1):
                    pass
        async with conversation_lock("web-local", wait_seconds=0.1):  # free again
            pass

    asyncio.run(two_turns())


def test_an_unreachable_redis_is_a_busy_conversation_not_a_crash(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")

    async def turn() -> None:
        async with conversation_lock("web-unreachable"):
            pass

    with pytest.raises(ConversationBusy) as raised:
        asyncio.run(turn())
    assert raised.value.status_code == 503 and raised.value.retry_after >= 1
