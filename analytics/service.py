"""The analytics report (definitions below, also in README "Analytics").

A conversation counts in the window of the day it started (UTC), under the language it is in now and the
channel it came from.

- automation rate: conversations where the assistant understood at least one shopper message in scope (an
  intent other than `out_of_scope`) and no person was needed (no ticket, no agent message), over conversations;
- handoff rate: conversations with a ticket, over conversations; reasons as the assistant gave them;
- fallback rate: shopper messages the NLU reported as `out_of_scope`, over shopper messages it classified;
- top misunderstood messages: the `out_of_scope` ones, grouped by their lower-cased text;
- first response: from a ticket's creation to the first agent message after it; resolution: creation to close;
  both per agent (the ticket's assignee), as means in seconds;
- CSAT: the 1-5 answers to the satisfaction question, count and mean, per language, channel, day and agent.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from statistics import fmean

from sqlalchemy import select
from sqlalchemy.orm import Session

from conversations.models import Conversation, Message
from csat import service as csat_service
from handoff.models import AgentUser, Ticket

OUT_OF_SCOPE = "out_of_scope"
#: Shopper messages that are answers to the satisfaction question, not requests to the assistant.
NOT_REQUESTS = frozenset({"csat_rating"})


@dataclass
class _Conversation:
    language: str
    channel: str
    day: date
    handed_over: bool = False
    answered_in_scope: bool = False
    classified: int = 0
    fallbacks: int = 0
    intents: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)
    ratings: list[int] = field(default_factory=list)

    @property
    def automated(self) -> bool:
        return self.answered_in_scope and not self.handed_over


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _csat(ratings: list[int]) -> dict:
    return {"count": len(ratings), "mean": round(fmean(ratings), 2) if ratings else None}


def _figures(conversations: list[_Conversation]) -> dict:
    classified = sum(c.classified for c in conversations)
    intents: Counter = sum((c.intents for c in conversations), Counter())
    reasons: Counter = sum((c.reasons for c in conversations), Counter())
    return {
        "conversations": len(conversations),
        "automation_rate": _rate(sum(c.automated for c in conversations), len(conversations)),
        "handoff_rate": _rate(sum(c.handed_over for c in conversations), len(conversations)),
        "fallback_rate": _rate(sum(c.fallbacks for c in conversations), classified),
        "csat": _csat([rating for c in conversations for rating in c.ratings]),
        "handoff_reasons": dict(reasons.most_common()),
        "top_intents": [{"intent": name, "count": count} for name, count in intents.most_common(5)],
    }


def _grouped(conversations: Iterable[_Conversation], key) -> dict:
    groups: dict = defaultdict(list)
    for conversation in conversations:
        groups[key(conversation)].append(conversation)
    return {name: _figures(members) for name, members in sorted(groups.items())}


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    if (start.tzinfo is None) != (end.tzinfo is None):  # SQLite hands back naive UTC
        start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    return (end - start).total_seconds()


def _mean(values: list[float]) -> float | None:
    return round(fmean(values), 1) if values else None


def report(*, db_session: Session, since: date, until: date, top: int = 10) -> dict:
    """The figures for conversations started from `since` to `until` (both days included, UTC)."""
    start = datetime.combine(since, time.min, tzinfo=UTC)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC)
    rows = db_session.execute(select(Conversation.id, Conversation.language, Conversation.channel,
                                     Conversation.created_at)
                              .where(Conversation.created_at >= start, Conversation.created_at < end)).all()
    conversations = {row.id: _Conversation(row.language, row.channel, row.created_at.date()) for row in rows}
    ids = list(conversations)

    misunderstood: Counter = Counter()
    examples: dict[str, tuple[str, str | None, str]] = {}
    agent_messages: dict[int, list[datetime]] = defaultdict(list)
    for chunk in _chunks(ids):
        for message in db_session.execute(
                select(Message.conversation_id, Message.role, Message.intent, Message.text, Message.text_en,
                       Message.language, Message.created_at).where(Message.conversation_id.in_(chunk))):
            conversation = conversations[message.conversation_id]
            if message.role == "agent":
                conversation.handed_over = True
                agent_messages[message.conversation_id].append(message.created_at)
            elif message.role == "shopper" and message.intent and message.intent not in NOT_REQUESTS:
                conversation.classified += 1
                conversation.intents[message.intent] += 1
                if message.intent == OUT_OF_SCOPE:
                    conversation.fallbacks += 1
                    grouped = " ".join(message.text.lower().split())
                    misunderstood[grouped] += 1
                    examples.setdefault(grouped, (message.text, message.text_en, message.language))
                else:
                    conversation.answered_in_scope = True

    tickets = [ticket for chunk in _chunks(ids)
               for ticket in db_session.scalars(select(Ticket).where(Ticket.conversation_id.in_(chunk)))]
    for ticket in tickets:
        conversations[ticket.conversation_id].handed_over = True
        conversations[ticket.conversation_id].reasons[ticket.reason] += 1

    surveys = csat_service.answered(db_session=db_session, conversation_ids=ids)
    for survey in surveys:
        if survey.rating is not None:  # answered() returns rated surveys only
            conversations[survey.conversation_id].ratings.append(survey.rating)

    every = list(conversations.values())
    totals = _figures(every)
    totals["top_misunderstood"] = [
        {"text": examples[key][0], "text_en": examples[key][1], "language": examples[key][2], "count": count}
        for key, count in misunderstood.most_common(top)]
    totals["top_intents"] = [{"intent": name, "count": count}
                             for name, count in sum((c.intents for c in every), Counter()).most_common(top)]
    days = _grouped(every, lambda c: c.day)
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "totals": totals,
        "languages": _grouped(every, lambda c: c.language),
        "channels": _grouped(every, lambda c: c.channel),
        "days": [{"date": day.isoformat(), **figures} for day, figures in days.items()],
        "agents": _agents(db_session, tickets, agent_messages, surveys),
    }


def _agents(db_session: Session, tickets: list[Ticket], agent_messages: dict[int, list[datetime]],
            surveys: list) -> list[dict]:
    """Tickets per assignee, their mean first-response and resolution times, and their CSAT."""
    per_agent: dict[int | None, dict] = defaultdict(lambda: {"tickets": 0, "closed": 0, "first": [], "resolution": [],
                                                             "ratings": []})
    for ticket in tickets:
        figures = per_agent[ticket.assignee_id]
        figures["tickets"] += 1
        replies = sorted(at for at in agent_messages.get(ticket.conversation_id, [])
                         if (_seconds(ticket.created_at, at) or 0) >= 0
                         and (ticket.closed_at is None or (_seconds(at, ticket.closed_at) or 0) >= 0))
        if replies:
            figures["first"].append(_seconds(ticket.created_at, replies[0]))
        if ticket.closed_at is not None:
            figures["closed"] += 1
            figures["resolution"].append(_seconds(ticket.created_at, ticket.closed_at))
    for survey in surveys:
        if survey.agent_id is not None:
            per_agent[survey.agent_id]["ratings"].append(survey.rating)
    ids = [agent_id for agent_id in per_agent if agent_id is not None]
    names = dict(db_session.execute(select(AgentUser.id, AgentUser.name).where(AgentUser.id.in_(ids))).all()) \
        if ids else {}
    return sorted(({"agent_id": agent_id, "agent": names.get(agent_id) if agent_id else None,
                    "tickets": figures["tickets"], "closed": figures["closed"],
                    "first_response_seconds": _mean(figures["first"]),
                    "resolution_seconds": _mean(figures["resolution"]), "csat": _csat(figures["ratings"])}
                   for agent_id, figures in per_agent.items()), key=lambda row: -row["tickets"])


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    """Keep IN lists within every database's parameter limit."""
    for offset in range(0, len(ids), size):
        yield ids[offset:offset + size]
