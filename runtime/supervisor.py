"""Keep the stack's processes running: a process that exits is restarted with exponential backoff, and what is
restarting is written to a status file the gateway's `/health` reports."""

import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

logger = logging.getLogger(__name__)

#: Environment variable naming the status file, set for the gateway by the supervisor.
STATUS_PATH_VARIABLE = "SHOPBOT_SUPERVISOR_STATUS"


class Supervised(Protocol):
    name: str

    def start(self) -> None: ...

    def exited(self) -> bool: ...

    def exit_code(self) -> int | None: ...


@dataclass(frozen=True)
class Backoff:
    """Delay before restart number `failures` (1, 2, ...): initial, doubled each time, capped at maximum."""

    initial: float = 1.0
    maximum: float = 30.0
    factor: float = 2.0
    #: A process up this long counts as recovered: its next crash waits `initial` again.
    stable_after: float = 60.0

    def delay(self, failures: int) -> float:
        return min(self.maximum, self.initial * self.factor ** max(0, failures - 1))


DEFAULT_BACKOFF = Backoff()


@dataclass
class _State:
    status: str = "running"  # running | restarting
    failures: int = 0
    restarts: int = 0
    started_at: float = 0.0
    restart_at: float | None = None
    last_exit_code: int | None = None


class Supervisor:
    """Watches started services; `check()` is one pass (the clock is injected so tests need not sleep)."""

    def __init__(self, services: Sequence[Supervised], *, backoff: Backoff = DEFAULT_BACKOFF,
                 status_path: Path | None = None, clock: Callable[[], float] = time.monotonic,
                 report: Callable[[str], None] = print) -> None:
        self.services = services
        self.backoff = backoff
        self.status_path = status_path
        self.clock = clock
        self.report = report
        now = clock()
        self.states = {service.name: _State(started_at=now) for service in services}
        self._write_status()

    def check(self) -> None:
        """Schedule a restart for each service that exited; start those whose delay has run out."""
        now = self.clock()
        changed = False
        for service in self.services:
            state = self.states[service.name]
            if state.status == "running" and service.exited():
                if now - state.started_at >= self.backoff.stable_after:
                    state.failures = 0
                state.failures += 1
                state.last_exit_code = service.exit_code()
                delay = self.backoff.delay(state.failures)
                state.status, state.restart_at = "restarting", now + delay
                message = (f"{service.name} exited (code {state.last_exit_code}); "
                           f"restarting in {delay:.0f} s (attempt {state.failures})")
                logger.warning(message)
                self.report(message)
                changed = True
            elif state.status == "restarting" and state.restart_at is not None and now >= state.restart_at:
                service.start()
                state.status, state.restart_at, state.started_at = "running", None, now
                state.restarts += 1
                self.report(f"restarted {service.name}")
                changed = True
        if changed:
            self._write_status()

    def status(self) -> dict[str, Any]:
        now = self.clock()
        return {name: {"status": state.status, "restarts": state.restarts, "last_exit_code": state.last_exit_code,
                       **({"restart_in_seconds": round(max(0.0, state.restart_at - now), 1)}
                          if state.restart_at is not None else {})}
                for name, state in self.states.items()}

    def run(self, *, interval: float = 0.5, sleep: Callable[[float], None] = time.sleep) -> None:
        """Supervise until interrupted (Ctrl-C raises KeyboardInterrupt out of the sleep)."""
        while True:
            self.check()
            sleep(interval)

    def _write_status(self) -> None:
        if self.status_path is None:
            return
        self.status_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.status_path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"pid": os.getpid(), "services": self.status()}), encoding="utf-8")
        temporary.replace(self.status_path)


def read_status(path: Path | None) -> dict[str, Any] | None:
    """The supervisor's last status (per service), or None when no supervisor runs this stack."""
    if path is None:
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))["services"]
    except (OSError, ValueError, KeyError):
        return None
