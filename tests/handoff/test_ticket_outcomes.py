"""A closed, rated ticket as the analytics report counts it, on the run's database (SQLite, or PostgreSQL with
--postgres): the conversations are dated on a day of their own, and removed afterwards."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete

from analytics import service as analytics_service
from conversations import service as conversation_service
from conversations.models import Conversation, Message
from csat import service as csat_service
from csat.models import CsatSurvey
from handoff import service as handoff_service
from handoff.models import OutboxEvent, Ticket
from shop.source import SqlOrderSource
from tests.factories import create_account

DAY = date(2001, 2, 3)


@pytest.fixture
def dated_conversations(db_session):
    created: list[Conversation] = []

    def make(sender_id: str, language: str, channel: str = "web") -> Conversation:
        conversation, _ = conversation_service.get_or_create(db_session=db_session, sender_id=sender_id,
                                                             channel=channel, language=language)
        conversation.created_at = datetime.combine(DAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
        created.append(conversation)
        return conversation

    yield make
    ids = [c.id for c in created]
    tickets = [t.id for t in db_session.query(Ticket).filter(Ticket.conversation_id.in_(ids))]
    for statement in (delete(CsatSurvey).where(CsatSurvey.conversation_id.in_(ids)),
                      delete(OutboxEvent).where(OutboxEvent.ticket_id.in_(tickets)),
                      delete(Ticket).where(Ticket.id.in_(tickets)),
                      delete(Message).where(Message.conversation_id.in_(ids)),
                      delete(Conversation).where(Conversation.id.in_(ids))):
        db_session.execute(statement)
    db_session.commit()


def test_a_rated_ticket_counts_for_its_language_and_agent(db_session, dated_conversations):
    agent, _ = create_account(db_session)
    resolved = dated_conversations("outcomes-resolved", "ja", channel="telegram")
    conversation_service.add_message(db_session=db_session, conversation=resolved, role="shopper",
                                     text="注文はどこですか", language="ja", intent="order_status", confidence=0.9)
    handed = dated_conversations("outcomes-handed", "ar")
    conversation_service.add_message(db_session=db_session, conversation=handed, role="shopper",
                                     text="أريد شخصا", language="ar", intent="out_of_scope", confidence=0.1)
    ticket = handoff_service.create(db_session=db_session, conversation=handed, customer_id=None,
                                    reason="repeated_fallback", source=SqlOrderSource(db_session))
    handoff_service.claim(db_session=db_session, ticket=ticket, agent_id=agent.id)
    conversation_service.add_message(db_session=db_session, conversation=handed, role="agent", text="مرحبا",
                                     language="ar")
    handoff_service.close(db_session=db_session, ticket=ticket)
    survey = csat_service.ask(db_session=db_session, conversation=handed, ticket=ticket, agent_id=agent.id)
    assert csat_service.parse_answer("2 slow") == (2, "slow") and csat_service.parse_answer("1000003") is None
    csat_service.record(survey=survey, rating=2, comment="slow")
    db_session.commit()

    report = analytics_service.report(db_session=db_session, since=DAY, until=DAY)
    assert report["languages"]["ja"]["automation_rate"] == 1.0 and report["channels"]["telegram"]["conversations"] == 1
    arabic = report["languages"]["ar"]
    assert (arabic["handoff_rate"], arabic["fallback_rate"], arabic["csat"]) == (1.0, 1.0, {"count": 1, "mean": 2.0})
    assert arabic["handoff_reasons"] == {"repeated_fallback": 1}
    [row] = [row for row in report["agents"] if row["agent_id"] == agent.id]
    assert row["tickets"] == row["closed"] == 1 and row["csat"]["mean"] == 2.0
    assert report["totals"]["top_misunderstood"][0]["text"] == "أريد شخصا"
    assert analytics_service.report(db_session=db_session, since=DAY + timedelta(days=1),
                                    until=DAY + timedelta(days=1))["totals"]["conversations"] == 0
