"""What one gateway replica tells the others, over Redis pub/sub when `REDIS_URL` is set: which conversations
got new messages (their widgets are woken at once, whichever replica they are connected to) and that the
admin-written responses changed (every replica reloads them). One gateway alone has no one to tell.
"""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Iterable

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CHANNEL = "shopbot:gateway"
_RECONNECT_SECONDS = 1.0


class Broadcast:
    """Made on the gateway's event loop; its events may be sent from any thread (sync routes run in one)."""

    def __init__(self, redis_url: str) -> None:
        self._redis = Redis.from_url(redis_url)
        self._loop = asyncio.get_running_loop()
        self._sending: set[asyncio.Task] = set()

    def _send(self, event: dict) -> None:
        """Publish without waiting; an event lost with Redis away is caught up by the slow poll."""
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._publish_soon, event)

    def _publish_soon(self, event: dict) -> None:
        async def publish() -> None:
            try:
                await self._redis.publish(CHANNEL, json.dumps(event))
            except RedisError as error:
                logger.warning("could not tell the other gateways (%s): %s", event["kind"], error)

        task = self._loop.create_task(publish())
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    def new_messages(self, sender_ids: Iterable[str]) -> None:
        self._send({"kind": "messages", "senders": sorted(sender_ids)})

    def responses_changed(self) -> None:
        self._send({"kind": "responses"})

    async def listen(self, *, on_messages: Callable[[set[str]], None],
                     on_responses: Callable[[], Awaitable[None]]) -> None:
        """Forever: act on what the replicas (this one included) publish; reconnects after Redis errors."""
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    async for message in pubsub.listen():
                        if message["type"] == "message":
                            await self._dispatch(message["data"], on_messages=on_messages,
                                                 on_responses=on_responses)
            except RedisError as error:
                logger.warning("lost the gateways' Redis channel, reconnecting: %s", error)
                await asyncio.sleep(_RECONNECT_SECONDS)

    @staticmethod
    async def _dispatch(data: bytes, *, on_messages: Callable[[set[str]], None],
                        on_responses: Callable[[], Awaitable[None]]) -> None:
        try:
            event = json.loads(data)
            kind = event["kind"]
        except (ValueError, KeyError, TypeError):
            logger.warning("ignored a malformed event on %s", CHANNEL)
            return
        if kind == "messages":
            on_messages(set(event.get("senders") or ()))
        elif kind == "responses":
            await on_responses()

    async def close(self) -> None:
        await self._redis.aclose()
