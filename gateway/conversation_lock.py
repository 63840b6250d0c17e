"""One turn at a time per conversation, so replies and the stored history keep their order.

Within one gateway an `asyncio.Lock` per conversation does it. With `REDIS_URL` set (gateway replicas behind a
load balancer) the turn also holds a Redis lock, so a shopper's next message on another replica, or another
replica's replay of stored messages, waits for it. The Redis lock is a lease that the holder renews while the
turn runs: when a gateway dies mid-turn its lease runs out after `LEASE_SECONDS` and the conversation goes on.

Redis rather than a PostgreSQL advisory lock: replicas need Redis already (rate limits), and an advisory lock
would hold a database connection for the whole turn, Rasa's answer included.
"""

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache

from redis.asyncio import Redis
from redis.exceptions import LockError, RedisError

from gateway.exceptions import RetryLater
from gateway.settings import get_settings

logger = logging.getLogger(__name__)

#: How long a Redis lock outlives a holder that stopped renewing it (a gateway that died mid-turn).
LEASE_SECONDS = 15.0
_RENEW_EVERY_SECONDS = LEASE_SECONDS / 3

_local_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()


class ConversationBusy(RetryLater):
    """Another turn of the conversation holds it for longer than the caller would wait."""

    status_code = 503
    code = "conversation_busy"


@lru_cache
def _redis(url: str) -> Redis:
    return Redis.from_url(url)


def _local_lock(sender_id: str) -> asyncio.Lock:
    lock = _local_locks.get(sender_id)
    if lock is None:
        lock = _local_locks[sender_id] = asyncio.Lock()
    return lock


@asynccontextmanager
async def conversation_lock(sender_id: str, *, wait_seconds: float | None = None) -> AsyncIterator[None]:
    """Hold the conversation for one turn. Waits as long as needed, or raises ConversationBusy after
    `wait_seconds`; a Redis that cannot be reached is ConversationBusy too (the shopper's client sends again)."""
    local = _local_lock(sender_id)
    try:
        async with asyncio.timeout(wait_seconds):
            await local.acquire()
    except TimeoutError:
        raise ConversationBusy("another turn of this conversation is still being answered", 1) from None
    try:
        redis_url = get_settings().redis_url
        if redis_url is None:
            yield
            return
        async with _shared_lock(_redis(redis_url), sender_id, wait_seconds):
            yield
    finally:
        local.release()


@asynccontextmanager
async def _shared_lock(redis: Redis, sender_id: str, wait_seconds: float | None) -> AsyncIterator[None]:
    lock = redis.lock(f"shopbot:conversation:{sender_id}", timeout=LEASE_SECONDS, sleep=0.05,
                      blocking_timeout=wait_seconds)
    try:
        acquired = await lock.acquire()
    except RedisError as error:
        logger.warning("Redis unreachable for the lock of %s: %s", sender_id, error)
        raise ConversationBusy("the conversation cannot be held right now", 2) from error
    if not acquired:
        raise ConversationBusy("another turn of this conversation is still being answered", 1)

    async def renew() -> None:
        while True:
            await asyncio.sleep(_RENEW_EVERY_SECONDS)
            try:
                await lock.reacquire()
            except (LockError, RedisError) as error:
                logger.warning("could not renew the lock of %s: %s", sender_id, error)
                return

    renewing = asyncio.get_running_loop().create_task(renew())
    try:
        yield
    finally:
        renewing.cancel()
        try:
            await lock.release()
        except (LockError, RedisError) as error:  # the lease ran out, or Redis went away: it expires by itself
            logger.warning("the lock of %s was not held to the end of the turn: %s", sender_id, error)
