"""Shared bench plumbing: a running stack on a scratch database, and the run's identity."""

import json
import os
import platform
import statistics
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from database.settings import REPO_ROOT
from tests.channels.fake_platform import FakePlatform

if TYPE_CHECKING:
    from runtime.processes import Stack

RESULTS = REPO_ROOT / "bench" / "results"
EVALDATA = REPO_ROOT.parent / "shared" / "evaldata"


def run_identity() -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                            text=True).stdout.strip() or "uncommitted"
    return f"commit {commit}, {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def summary_ms(values: list[float]) -> str:
    return (f"p50 {percentile(values, 50) * 1000:.1f} ms, p95 {percentile(values, 95) * 1000:.1f} ms, "
            f"mean {statistics.fmean(values) * 1000:.1f} ms (n={len(values)})")


#: A load test talks from one address, faster than people: the rate limits are raised for it.
LOAD_TEST_LIMITS = {"GATEWAY_RATE_LIMIT_CLIENT": "1000000/minute", "GATEWAY_RATE_LIMIT_CONVERSATION": "100000/minute"}


async def chat_turn(client: httpx.AsyncClient, url: str, sender: str, text: str,
                    tokens: dict[str, str]) -> httpx.Response:
    """One shopper turn as the conversation's owner: the secret its first answer returned goes with every
    later turn (kept in `tokens` by sender id)."""
    headers = {"X-Conversation-Token": tokens[sender]} if sender in tokens else {}
    response = await client.post(f"{url}/api/v1/chat", json={"sender_id": sender, "text": text}, headers=headers)
    if response.status_code == 200 and response.json().get("conversation_token"):
        tokens[sender] = response.json()["conversation_token"]
    return response


@contextmanager
def running_stack(url: str | None = None, extra_env: dict[str, str] | None = None,
                  stack_type: "type[Stack] | None" = None) -> Iterator[tuple[str, str]]:
    """(gateway URL, Rasa URL) of a stack: the given one, or a fresh one on a scratch seeded database (with
    `extra_env` for its processes; `stack_type`, a subclass of runtime.processes.Stack, builds its processes)."""
    if url:
        yield url, os.environ.get("BENCH_RASA_URL", "http://127.0.0.1:5005")
        return
    var = Path(tempfile.mkdtemp(prefix="shopbot-bench-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{var / 'bench.db'}")
    os.environ.setdefault("SHOP_CUSTOMER_TOKEN_SECRET", "bench-secret")

    from database.core import session_scope
    from database.migrate import upgrade_database
    from runtime.processes import Stack, free_port
    from runtime.settings import get_settings
    from runtime.training import train
    from shop.seed import seed_demo_shop

    upgrade_database()
    with session_scope() as db_session:
        seed_demo_shop(db_session)
    settings = get_settings()
    model = train(rasa_venv=settings.rasa_venv, models_dir=settings.models_dir)
    ports = [free_port() for _ in range(3)]
    stack = (stack_type or Stack)(model=model, database_url=os.environ["DATABASE_URL"], var_dir=var, rasa_port=ports[0],
                  actions_port=ports[1], gateway_port=ports[2], extra_env={**LOAD_TEST_LIMITS, **(extra_env or {})})
    print("starting the stack for the benchmark...", flush=True)
    stack.start(timeout=400, progress=lambda line: None)
    try:
        yield f"http://127.0.0.1:{ports[2]}", f"http://127.0.0.1:{ports[0]}"
    finally:
        stack.stop()


@contextmanager
def running_stack_with_platform(extra_env: dict[str, str] | None = None) -> Iterator[tuple[str, FakePlatform]]:
    """A stack whose messaging channels send to the local fake platform (tests/channels/fake_platform.py)."""
    platform = FakePlatform()
    platform.start()
    try:
        with running_stack(extra_env={**platform.env(), **(extra_env or {})}) as (url, _rasa_url):
            yield url, platform
    finally:
        platform.stop()


def write_results(name: str, result: dict) -> Path:
    """`bench/results/<name>.json`, with the run it came from."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{name}.json"
    out.write_text(json.dumps({"run": run_identity(), **result}, indent=2, ensure_ascii=False, default=str))
    print(f"written to {out}")
    return out
