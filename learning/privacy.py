"""Training examples taken from one shopper's messages, and the inbox reviews of those messages."""

from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from learning.models import InboxReview, TrainingExample


def _examples(db_session: Session, message_ids: list[int], texts: list[str]) -> list[TrainingExample]:
    conditions = []
    if message_ids:
        conditions.append(TrainingExample.message_id.in_(message_ids))
    if texts:
        conditions.append(TrainingExample.text.in_(texts))
    return list(db_session.scalars(select(TrainingExample).where(or_(*conditions)))) if conditions else []


def export(*, db_session: Session, message_ids: list[int], texts: list[str]) -> list[dict[str, Any]]:
    return [{"intent": e.intent, "text": e.text, "text_en": e.text_en, "language": e.language,
             "created_by": e.created_by, "created_at": e.created_at.isoformat() if e.created_at else None}
            for e in _examples(db_session, message_ids, texts)]


def erase(*, db_session: Session, message_ids: list[int], texts: list[str]) -> dict[str, int]:
    examples = _examples(db_session, message_ids, texts)
    for example in examples:
        db_session.delete(example)
    reviews = db_session.execute(delete(InboxReview).where(InboxReview.message_id.in_(message_ids))).rowcount \
        if message_ids else 0
    db_session.flush()
    return {"training_examples": len(examples), "inbox_reviews": reviews}
