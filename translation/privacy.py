"""Cached translations of one shopper's texts (the translation memory keeps source and translation)."""

from sqlalchemy import delete, or_
from sqlalchemy.orm import Session

from translation.models import TranslationMemory


def erase(*, db_session: Session, texts: list[str]) -> dict[str, int]:
    if not texts:
        return {"translation_memory": 0}
    removed = db_session.execute(delete(TranslationMemory).where(or_(
        TranslationMemory.source_text.in_(texts), TranslationMemory.translated_text.in_(texts)))).rowcount
    return {"translation_memory": removed}
