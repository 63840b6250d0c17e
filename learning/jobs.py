"""Background jobs (training, evaluation): a queue in the database, one worker, progress and log per job.

Jobs are rows, so a queued job survives a restart and every gateway replica sees the same progress; a job that
was running when its process died is marked failed at the next start.
"""

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from database.core import session_scope
from learning.exceptions import JobConflict, LearningError, NotFound
from learning.job_reporter import JobReporter
from learning.models import Job

logger = logging.getLogger(__name__)

UNFINISHED = ("queued", "running")
T = TypeVar("T")


def enqueue(*, db_session: Session, kind: str, params: dict, requested_by: str, status: str = "queued") -> Job:
    """A new job; a second training job while one is queued or running is refused."""
    if kind == "train":
        running = db_session.scalar(select(Job).where(Job.kind == "train", Job.status.in_(UNFINISHED)))
        if running is not None:
            raise JobConflict(f"training job {running.id} is {running.status}; one training job runs at a time")
    job = Job(kind=kind, status=status, params=params, requested_by=requested_by, progress=0.0,
              stage="queued" if status == "queued" else "starting", log="",
              started_at=datetime.now(UTC) if status == "running" else None)
    db_session.add(job)
    db_session.flush()
    return job


def get_or_raise(db_session: Session, job_id: int) -> Job:
    job = db_session.get(Job, job_id)
    if job is None:
        raise NotFound(f"no job {job_id}")
    return job


def recent(db_session: Session, limit: int = 50) -> list[Job]:
    return list(db_session.scalars(select(Job).order_by(Job.id.desc()).limit(limit)))


def claim_next(db_session: Session) -> int | None:
    """Take the oldest queued job (atomically: with several replicas only one gets it)."""
    queued = select(Job.id).where(Job.status == "queued").order_by(Job.id).limit(5)
    for job_id in db_session.scalars(queued.with_for_update(skip_locked=True)).all():
        claimed = db_session.execute(
            update(Job).where(Job.id == job_id, Job.status == "queued")
            .values(status="running", stage="starting", started_at=datetime.now(UTC))
        ).rowcount
        db_session.commit()
        if claimed:
            return job_id
    return None


def fail_interrupted(db_session: Session) -> int:
    """Jobs left 'running' by a process that stopped: failed, with the reason."""
    return db_session.execute(
        update(Job).where(Job.status == "running")
        .values(status="failed", error="interrupted: the process running it stopped", finished_at=datetime.now(UTC))
    ).rowcount


def finish(job_id: int, *, result: dict | None = None, error: str | None = None) -> None:
    with session_scope() as db_session:
        job = db_session.get(Job, job_id)
        job.status = "failed" if error else "succeeded"
        job.error = error
        job.result = result
        job.finished_at = datetime.now(UTC)
        if not error:
            job.progress, job.stage = 1.0, "done"


def run_job(job_id: int, echo: Callable[[str], None] | None = None) -> None:
    """Run a claimed job to the end; failures are recorded on the job (and logged), never raised."""
    from learning.evaluation_job import run_evaluation
    from learning.training_job import run_training

    runners = {"train": run_training, "evaluate": run_evaluation}
    with session_scope() as db_session:
        job = db_session.get(Job, job_id)
        kind, params, requested_by = job.kind, dict(job.params or {}), job.requested_by
    reporter = JobReporter(job_id, echo=echo)
    try:
        result = runners[kind](job_id=job_id, params=params, requested_by=requested_by, reporter=reporter)
    except LearningError as error:
        reporter.log(f"failed: {error}")
        reporter.flush()
        finish(job_id, error=str(error))
    except Exception as error:  # a bug or a crash of Rasa: the job fails, the worker goes on
        logger.exception("%s job %s crashed", kind, job_id)
        reporter.log(f"failed: {error!r}")
        reporter.flush()
        finish(job_id, error=f"unexpected error: {error!r} (see the gateway log)")
    else:
        reporter.flush()
        finish(job_id, result=result)


def _in_session(work: Callable[[Session], T]) -> T:
    with session_scope() as db_session:
        return work(db_session)


async def run_worker(poll_seconds: float = 1.0) -> None:
    """The gateway's job worker: runs queued jobs one after another, in a thread (training is a subprocess)."""
    interrupted = await asyncio.to_thread(_in_session, fail_interrupted)
    if interrupted:
        logger.warning("%d job(s) were interrupted by a restart and are marked failed", interrupted)
    while True:
        try:
            job_id = await asyncio.to_thread(_in_session, claim_next)
            if job_id is None:
                await asyncio.sleep(poll_seconds)
                continue
            logger.info("running job %s", job_id)
            await asyncio.to_thread(run_job, job_id)
        except asyncio.CancelledError:
            raise
        except Exception:  # the database was briefly unavailable: try again later
            logger.exception("job worker error")
            await asyncio.sleep(5 * poll_seconds)
