"""Throughput with 100 concurrent conversations, side by side in one run on PostgreSQL and Redis:

- one replica of each process: the gateway's /api/v1/chat against Rasa's own REST webhook (the baseline);
- two replicas of each behind HAProxy (`shopbot run --replicas 2`): the gateway through the load balancer.

Both paths give Rasa the same message metadata (the shopper's language and words), so Rasa does the same work on
each. With every core busy a run is bound by the CPU all processes spend on a turn: it prints that CPU per turn
for each kind of process (from /proc), which says where the gap between the two paths goes.

    .venv/bin/python -m bench.scale_out [--conversations 100 --turns 5]
"""

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from assistant.understanding import nlu_metadata
from bench.common import LOAD_TEST_LIMITS, RESULTS, chat_turn, percentile, run_identity, summary_ms
from bench.cpu import CpuMeter, pids_running
from bench.message_path import MESSAGES
from runtime.processes import Stack, free_port
from runtime.settings import get_settings
from runtime.training import train
from tests.postgres_server import PostgresServer, postgres_instance
from tests.redis_server import redis_server
from translation.responses import BOT_LANGUAGE


@dataclass
class Load:
    latencies: list[float]
    turns_per_s: float
    errors: int
    cpu_ms_per_turn: dict[str, float]


async def _load(turn, conversations: int, turns: int, meter: CpuMeter) -> Load:
    """`conversations` at once, each `turns` turns in a row."""
    errors = 0

    async def one(client: httpx.AsyncClient) -> list[float]:
        nonlocal errors
        sender, latencies = f"bench-s-{uuid.uuid4().hex[:10]}", []
        for i in range(turns):
            start = time.perf_counter()
            try:
                if (await turn(client, sender, MESSAGES[i % len(MESSAGES)])).status_code != 200:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - start)
        return latencies

    limits = httpx.Limits(max_connections=conversations + 10, max_keepalive_connections=conversations + 10)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        for text in MESSAGES:  # warm-up
            await turn(client, "bench-warmup", text)
        meter.start()
        start = time.perf_counter()
        results = await asyncio.gather(*(one(client) for _ in range(conversations)))
        elapsed = time.perf_counter() - start
        cpu = meter.stop()
    latencies = [x for r in results for x in r]
    return Load(latencies, len(latencies) / elapsed, errors,
                {name: seconds * 1000 / len(latencies) for name, seconds in cpu.items()})


def _gateway(url: str):
    tokens: dict[str, str] = {}
    return lambda client, sender, text: chat_turn(client, url, sender, text, tokens)


def _rasa(url: str):
    def turn(client: httpx.AsyncClient, sender: str, text: str):
        return client.post(f"{url}/webhooks/rest/webhook", json={
            "sender": sender, "message": text, "metadata": nlu_metadata(text, BOT_LANGUAGE)})
    return turn


def _process_groups(stack: Stack, postgres: PostgresServer, redis_url: str) -> dict[str, list[int]]:
    """{kind of process: its root pids}: the stack's services by kind, PostgreSQL and Redis."""
    groups: dict[str, list[int]] = {}
    for service in stack.services:
        groups.setdefault(service.name.rsplit("-", 1)[0] if service.name[-1].isdigit() else service.name,
                          []).append(service.process.pid)
    groups["postgresql"] = pids_running(str(postgres.data))
    groups["redis"] = pids_running(urlsplit(redis_url).netloc)
    return groups


