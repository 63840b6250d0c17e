"""Analytics, CSAT and /metrics through the HTTP API, on a database of their own with the fake Rasa: shoppers
chat, one is handed to an agent who replies and closes, the shopper rates with a quick reply, and the admin's
report counts exactly that."""

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from tests.factories import create_account
from tests.gateway.conftest import gateway_environment, own_database, prepare_database
from tests.gateway.fake_rasa import FakeRasa

METRICS_TOKEN = "metrics-secret-for-tests"


@pytest.fixture
def gateway(fake_rasa: FakeRasa) -> Iterator[TestClient]:
    env = {**own_database(), "GATEWAY_RASA_URL": fake_rasa.url, "GATEWAY_RATE_LIMIT_CLIENT": "1000/minute",
           "GATEWAY_METRICS_TOKEN": METRICS_TOKEN}
    with gateway_environment(env):
        prepare_database()
        from gateway.app import create_app

        with TestClient(create_app()) as client:
            yield client


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Shopper:
    def __init__(self, client: TestClient, sender_id: str, language: str) -> None:
        self.client, self.sender_id, self.language, self.token = client, sender_id, language, None

    def say(self, text: str) -> dict:
        headers = {"X-Conversation-Token": self.token} if self.token else {}
        response = self.client.post("/api/v1/chat", headers=headers,
                                    json={"sender_id": self.sender_id, "text": text, "language": self.language})
        assert response.status_code == 200, response.text
        self.token = self.token or response.json()["conversation_token"]
        return response.json()

    def messages(self) -> list[dict]:
        return self.client.get(f"/api/v1/conversations/{self.sender_id}/messages",
                               headers={"X-Conversation-Token": self.token}).json()


def _hand_over_and_close(client: TestClient, shopper: Shopper, agent_token: str) -> str:
    ticket_id = shopper.say("I want a person")["handoff"]["ticket_id"]
    path = f"/api/v1/tickets/{ticket_id}"
    assert client.post(f"{path}/claim", headers=_bearer(agent_token)).status_code == 200
    assert client.post(f"{path}/messages", headers=_bearer(agent_token), json={"text": "Done!"}).status_code == 200
    assert client.post(f"{path}/close", headers=_bearer(agent_token)).status_code == 200
    return ticket_id


def test_closed_ticket_asks_for_a_rating_in_the_shoppers_language_and_the_report_counts_it(gateway, db_session):
    from database.core import session_scope

    with session_scope() as session:
        agent, agent_token = create_account(session)
        _, admin_token = create_account(session, role="admin")

    automated = Shopper(gateway, "an-automated", "en")
    automated.say("hi there")
    automated.say("where is my order")
    confused = Shopper(gateway, "an-confused", "en")
    confused.say("purple elephants dance")
    rater = Shopper(gateway, "an-rater", "es")
    _hand_over_and_close(gateway, rater, agent_token)

    question = rater.messages()[-1]
    assert question["text"].startswith("¿Qué tal lo hicimos?")
    assert [b["payload"] for b in question["buttons"]] == ["1", "2", "3", "4", "5"]
    thanks = rater.say("4")  # the quick reply's payload, the same as typing it
    assert thanks["messages"][0]["text"].startswith("¡Gracias por tu valoración!")

    ignorer = Shopper(gateway, "an-ignorer", "de")
    _hand_over_and_close(gateway, ignorer, agent_token)
    ordinary = ignorer.say("where is my order 1000003")  # not a rating: the assistant answers it
    assert ordinary["messages"][0]["text"] == "(fake Rasa) you asked about order_status"

    today = datetime.now(UTC).date().isoformat()
    response = gateway.get(f"/api/v1/admin/analytics?since={today}&until={today}", headers=_bearer(admin_token))
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["since"] == report["until"] == today
    english, spanish, german = (report["languages"][code] for code in ("en", "es", "de"))
    assert english["conversations"] == 2 and english["automation_rate"] == 0.5 and english["handoff_rate"] == 0.0
    assert english["fallback_rate"] == round(1 / 3, 4)
    assert spanish == {**spanish, "conversations": 1, "automation_rate": 0.0, "handoff_rate": 1.0,
                       "csat": {"count": 1, "mean": 4.0}}
    assert german["csat"] == {"count": 0, "mean": None}
    assert report["totals"]["conversations"] == 4 and report["totals"]["handoff_reasons"] == {"shopper_request": 2}
    assert report["totals"]["top_misunderstood"][0]["text"] == "purple elephants dance"
    assert report["channels"]["api"]["conversations"] == 4 and report["days"][0]["date"] == today
    [row] = [row for row in report["agents"] if row["agent"] == agent.name]
    assert row["tickets"] == row["closed"] == 2 and row["csat"] == {"count": 1, "mean": 4.0}
    assert row["first_response_seconds"] >= 0 and row["resolution_seconds"] >= row["first_response_seconds"]

    exported = gateway.get(f"/api/v1/admin/analytics/export.csv?since={today}&until={today}",
                           headers=_bearer(admin_token))
    assert exported.headers["content-type"].startswith("text/csv")
    rows = {(r["scope"], r["key"]): r for r in csv.DictReader(io.StringIO(exported.text))}
    assert rows[("language", "es")]["csat_mean"] == "4.0" and rows[("language", "en")]["automation_rate"] == "0.5"
    chart = gateway.get("/api/v1/admin/analytics/languages.png", headers=_bearer(admin_token))
    assert chart.headers["content-type"] == "image/png" and chart.content.startswith(b"\x89PNG")


