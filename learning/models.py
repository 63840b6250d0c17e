"""What admins teach the assistant, and the jobs and model versions that come out of it."""

from datetime import datetime
from pathlib import PurePath

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from database.core import Base


class TrainingExample(Base):
    """A training example added by an admin (from the inbox or directly), kept with who and when."""

    __tablename__ = "training_examples"

    id: Mapped[int] = mapped_column(primary_key=True)
    intent: Mapped[str] = mapped_column(String(64), index=True)
    #: The example as the shopper (or admin) wrote it, in `language`.
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    #: Its English text (the shopper message's MT or the admin's own), trained as a second example.
    text_en: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

class IntentDefinition(Base):
    """An intent created by an admin; answered with the response `utter_<name>`."""

    __tablename__ = "intent_definitions"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

class ResponseText(Base):
    """An admin-written response text in one language (used before any machine translation)."""

    __tablename__ = "response_texts"
    __table_args__ = (UniqueConstraint("key", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(),
                                                 onupdate=func.now())


class InboxReview(Base):
    """An admin's decision on a misunderstood message: an intent (became an example), ignored, out of scope."""

    __tablename__ = "inbox_reviews"

    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), primary_key=True)
    decision: Mapped[str] = mapped_column(String(16))  # intent | ignored | out_of_scope
    intent: Mapped[str | None] = mapped_column(String(64))
    reviewed_by: Mapped[str] = mapped_column(String(100))
    reviewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Job(Base):
    """A long admin job (training or evaluation) run in the background, with progress and its log."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)  # train | evaluate
    status: Mapped[str] = mapped_column(String(16), index=True)  # queued | running | succeeded | failed
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    progress: Mapped[float] = mapped_column(Float, default=0.0)  # 0..1
    stage: Mapped[str] = mapped_column(String(200), default="queued")
    log: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict | None] = mapped_column(JSON)
    requested_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ModelVersion(Base):
    """A trained Rasa model in the registry. Exactly one is active (served by Rasa) once any is activated."""

    __tablename__ = "model_versions"

    id: Mapped[int] = mapped_column(primary_key=True)  # the version number shown to admins
    path: Mapped[str] = mapped_column(String(512))
    fingerprint: Mapped[str] = mapped_column(String(32), index=True)
    trained_by: Mapped[str] = mapped_column(String(100))
    training_seconds: Mapped[float | None] = mapped_column(Float)
    examples: Mapped[int | None] = mapped_column(Integer)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"))
    #: Figures on the held-out set (accuracy, macro-F1, out-of-scope recall, per language), once evaluated.
    metrics: Mapped[dict | None] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=False, index=True)
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    activated_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    @property
    def name(self) -> str:
        return PurePath(self.path).name
