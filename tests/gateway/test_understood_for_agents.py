"""Agents read, in English, what the assistant understood from each shopper message: the intent's human name,
its confidence and the values extracted; the ticket summary names topics the same way."""

import uuid

from fastapi.testclient import TestClient

from tests.factories import create_account
from tests.gateway.conftest import gateway_environment


def test_shopper_messages_show_human_intent_names_values_and_confidence(fake_rasa, db_session):
    _, token = create_account(db_session)
    sender = f"understood-{uuid.uuid4().hex[:8]}"
    with gateway_environment({"GATEWAY_RASA_URL": fake_rasa.url}):
        from gateway.app import create_app

        with TestClient(create_app()) as client:
            first = client.post("/api/v1/chat", json={"sender_id": sender, "text": "where is my order 1000003?"})
            secret = {"X-Conversation-Token": first.json()["conversation_token"]}
            handed = client.post("/api/v1/chat", json={"sender_id": sender, "text": "a person please"},
                                 headers=secret).json()
            ticket = client.get(f"/api/v1/tickets/{handed['handoff']['ticket_id']}",
                                headers={"Authorization": f"Bearer {token}"}).json()

    asked = next(m for m in ticket["messages"] if m["role"] == "shopper")
    assert asked["intent_name"] == "Order status" and asked["confidence"] == 0.93
    assert asked["entities"] == [{"entity": "order_id", "value": "1000003"}]
    transcript = ticket["package"]["inquiry_history"]["transcript"]
    assert transcript[0]["intent_name"] == "Order status" and transcript[0]["entities"] == asked["entities"]
    assert "asked about order status" in ticket["summary"]
    assert "_" not in ticket["summary"].split(";")[0]
