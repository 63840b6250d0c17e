"""With Rasa down the shopper gets a polite reply, the message is kept, and /health says degraded."""


def test_message_is_stored_and_answered_politely(client_without_rasa):
    response = client_without_rasa.post("/api/v1/chat", json={"sender_id": "down-1", "text": "where is my order?"})
    assert response.status_code == 200
    reply = response.json()["messages"][0]["text"]
    assert "try again" in reply.lower()

    history = client_without_rasa.get("/api/v1/conversations/down-1/messages").json()
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