def _measure(model: Path, postgres: PostgresServer, redis_url: str, replicas: int, conversations: int, turns: int,
             with_rasa: bool) -> dict[str, Load]:
    ports = {"rasa": free_port(), "actions": free_port(), "gateway": free_port()}
    stack = Stack(model=model, database_url=postgres.url, var_dir=Path(tempfile.mkdtemp(prefix="shopbot-bench-")),
                  rasa_port=ports["rasa"], actions_port=ports["actions"], gateway_port=ports["gateway"],
                  replicas=replicas, extra_env={**LOAD_TEST_LIMITS, "REDIS_URL": redis_url})
    print(f"starting {replicas} replica(s) of each process...", flush=True)
    stack.start(timeout=900, progress=lambda line: None)
    try:
        meter = CpuMeter(_process_groups(stack, postgres, redis_url))
        measured = {"gateway": asyncio.run(_load(_gateway(f"http://127.0.0.1:{ports['gateway']}"),
                                                 conversations, turns, meter))}
        if with_rasa:
            measured["rasa"] = asyncio.run(_load(_rasa(f"http://127.0.0.1:{ports['rasa']}"), conversations, turns,
                                                 meter))
        return measured
    finally:
        stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=100)
    parser.add_argument("--turns", type=int, default=5)
    args = parser.parse_args()
    settings = get_settings()
    model = train(rasa_venv=settings.rasa_venv, models_dir=settings.models_dir)
    with postgres_instance() as postgres, redis_server() as redis_url:
        env = {**os.environ, "DATABASE_URL": postgres.url, "SHOP_CUSTOMER_TOKEN_SECRET": "bench-secret"}
        for command in (["db", "upgrade"], ["shop", "seed"]):
            subprocess.run([sys.executable, "-m", "shopbot.cli", *command], env=env, check=True, capture_output=True)
        os.environ.update({"DATABASE_URL": postgres.url, "SHOP_CUSTOMER_TOKEN_SECRET": "bench-secret"})
        one = _measure(model, postgres, redis_url, 1, args.conversations, args.turns, with_rasa=True)
        two = _measure(model, postgres, redis_url, 2, args.conversations, args.turns, with_rasa=False)
    rows = {"1 replica, gateway": one["gateway"], "1 replica, Rasa's own webhook": one["rasa"],
            "2 replicas behind HAProxy, gateway": two["gateway"]}
    print(f"\n{args.conversations} concurrent conversations x {args.turns} turns, PostgreSQL + Redis "
          f"({run_identity()})")
    for name, load in rows.items():
        print(f"  {name:36s} {load.turns_per_s:5.1f} turns/s, {summary_ms(load.latencies)}, errors {load.errors}")
    print("\n  CPU ms per turn (user + system, all threads and children):")
    kinds = list(dict.fromkeys(kind for load in rows.values() for kind in load.cpu_ms_per_turn))
    print(f"  {'':36s} " + " ".join(f"{kind:>13s}" for kind in [*kinds, "total"]))
    for name, load in rows.items():
        cpu = load.cpu_ms_per_turn
        print(f"  {name:36s} " + " ".join(f"{cpu.get(kind, 0.0):13.1f}" for kind in kinds)
              + f" {sum(cpu.values()):13.1f}")
    gateway_over_rasa = one["gateway"].turns_per_s / one["rasa"].turns_per_s
    two_over_one = two["gateway"].turns_per_s / one["gateway"].turns_per_s
    print(f"  gateway / Rasa's own throughput:     {gateway_over_rasa:.2f}x  (target >= 0.95x)")
    print(f"  2 replicas / 1 replica throughput:   {two_over_one:.2f}x")
    print(f"  best gateway throughput:             {max(one['gateway'].turns_per_s, two['gateway'].turns_per_s):.1f} "
          "turns/s "
          f"(target >= 20 turns/s with 0 errors)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scale_out.json").write_text(json.dumps({
        name: {"turns_per_s": load.turns_per_s, "p50_ms": percentile(load.latencies, 50) * 1000,
               "p95_ms": percentile(load.latencies, 95) * 1000, "errors": load.errors,
               "cpu_ms_per_turn": load.cpu_ms_per_turn} for name, load in rows.items()} | {
        "gateway_over_rasa": gateway_over_rasa, "two_over_one": two_over_one}, indent=2))


if __name__ == "__main__":
    main()
