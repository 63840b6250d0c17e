"""Blocking work of a turn (database queries, ticket packaging, rendering) run in a worker thread.

The gateway's services are synchronous SQLAlchemy, shared with the action server and the CLI; each blocking phase
of a turn runs in a thread instead of on the event loop, so one slow query stalls its own conversation only.
A phase that writes commits before it returns (`in_transaction`): a write left open across an await would hold
SQLite's lock while other conversations, which need it, run on the loop.
"""

from collections.abc import Callable
from functools import partial
from typing import ParamSpec, TypeVar

from anyio import to_thread
from sqlalchemy.orm import Session

P = ParamSpec("P")
T = TypeVar("T")


async def in_thread(function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    return await to_thread.run_sync(partial(function, *args, **kwargs))


async def in_transaction(db_session: Session, function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """`function` in a worker thread, then `db_session` committed there."""

    def work() -> T:
        result = function(*args, **kwargs)
        db_session.commit()
        return result

    return await to_thread.run_sync(work)