def test_a_rating_may_carry_a_comment_and_only_admins_read_the_report(gateway):
    from sqlalchemy import select

    from csat.models import CsatSurvey
    from database.core import session_scope

    with session_scope() as session:
        _, agent_token = create_account(session)
    shopper = Shopper(gateway, "an-commenter", "en")
    ticket_id = _hand_over_and_close(gateway, shopper, agent_token)
    shopper.say("5 quick and kind, thanks")
    with session_scope() as session:
        survey = session.scalars(select(CsatSurvey).where(CsatSurvey.ticket_id == ticket_id)).one()
        assert (survey.rating, survey.comment) == (5, "quick and kind, thanks")
    # Answered once: a later "5" is an ordinary message
    assert not shopper.say("5")["messages"][0]["text"].startswith("Thank you for your rating")

    refused = gateway.get("/api/v1/admin/analytics", headers=_bearer(agent_token))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert gateway.get("/api/v1/admin/analytics").status_code == 401


def test_metrics_need_their_token_and_report_turns_per_language_and_backlogs(gateway):
    Shopper(gateway, "an-metrics", "fr").say("hi")
    assert gateway.get("/metrics").status_code == 401
    assert gateway.get("/metrics", headers=_bearer("wrong")).status_code == 401
    scraped = gateway.get("/metrics", headers=_bearer(METRICS_TOKEN))
    assert scraped.status_code == 200
    assert 'shopbot_turn_seconds_count{language="fr"}' in scraped.text
    assert "shopbot_unclaimed_tickets" in scraped.text and 'shopbot_outbox_backlog{outbox="channels"}' in scraped.text
    assert "shopbot_rasa_errors_total" in scraped.text and "shopbot_channel_queue_length" in scraped.text


def test_metrics_are_off_without_a_token(console):
    response = console.get("/metrics")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_a_window_that_ends_before_it_starts_is_refused(gateway, db_session):
    _, admin_token = create_account(db_session, role="admin")
    bad = gateway.get("/api/v1/admin/analytics?since=2026-12-05&until=2026-12-01", headers=_bearer(admin_token))
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_window"
    too_long = gateway.get("/api/v1/admin/analytics?since=2020-01-01&until=2026-12-01", headers=_bearer(admin_token))
    assert too_long.status_code == 422
    not_a_date = gateway.get("/api/v1/admin/analytics?since=yesterday", headers=_bearer(admin_token))
    assert not_a_date.status_code == 422 and "error" in not_a_date.json()


def test_the_shop_may_ask_after_a_conversation_the_assistant_resolved(gateway):
    from csat.settings import get_settings

    shopper = Shopper(gateway, "an-resolved", "en")
    shopper.say("where is my order")
    assert [m["text"] for m in shopper.say("thanks!")["messages"]][-1].startswith("(fake Rasa)")  # off by default
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CSAT_AFTER_BOT_RESOLUTION", "true")
        get_settings.cache_clear()
        try:
            other = Shopper(gateway, "an-resolved-2", "fr")
            other.say("where is my order")
            asked = other.say("thank you")["messages"]
            assert asked[-1]["text"].startswith("Comment avons-nous fait ?")
            assert [b["payload"] for b in asked[-1]["buttons"]] == ["1", "2", "3", "4", "5"]
            assert not other.say("thanks again")["messages"][-1]["text"].startswith("Comment")  # asked once
            assert other.say("3")["messages"][0]["text"].startswith("Merci pour votre note")
        finally:
            get_settings.cache_clear()
