"""Throughput with 100 concurrent conversations, side by side in one run on PostgreSQL and Redis:

- one replica of each process: the gateway's /api/v1/chat against Rasa's own REST webhook (the baseline);
- two replicas of each behind HAProxy (`shopbot run --replicas 2`): the gateway through the load balancer.

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
from pathlib import Path

import httpx

from bench.common import LOAD_TEST_LIMITS, RESULTS, chat_turn, percentile, run_identity, summary_ms
from bench.message_path import MESSAGES
from runtime.processes import Stack, free_port
from runtime.settings import get_settings
from runtime.training import train
from tests.postgres_server import postgres_instance
from tests.redis_server import redis_server


async def _load(turn, conversations: int, turns: int) -> tuple[list[float], float, int]:
    """`conversations` at once, each `turns` turns in a row: latencies, turns per second, errors."""
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
        start = time.perf_counter()
        results = await asyncio.gather(*(one(client) for _ in range(conversations)))
        elapsed = time.perf_counter() - start
    latencies = [x for r in results for x in r]
    return latencies, len(latencies) / elapsed, errors


def _gateway(url: str):
    tokens: dict[str, str] = {}
    return lambda client, sender, text: chat_turn(client, url, sender, text, tokens)


def _rasa(url: str):
    return lambda client, sender, text: client.post(f"{url}/webhooks/rest/webhook",
                                                    json={"sender": sender, "message": text})


def _measure(model: Path, database_url: str, redis_url: str, replicas: int, conversations: int, turns: int,
             with_rasa: bool) -> dict[str, tuple[list[float], float, int]]:
    ports = {"rasa": free_port(), "actions": free_port(), "gateway": free_port()}
    stack = Stack(model=model, database_url=database_url, var_dir=Path(tempfile.mkdtemp(prefix="shopbot-bench-")),
                  rasa_port=ports["rasa"], actions_port=ports["actions"], gateway_port=ports["gateway"],
                  replicas=replicas, extra_env={**LOAD_TEST_LIMITS, "REDIS_URL": redis_url})
    print(f"starting {replicas} replica(s) of each process...", flush=True)
    stack.start(timeout=900, progress=lambda line: None)
    try:
        measured = {"gateway": asyncio.run(_load(_gateway(f"http://127.0.0.1:{ports['gateway']}"),
                                                 conversations, turns))}
        if with_rasa:
            measured["rasa"] = asyncio.run(_load(_rasa(f"http://127.0.0.1:{ports['rasa']}"), conversations, turns))
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
        one = _measure(model, postgres.url, redis_url, 1, args.conversations, args.turns, with_rasa=True)
        two = _measure(model, postgres.url, redis_url, 2, args.conversations, args.turns, with_rasa=False)
    rows = {"1 replica, gateway": one["gateway"], "1 replica, Rasa's own webhook": one["rasa"],
            "2 replicas behind HAProxy, gateway": two["gateway"]}
    print(f"\n{args.conversations} concurrent conversations x {args.turns} turns, PostgreSQL + Redis "
          f"({run_identity()})")
    for name, (latencies, throughput, errors) in rows.items():
        print(f"  {name:36s} {throughput:5.1f} turns/s, {summary_ms(latencies)}, errors {errors}")
    gateway_over_rasa = one["gateway"][1] / one["rasa"][1]
    two_over_one = two["gateway"][1] / one["gateway"][1]
    print(f"  gateway / Rasa's own throughput:     {gateway_over_rasa:.2f}x  (target >= 0.95x)")
    print(f"  2 replicas / 1 replica throughput:   {two_over_one:.2f}x")
    print(f"  best gateway throughput:             {max(one['gateway'][1], two['gateway'][1]):.1f} turns/s "
          f"(target >= 20 turns/s with 0 errors)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scale_out.json").write_text(json.dumps({
        name: {"turns_per_s": t, "p50_ms": percentile(lat, 50) * 1000, "p95_ms": percentile(lat, 95) * 1000,
               "errors": e} for name, (lat, t, e) in rows.items()} | {
        "gateway_over_rasa": gateway_over_rasa, "two_over_one": two_over_one}, indent=2))


if __name__ == "__main__":
    main()
