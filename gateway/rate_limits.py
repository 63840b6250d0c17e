"""Rate limits (design.md, "Rate limits"): moving-window counters of the `limits` library, kept in Redis when
`REDIS_URL` is set (every gateway replica shares them) and in this process's memory otherwise.

A limit is a `limits` string from the settings ("30/minute", or several: "5/second;300/minute"); the keys
say whose counter it is (`"client", address` or `"conversation", sender_id`). Over a limit, `RateLimited`
carries the seconds until the window lets the next request through; the gateway answers 429 with
`Retry-After`.
"""

import ipaddress
import math
import time
from functools import lru_cache

from limits import parse_many
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from starlette.requests import HTTPConnection

from gateway.exceptions import RetryLater
from gateway.settings import get_settings


class RateLimited(RetryLater):
    status_code = 429
    code = "rate_limited"


class RateLimiter:
    def __init__(self, storage_uri: str) -> None:
        # Redis through redis-py's asyncio client (the project's one Redis library), not coredis
        options = {"implementation": "redispy"} if storage_uri.startswith("async+redis") else {}
        self._strategy = MovingWindowRateLimiter(storage_from_string(storage_uri, **options))

    async def hit(self, limit: str, *keys: str) -> None:
        """Count one request against every rate in `limit` for `keys`; RateLimited if that goes over one."""
        for item in parse_many(limit):
            if not await self._strategy.hit(item, *keys):
                raise RateLimited(f"too many requests; at most {limit}", await self._retry_after(item, keys))

    async def check(self, limit: str, *keys: str) -> None:
        """RateLimited if `keys` are over `limit` already, without counting (e.g. before a sign-in attempt)."""
        for item in parse_many(limit):
            if not await self._strategy.test(item, *keys):
                raise RateLimited(f"too many attempts; at most {limit}", await self._retry_after(item, keys))

    async def clear(self, limit: str, *keys: str) -> None:
        for item in parse_many(limit):
            await self._strategy.clear(item, *keys)

    async def _retry_after(self, item, keys: tuple[str, ...]) -> int:
        stats = await self._strategy.get_window_stats(item, *keys)
        return max(1, math.ceil(stats.reset_time - time.time()))


@lru_cache
def get_rate_limiter() -> RateLimiter:
    redis_url = get_settings().redis_url
    return RateLimiter(f"async+{redis_url}" if redis_url else "async+memory://")


def _trusted(address: str, proxies: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def client_address(connection: HTTPConnection) -> str:
    """The client's address: the peer, or behind a trusted proxy the last address `X-Forwarded-For` names
    that is not itself a trusted proxy (a client can put anything in front of the header)."""
    peer = connection.client.host if connection.client else "unknown"
    proxies = get_settings().trusted_proxies
    if not proxies or not _trusted(peer, proxies):
        return peer
    forwarded = [part.strip() for part in connection.headers.get("x-forwarded-for", "").split(",") if part.strip()]
    for address in reversed(forwarded):
        if not _trusted(address, proxies):
            return address
    return peer


async def limit_client(connection: HTTPConnection) -> None:
    """Count a request of this client address (chat, parse, socket messages)."""
    await get_rate_limiter().hit(get_settings().rate_limit_client, "client", client_address(connection))


async def limit_conversation(sender_id: str) -> None:
    """Count a shopper turn in this conversation (after its secret was checked: strangers cannot use it up)."""
    await get_rate_limiter().hit(get_settings().rate_limit_conversation, "conversation", sender_id)


def is_https(connection: HTTPConnection) -> bool:
    """Whether the client reached us over https: directly, or through a trusted proxy that says so."""
    if connection.url.scheme in ("https", "wss"):
        return True
    peer = connection.client.host if connection.client else "unknown"
    forwarded_proto = connection.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return forwarded_proto == "https" and _trusted(peer, get_settings().trusted_proxies)
