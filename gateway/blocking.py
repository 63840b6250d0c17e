"""Blocking work of a turn (database queries, ticket packaging, rendering) run in a worker thread.

The gateway's services are synchronous SQLAlchemy, shared with the action server and the CLI; each blocking phase
of a turn runs in a thread instead of on the event loop, so one slow query stalls its own conversation only.
"""

from collections.abc import Callable
from functools import partial
from typing import ParamSpec, TypeVar

from anyio import to_thread

P = ParamSpec("P")
T = TypeVar("T")


async def in_thread(function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    return await to_thread.run_sync(partial(function, *args, **kwargs))
