"""The model registry: every trained model with its data fingerprint, who trained it, when, how long, and its
figures on the held-out set; which one is active."""

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning.exceptions import NotFound
from learning.models import ModelVersion


def register(
    *, db_session: Session, path: Path, fingerprint: str, trained_by: str, training_seconds: float | None,
    examples: int | None = None, job_id: int | None = None,
) -> ModelVersion:
    """A version for the model file; a file already registered keeps its version."""
    existing = db_session.scalar(select(ModelVersion).where(ModelVersion.path == str(path)))
    if existing is not None:
        return existing
    version = ModelVersion(path=str(path), fingerprint=fingerprint, trained_by=trained_by,
                           training_seconds=training_seconds, examples=examples, job_id=job_id)
    db_session.add(version)
    db_session.flush()
    return version


def all_versions(db_session: Session) -> list[ModelVersion]:
    return list(db_session.scalars(select(ModelVersion).order_by(ModelVersion.id.desc())))


def get_or_raise(db_session: Session, version_id: int) -> ModelVersion:
    version = db_session.get(ModelVersion, version_id)
    if version is None:
        raise NotFound(f"no model version {version_id}")
    return version


def active_version(db_session: Session) -> ModelVersion | None:
    return db_session.scalar(select(ModelVersion).where(ModelVersion.active.is_(True)))


def previous_version(db_session: Session) -> ModelVersion | None:
    """The version that was active before the current one (what a rollback goes back to)."""
    query = (select(ModelVersion).where(ModelVersion.active.is_(False), ModelVersion.activated_at.is_not(None))
             .order_by(ModelVersion.activated_at.desc()))
    return db_session.scalars(query).first()
