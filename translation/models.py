from datetime import datetime

from sqlalchemy import DateTime, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from database.core import Base


class TranslationMemory(Base):
    """Machine translations already made, keyed by the hash of the source text: a changed English response
    has a new hash, so its stale translation is simply never found again."""

    __tablename__ = "translation_memory"
    __table_args__ = (UniqueConstraint("src_lang", "tgt_lang", "source_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    src_lang: Mapped[str] = mapped_column(String(8))
    tgt_lang: Mapped[str] = mapped_column(String(8))
    source_hash: Mapped[str] = mapped_column(String(64))
    source_text: Mapped[str] = mapped_column(Text)
    translated_text: Mapped[str] = mapped_column(Text)
    backend: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
