"""With Rasa down the shopper gets a polite reply, the message is kept, and /health says degraded."""


def test_message_is_stored_and_answered_politely(client_without_rasa):
    response = client_without_rasa.post("/api/v1/chat", json={"sender_id": "down-1", "text": "where is my order?"})
    assert response.status_code == 200
    reply = response.json()["messages"][0]["text"]
    assert "try again" in reply.lower()

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
