"""Asking for a rating, recognising an answer, and reading the ratings back."""

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from conversations.models import Conversation
from csat.models import CsatSurvey
from csat.settings import get_settings
from handoff.models import Ticket

#: The response that asks the question (its quick replies are the five ratings) and the one that thanks.
ASK_RESPONSE = "utter_csat_ask"
THANKS_RESPONSE = "utter_csat_thanks"
#: Goodbye/thanks intents after which a conversation the assistant handled alone counts as resolved.
RESOLVED_INTENTS = frozenset({"goodbye", "thank_you"})

# "4", "4/5", "4 stars, quick and kind", "★★★★", "⭐⭐⭐⭐⭐ great": a rating, optionally followed by a comment.
_DIGIT = re.compile(r"^\s*([1-5])(?:\s*/\s*5)?(?![0-9.,])\s*[^\w\s]*\s*(.*)$", re.DOTALL)
_STARS = re.compile(r"^\s*([★⭐]{1,5})\s*(.*)$", re.DOTALL)


def parse_answer(text: str) -> tuple[int, str | None] | None:
    """The rating and comment in a shopper's answer, or None when it is not a rating (an ordinary message)."""
    match = _DIGIT.match(text) or _STARS.match(text)
    if match is None:
        return None
    head, rest = match.groups()
    rating = int(head) if head.isdigit() else len(head)
    comment = rest.strip() or None
    if comment is not None and re.fullmatch(r"[\W_]*(stars?|★|⭐)?[\W_]*", comment, re.IGNORECASE):
        comment = None
    return rating, comment


def ask(
    *, db_session: Session, conversation: Conversation, ticket: Ticket | None = None, agent_id: int | None = None
) -> CsatSurvey:
    """Record that the shopper is asked now (the caller sends ASK_RESPONSE); `agent_id` is who the rating is for."""
    survey = CsatSurvey(conversation_id=conversation.id, ticket_id=ticket.id if ticket else None, agent_id=agent_id,
                        language=conversation.language,
                        channel=conversation.channel, asked_at=datetime.now(UTC))
    db_session.add(survey)
    db_session.flush()
    return survey


def awaiting_answer(*, db_session: Session, conversation_id: int) -> CsatSurvey | None:
    """The conversation's latest unanswered question still within the answer window."""
    since = datetime.now(UTC) - timedelta(minutes=get_settings().answer_window_minutes)
    return db_session.scalar(
        select(CsatSurvey).where(CsatSurvey.conversation_id == conversation_id, CsatSurvey.rating.is_(None),
                                 CsatSurvey.asked_at >= since).order_by(CsatSurvey.id.desc()).limit(1))


def was_asked(*, db_session: Session, conversation_id: int) -> bool:
    return db_session.scalar(select(CsatSurvey.id).where(CsatSurvey.conversation_id == conversation_id)
                             .limit(1)) is not None


def record(*, survey: CsatSurvey, rating: int, comment: str | None) -> CsatSurvey:
    if not 1 <= rating <= 5:
        raise ValueError(f"a rating is 1-5, not {rating}")
    survey.rating, survey.comment, survey.rated_at = rating, comment, datetime.now(UTC)
    return survey


def answered(*, db_session: Session, conversation_ids: list[int]) -> list[CsatSurvey]:
    """The answered surveys of these conversations (what analytics summarises)."""
    if not conversation_ids:
        return []
    return list(db_session.scalars(select(CsatSurvey).where(CsatSurvey.conversation_id.in_(conversation_ids),
                                                           CsatSurvey.rating.is_not(None))))
