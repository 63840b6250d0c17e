"""One shopper's satisfaction ratings for a data-rights request. Erasure keeps each rating, its language, channel,
agent and times (analytics) and removes the comment, the one thing the shopper wrote."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from csat.models import CsatSurvey


def _surveys(db_session: Session, conversation_ids: list[int]) -> list[CsatSurvey]:
    if not conversation_ids:
        return []
    return list(db_session.scalars(select(CsatSurvey).where(CsatSurvey.conversation_id.in_(conversation_ids))
                                   .order_by(CsatSurvey.id)))


def export(*, db_session: Session, conversation_ids: list[int]) -> list[dict[str, Any]]:
    return [{"ticket_id": s.ticket_id, "rating": s.rating, "comment": s.comment, "language": s.language,
             "channel": s.channel, "asked_at": s.asked_at.isoformat() if s.asked_at else None,
             "rated_at": s.rated_at.isoformat() if s.rated_at else None}
            for s in _surveys(db_session, conversation_ids)]


def erase(*, db_session: Session, conversation_ids: list[int]) -> dict[str, int]:
    surveys = _surveys(db_session, conversation_ids)
    commented = [s for s in surveys if s.comment]
    for survey in commented:
        survey.comment = None
    db_session.flush()
    return {"csat_comments": len(commented)}
