"""What the conversation checks cost, and whether a flood from one client starves other shoppers.

1. The checks of a turn (the conversation secret's lookup and hash, the client and conversation rate-limit
   counters), timed in this process on the bench's database, in memory and in a real Redis, as a share of an
   English turn through the gateway measured in the same run (target: turn / (turn - checks) <= 1.05).
2. 1,000 requests from one client address (`X-Forwarded-For`, the gateway trusting the bench as its proxy)
   while 20 conversations from other addresses go on: their p95 against the same conversations without the
   flood (target <= 1.5x), how many flood requests got 429, and errors of the normal ones (target 0).

    .venv/bin/python -m bench.conversation_security
"""

import asyncio
import os
import secrets
import time

import httpx

from bench.common import chat_turn, percentile, run_identity, running_stack, write_results
from gateway.settings import GatewaySettings

_DEFAULTS = GatewaySettings.model_fields
SHIPPED_LIMITS = {"GATEWAY_RATE_LIMIT_CLIENT": _DEFAULTS["rate_limit_client"].default,
                  "GATEWAY_RATE_LIMIT_CONVERSATION": _DEFAULTS["rate_limit_conversation"].default,
                  "GATEWAY_TRUSTED_PROXIES": '["127.0.0.1"]'}
TURNS = ["hello", "which payment methods do you accept?", "how long does delivery take?", "thanks"]
FLOOD = 1000


async def conversations(url: str, count: int) -> tuple[list[float], int]:
    """`count` conversations of four turns, each from its own address: latencies and failed turns."""
    latencies: list[float] = []
    failed = 0

    async def one(k: int) -> None:
        nonlocal failed
        tokens: dict[str, str] = {}
        sender = f"bench-sec-{secrets.token_hex(6)}"
        headers = {"X-Forwarded-For": f"198.51.100.{k + 1}"}
        async with httpx.AsyncClient(timeout=60, headers=headers) as client:
            for text in TURNS:
                start = time.perf_counter()
                response = await chat_turn(client, url, sender, text, tokens)
                latencies.append(time.perf_counter() - start)
                failed += response.status_code != 200
                await asyncio.sleep(0.2)  # a person's pace, roughly

    await asyncio.gather(*(one(k) for k in range(count)))
    return latencies, failed


async def flood(url: str) -> list[int]:
    semaphore = asyncio.Semaphore(16)
    async with httpx.AsyncClient(timeout=60, headers={"X-Forwarded-For": "203.0.113.9"}) as client:
        async def one(n: int) -> int:
            async with semaphore:
                return (await client.post(f"{url}/api/v1/parse", json={"text": f"spam {n}"})).status_code
        return await asyncio.gather(*(one(n) for n in range(FLOOD)))


async def under_flood(url: str) -> tuple[tuple[list[float], int], list[int]]:
    normal, statuses = await asyncio.gather(conversations(url, 20), flood(url))
    return normal, statuses


def check_costs(redis_url: str | None) -> float:
    """Seconds per turn's checks: the secret of an existing conversation, then the two counters."""
    from conversations import service as conversation_service
    from database.core import session_scope
    from gateway.rate_limits import RateLimiter

    with session_scope() as db_session:
        sender = f"bench-check-{secrets.token_hex(6)}"
        _, token = conversation_service.create_with_token(db_session=db_session, sender_id=sender, channel="api",
                                                          language="en")
    limiter = RateLimiter(f"async+{redis_url}" if redis_url else "async+memory://")

    async def checks(n: int) -> None:
        for i in range(n):
            with session_scope() as db_session:
                conversation_service.owned_or_raise(db_session=db_session, sender_id=sender, token=token)
            await limiter.hit("1000000/minute", "client", f"198.51.100.{i % 200}")
            await limiter.hit("1000000/minute", "conversation", sender)

    async def timed() -> float:
        await checks(20)  # warm-up (connections, caches)
        start = time.perf_counter()
        await checks(500)
        return (time.perf_counter() - start) / 500

    return asyncio.run(timed())  # one event loop: a Redis client belongs to the loop it connected in


def main() -> None:
    from tests.redis_server import redis_server

    with running_stack(extra_env=SHIPPED_LIMITS) as (url, _rasa_url):
        print("20 conversations without a flood ...", flush=True)
        calm, calm_failed = asyncio.run(conversations(url, 20))
        print(f"the same with {FLOOD} requests from one address ...", flush=True)
        (flooded, flooded_failed), statuses = asyncio.run(under_flood(url))
        memory_checks = check_costs(None)
        with redis_server() as redis_url:
            redis_checks = check_costs(redis_url)
    turn = percentile(calm, 50)
    result = {
        "turn_p50_ms": turn * 1000,
        "checks_ms": {"memory": memory_checks * 1000, "redis": redis_checks * 1000},
        "turn_ratio": {"memory": turn / (turn - memory_checks), "redis": turn / (turn - redis_checks)},
        "calm_p95_ms": percentile(calm, 95) * 1000, "flooded_p95_ms": percentile(flooded, 95) * 1000,
        "p95_ratio": percentile(flooded, 95) / percentile(calm, 95),
        "normal_errors": calm_failed + flooded_failed,
        "flood_429": statuses.count(429), "flood_served": statuses.count(200),
    }
    write_results("conversation_security", result)
    print(f"\nConversation checks and floods ({run_identity()}, pid {os.getpid()})")
    print(f"  English turn p50 {result['turn_p50_ms']:.1f} ms; checks per turn: "
          f"{result['checks_ms']['memory']:.2f} ms in memory, {result['checks_ms']['redis']:.2f} ms with Redis")
    print(f"  turn / turn without checks: {result['turn_ratio']['memory']:.3f}x (memory), "
          f"{result['turn_ratio']['redis']:.3f}x (Redis)  (target <= 1.05)")
    print(f"  20 conversations p95: {result['calm_p95_ms']:.0f} ms alone, {result['flooded_p95_ms']:.0f} ms during "
          f"a flood of {FLOOD} = {result['p95_ratio']:.2f}x  (target <= 1.5)")
    print(f"  flood: {result['flood_429']} answered 429, {result['flood_served']} served; "
          f"normal turns failed: {result['normal_errors']}  (target 0)")


if __name__ == "__main__":
    main()
