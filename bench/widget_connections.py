"""How many idle web-widget WebSocket connections one gateway process holds, and the memory they add
(target: >= 1,000 idle connections under 200 MB added RSS). Rasa is not needed for idle connections.

    .venv/bin/python -m bench.widget_connections [--connections 1000]
"""

import argparse
import asyncio
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from websockets.asyncio.client import ClientConnection, connect

from bench.common import LOAD_TEST_LIMITS, RESULTS, run_identity
from database.settings import REPO_ROOT

BATCH = 100


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def raise_open_file_limit(needed: int) -> None:
    """Both ends of every connection live on this machine: the bench and the gateway (which inherits it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(needed, hard), hard))


def start_gateway(port: int, var: Path) -> subprocess.Popen:
    os.environ["DATABASE_URL"] = f"sqlite:///{var / 'bench.db'}"
    from database.migrate import upgrade_database

    upgrade_database()
    env = {**os.environ, **LOAD_TEST_LIMITS, "SHOP_CUSTOMER_TOKEN_SECRET": "bench", "GATEWAY_RASA_URL": "http://127.0.0.1:9"}
    log = (var / "gateway.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "gateway.app:app", "--port", str(port),
                                "--no-access-log", "--log-level", "warning"], cwd=REPO_ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/widget.js", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.terminate()
    raise RuntimeError(f"the gateway did not start; see {var / 'gateway.log'}")


def widget_conversations(count: int) -> list[tuple[str, str]]:
    """(sender id, secret) of `count` new widget conversations, made in the bench's database."""
    from conversations import service as conversation_service
    from database.core import session_scope

    with session_scope() as db_session:
        return [(sender_id, conversation_service.create_with_token(
                    db_session=db_session, sender_id=sender_id, channel="web", language="en")[1])
                for sender_id in (f"w-{secrets.token_hex(16)}" for _ in range(count))]


async def open_connections(url: str, count: int) -> list[ClientConnection]:
    conversations = widget_conversations(count)
    sockets: list[ClientConnection] = []
    for start in range(0, count, BATCH):
        batch = [connect(f"{url}?sender_id={sender_id}&token={token}", max_queue=4)
                 for sender_id, token in conversations[start:start + BATCH]]
        sockets.extend(await asyncio.gather(*batch))
    return sockets


async def answered(socket: ClientConnection) -> bool:
    """The connection is still served: a bad frame gets its error frame back."""
    await socket.send("not json")
    frame = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
    return frame.get("error", {}).get("code") == "invalid_json"


async def measure(port: int, pid: int, count: int) -> dict:
    url = f"ws://127.0.0.1:{port}/api/v1/ws"
    await asyncio.sleep(2)
    before = rss_mb(pid)
    started = time.perf_counter()
    sockets = await open_connections(url, count)
    opening = time.perf_counter() - started
    await asyncio.sleep(5)  # idle: only the server's pings and the shared poll run
    after = rss_mb(pid)
    checked = [sockets[i] for i in range(0, count, max(1, count // 10))]
    alive = all(await asyncio.gather(*(answered(s) for s in checked)))
    await asyncio.gather(*(s.close() for s in sockets))
    return {"connections": count, "rss_before_mb": round(before, 1), "rss_after_mb": round(after, 1),
            "rss_added_mb": round(after - before, 1), "kb_per_connection": round((after - before) * 1024 / count, 1),
            "open_seconds": round(opening, 2), "all_answered": alive}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=1000)
    args = parser.parse_args()
    raise_open_file_limit(2 * args.connections + 256)
    from runtime.processes import free_port

    port = free_port()
    process = start_gateway(port, Path(tempfile.mkdtemp(prefix="shopbot-bench-")))
    try:
        result = asyncio.run(measure(port, process.pid, args.connections))
    finally:
        process.terminate()
        process.wait(timeout=30)
    print(f"\nIdle web-widget WebSocket connections on one gateway process ({run_identity()})")
    print(f"  {result['connections']} connections opened in {result['open_seconds']} s, all still answering: "
          f"{result['all_answered']}")
    print(f"  RSS {result['rss_before_mb']} -> {result['rss_after_mb']} MB: +{result['rss_added_mb']} MB, "
          f"{result['kb_per_connection']} KB per connection  (target: >= 1,000 under 200 MB added)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "widget_connections.json").write_text(json.dumps({"run": run_identity(), **result}, indent=2) + "\n")


if __name__ == "__main__":
    main()
