"""The action server as `python -m rasa_sdk` starts it, with timing for bench/turn_profile.py: for every action call
one JSON line in the file `BENCH_ACTION_PROBE_LOG` with the action's own time (rasa-sdk's executor: tracker from
the payload, the action's run) and its database statements (count, time) and new database connections.

Only the benchmark starts the action server this way; the product's code has no hooks.

    .venv/bin/python -m bench.action_probe --actions bot.actions -p 5055
"""

import json
import os
import threading
import time

from rasa_sdk.__main__ import main
from rasa_sdk.executor import ActionExecutor
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

_counters = threading.local()
_log_lock = threading.Lock()


def _reset() -> None:
    _counters.statements, _counters.db_seconds, _counters.connections = 0, 0.0, 0


@event.listens_for(Engine, "before_cursor_execute")
def _before(conn, cursor, statement, parameters, context, executemany) -> None:
    conn.info["bench_started"] = time.perf_counter()


@event.listens_for(Engine, "after_cursor_execute")
def _after(conn, cursor, statement, parameters, context, executemany) -> None:
    started = conn.info.pop("bench_started", None)
    if started is not None and hasattr(_counters, "statements"):
        _counters.statements += 1
        _counters.db_seconds += time.perf_counter() - started


@event.listens_for(Pool, "connect")
def _connect(dbapi_connection, record) -> None:
    if hasattr(_counters, "connections"):
        _counters.connections += 1


_run = ActionExecutor.run


async def _timed_run(self, action_call, *args, **kwargs):
    _reset()
    started = time.perf_counter()
    try:
        return await _run(self, action_call, *args, **kwargs)
    finally:
        record = {"action": action_call.get("next_action"), "sender": action_call.get("sender_id"),
                  "run_ms": (time.perf_counter() - started) * 1000, "statements": _counters.statements,
                  "db_ms": _counters.db_seconds * 1000, "connections": _counters.connections}
        with _log_lock, open(os.environ["BENCH_ACTION_PROBE_LOG"], "a", encoding="utf-8") as log:
            log.write(json.dumps(record) + "\n")


ActionExecutor.run = _timed_run  # type: ignore[method-assign]

if __name__ == "__main__":
    main()
