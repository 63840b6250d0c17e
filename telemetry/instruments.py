"""The process's counters and histograms (prometheus-client's default registry)."""

import functools
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from prometheus_client import Counter, Histogram

T = TypeVar("T")

#: Seconds from a shopper message's arrival to the reply being ready, by the conversation's language.
TURN_SECONDS = Histogram("shopbot_turn_seconds", "Shopper turn latency, by language", ["language"],
                         buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32))
RASA_ERRORS = Counter("shopbot_rasa_errors", "Turns where the assistant (Rasa) could not be reached")
MT_ERRORS = Counter("shopbot_mt_errors", "Machine translations that failed or were rejected",
                    ["backend", "source", "target"])


def timed_turn(flow: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    """Observe TURN_SECONDS for each completed turn, under the language of its response."""

    @functools.wraps(flow)
    async def timed(*args, **kwargs) -> T:
        started = time.perf_counter()
        response = await flow(*args, **kwargs)
        TURN_SECONDS.labels(getattr(response, "language", "unknown")).observe(time.perf_counter() - started)
        return response

    return timed
