"""A running job's progress and log, written to its row; apart from the queue (learning/jobs.py), so the jobs
themselves report without importing the queue that runs them."""

import time
from collections.abc import Callable

from database.core import session_scope
from learning.models import Job

MAX_LOG_CHARS = 200_000


class JobReporter:
    """Progress and log lines of a running job, written to its row (batched) and optionally echoed."""

    def __init__(self, job_id: int, echo: Callable[[str], None] | None = None, interval: float = 1.0) -> None:
        self.job_id = job_id
        self.echo = echo
        self.interval = interval
        self._lines: list[str] = []
        self._progress: tuple[float, str] | None = None
        self._last_write = 0.0
        self._last_echo = 0.0

    def log(self, line: str) -> None:
        self._lines.append(line)
        if self.echo:
            self.echo(line)
        self._maybe_flush()

    def progress(self, fraction: float, stage: str) -> None:
        done_before = self._progress[0] if self._progress else 0.0
        self._progress = (min(max(fraction, done_before), 1.0), stage[:200])  # never goes backwards
        if self.echo and time.monotonic() - self._last_echo >= 2.0:
            self._last_echo = time.monotonic()
            self.echo(f"[{round(self._progress[0] * 100):>3}%] {stage}")
        self._maybe_flush()

    def step(self, fraction: float, stage: str) -> None:
        """A new stage: logged and written at once."""
        self.progress(fraction, stage)
        self.log(f"[{round(fraction * 100):>3}%] {stage}")
        self.flush()

    def _maybe_flush(self) -> None:
        if time.monotonic() - self._last_write >= self.interval:
            self.flush()

    def flush(self) -> None:
        self._last_write = time.monotonic()
        lines, self._lines = self._lines, []
        with session_scope() as db_session:
            job = db_session.get(Job, self.job_id)
            if lines:
                job.log = (job.log + "\n".join(lines) + "\n")[-MAX_LOG_CHARS:]
            if self._progress is not None:
                job.progress, job.stage = self._progress
