"""With Rasa down the shopper gets a polite reply, the message is kept and answered once Rasa is back, and
/health says degraded."""

import asyncio
from datetime import UTC, datetime, timedelta

from assistant.rasa_client import RasaClient
from gateway.replay import replay_stored_flow
from runtime.processes import free_port

STORED = "your message has been saved"


def _history(client, sender_id: str, token: str) -> list[tuple[str, str]]:
    messages = client.get(f"/api/v1/conversations/{sender_id}/messages",
                          headers={"X-Conversation-Token": token}).json()
    return [(m["role"], m["text"]) for m in messages]


def _replay(client, rasa_url: str, *, handoff_after: timedelta = timedelta(minutes=15),
            now=lambda: datetime.now(UTC)) -> list[str]:
    async def run() -> list[str]:
        rasa = RasaClient(rasa_url)
        try:
            return await replay_stored_flow(rasa=rasa, responses=client.app.state.responses,
                                            translator=client.app.state.translator, handoff_after=handoff_after,
                                            now=now)
        finally:
            await rasa.close()
    return asyncio.run(run())


def test_message_is_stored_and_answered_politely(client_without_rasa):
    response = client_without_rasa.post("/api/v1/chat", json={"sender_id": "down-1", "text": "where is my order?"})
    assert response.status_code == 200
    reply = response.json()["messages"][0]["text"]
    assert STORED in reply.lower()

    token = response.json()["conversation_token"]
    history = client_without_rasa.get("/api/v1/conversations/down-1/messages",
                                      headers={"X-Conversation-Token": token}).json()
    assert [m["role"] for m in history] == ["shopper", "bot"]
    assert history[0]["text"] == "where is my order?"


def test_health_is_degraded(client_without_rasa):
    health = client_without_rasa.get("/health").json()
    assert health["status"] == "degraded"
    assert health["rasa"]["status"] == "down"
    assert health["database"] == "ok"
    # The process itself is alive: a load balancer keeps sending it turns, which it stores
    assert client_without_rasa.get("/health/live").json() == {"status": "alive"}


def test_parse_reports_the_assistant_unavailable(client_without_rasa):
    response = client_without_rasa.post("/api/v1/parse", json={"text": "hello"})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "assistant_unavailable"


def test_during_a_handoff_messages_are_kept_even_with_rasa_down(client_without_rasa):
    from conversations import service as conversation_service
    from database.core import session_scope
    from handoff import service as handoff_service
    from shop.source import SqlOrderSource

    with session_scope() as db_session:
        conversation, token = conversation_service.create_with_token(db_session=db_session,
                                                                     sender_id="down-handoff", channel="api",
                                                                     language="en")
        ticket = handoff_service.create(db_session=db_session, conversation=conversation, customer_id=None,
                                        reason="shopper_request", source=SqlOrderSource(db_session))
        ticket_id = ticket.id
    for text in ("are you there?", "my order is 1000234"):
        reply = client_without_rasa.post("/api/v1/chat", json={"sender_id": "down-handoff", "text": text},
                                         headers={"X-Conversation-Token": token}).json()
        assert reply["messages"] == [] and reply["handoff"] == {"ticket_id": ticket_id}
    history = client_without_rasa.get("/api/v1/conversations/down-handoff/messages",
                                      headers={"X-Conversation-Token": token}).json()
    assert [m["text"] for m in history] == ["are you there?", "my order is 1000234"]


def test_stored_messages_are_answered_in_order_once_rasa_is_back(client_without_rasa, fake_rasa):
    first = client_without_rasa.post("/api/v1/chat", json={"sender_id": "down-replay", "text": "hi there"}).json()
    token = first["conversation_token"]
    for text in ("where is my order 1000003?", "thank you"):
        reply = client_without_rasa.post("/api/v1/chat", json={"sender_id": "down-replay", "text": text},
                                         headers={"X-Conversation-Token": token}).json()
        assert STORED in reply["messages"][0]["text"].lower()

    assert "down-replay" in _replay(client_without_rasa, fake_rasa.url)

    history = _history(client_without_rasa, "down-replay", token)
    shopper = [text for role, text in history if role == "shopper"]
    assert shopper == ["hi there", "where is my order 1000003?", "thank you"]
    answers = [text for role, text in history if role == "bot" and STORED not in text.lower()]
    assert answers[1:] == ["(fake Rasa) you asked about order_status", "(fake Rasa) you asked about thank_you"]
    sent = [turn["message"] for turn in fake_rasa.turns if turn["sender"] == "down-replay"]
    assert sent == ["hi there", "where is my order 1000003?", "thank you"]
    # answered once: a second pass finds nothing left
    assert _replay(client_without_rasa, fake_rasa.url) == []


def test_the_next_message_waits_for_the_stored_ones(client_without_rasa, fake_rasa):
    token = client_without_rasa.post("/api/v1/chat", json={"sender_id": "down-next", "text": "thank you"}
                                     ).json()["conversation_token"]
    client_without_rasa.app.state.rasa = RasaClient(fake_rasa.url)  # the assistant is back
    reply = client_without_rasa.post("/api/v1/chat", json={"sender_id": "down-next", "text": "my order?"},
                                     headers={"X-Conversation-Token": token}).json()
    assert [m["text"] for m in reply["messages"]] == ["(fake Rasa) you asked about order_status"]
    sent = [turn["message"] for turn in fake_rasa.turns if turn["sender"] == "down-next"]
    assert sent == ["thank you", "my order?"]


def test_a_message_stored_too_long_goes_to_a_person(client_without_rasa, fake_rasa):
    token = client_without_rasa.post("/api/v1/chat", json={"sender_id": "down-late", "text": "where is my order?"}
                                     ).json()["conversation_token"]
    an_hour_later = datetime.now(UTC) + timedelta(hours=1)

    _replay(client_without_rasa, fake_rasa.url, handoff_after=timedelta(minutes=15), now=lambda: an_hour_later)

    assert not [turn for turn in fake_rasa.turns if turn["sender"] == "down-late"]
    reply = client_without_rasa.post("/api/v1/chat", json={"sender_id": "down-late", "text": "hello?"},
                                     headers={"X-Conversation-Token": token}).json()
    assert reply["messages"] == [] and reply["handoff"]["ticket_id"]
    assert _replay(client_without_rasa, fake_rasa.url) == []


def test_replay_waits_while_rasa_is_still_down(client_without_rasa):
    token = client_without_rasa.post("/api/v1/chat", json={"sender_id": "down-wait", "text": "hi"}
                                     ).json()["conversation_token"]
    assert _replay(client_without_rasa, f"http://127.0.0.1:{free_port()}") == []
    assert [role for role, _ in _history(client_without_rasa, "down-wait", token)] == ["shopper", "bot"]
