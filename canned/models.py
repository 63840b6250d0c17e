"""The canned replies table."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from database.core import Base


class CannedReply(Base):
    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True, index=True)
    #: The human-written text per language code; English is required (the fallback and the agents' view).
    texts: Mapped[dict[str, str]] = mapped_column(JSON)
    #: The intent (intents.yml) this reply answers, so the console can suggest it.
    intent: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(),
                                                 onupdate=func.now())
