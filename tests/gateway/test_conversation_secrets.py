"""Each conversation belongs to whoever created it: the public API reaches it only with its secret, and a
messaging channel's conversation not at all; a refused request stores nothing and learns nothing."""

import pytest
from sqlalchemy import func, select, text

from conversations import service as conversation_service
from conversations.models import Conversation, Message
from database.core import session_scope
from tests.gateway.conftest import start_conversation

NOT_FOUND = {"error": {"code": "conversation_not_found",
                       "message": "no such conversation (a conversation needs the secret it was created with)"}}


def _message_count(sender_id: str) -> int:
    with session_scope() as db_session:
        return db_session.scalar(select(func.count(Message.id)).join(Conversation)
                                 .where(Conversation.sender_id == sender_id))


def _history(client, sender_id: str, token: str | None):
    headers = {"X-Conversation-Token": token} if token is not None else {}
    return client.get(f"/api/v1/conversations/{sender_id}/messages", headers=headers)


def test_the_first_message_returns_a_secret_that_later_turns_need(client_without_rasa):
    token = start_conversation(client_without_rasa, "secret-1", "where is my order?")
    assert len(token) >= 22  # at least 128 random bits, URL-safe base64
    stored = _message_count("secret-1")

    for headers in ({}, {"X-Conversation-Token": "wrong"}, {"X-Conversation-Token": token[:-1] + "x"}):
        refused = client_without_rasa.post("/api/v1/chat", json={"sender_id": "secret-1", "text": "hi"},
                                           headers=headers)
        assert refused.status_code == 404 and refused.json() == NOT_FOUND
    assert _message_count("secret-1") == stored

    answered = client_without_rasa.post("/api/v1/chat", json={"sender_id": "secret-1", "text": "hi again"},
                                        headers={"X-Conversation-Token": token})
    assert answered.status_code == 200 and answered.json()["conversation_token"] is None
    assert [m["text"] for m in _history(client_without_rasa, "secret-1", token).json()
            if m["role"] == "shopper"] == ["where is my order?", "hi again"]


def test_history_needs_the_secret_and_says_no_more_than_for_an_unknown_id(client_without_rasa):
    token = start_conversation(client_without_rasa, "secret-2")
    for attempt in (None, "", "wrong", token.upper()):
        response = _history(client_without_rasa, "secret-2", attempt)
        assert response.status_code == 404 and response.json() == NOT_FOUND
    unknown = _history(client_without_rasa, "no-such-conversation", token)
    assert unknown.status_code == 404 and unknown.json() == NOT_FOUND


def test_only_a_hash_of_the_secret_is_stored(client_without_rasa):
    token = start_conversation(client_without_rasa, "secret-3")
    with session_scope() as db_session:
        conversation = conversation_service.get(db_session=db_session, sender_id="secret-3")
        assert conversation.token_hash and token not in conversation.token_hash
        assert db_session.execute(text("SELECT count(*) FROM conversations WHERE token_hash = :t"),
                                  {"t": token}).scalar_one() == 0


@pytest.mark.parametrize("channel", ["telegram", "whatsapp", "messenger"])
def test_a_channel_conversation_is_out_of_reach_of_the_public_api(client_without_rasa, channel):
    sender_id = f"{channel}:4915112345678"
    with session_scope() as db_session:
        conversation, _ = conversation_service.get_or_create(db_session=db_session, sender_id=sender_id,
                                                             channel=channel, language="en")
        conversation_service.add_message(db_session=db_session, conversation=conversation, role="shopper",
                                         text="my e-mail is ana@example.com", language="en")
    stored = _message_count(sender_id)
    for headers in ({}, {"X-Conversation-Token": "guess"}):
        chat = client_without_rasa.post("/api/v1/chat", json={"sender_id": sender_id, "text": "cancel my order"},
                                        headers=headers)
        assert chat.status_code == 404 and chat.json() == NOT_FOUND
        history = _history(client_without_rasa, sender_id, headers.get("X-Conversation-Token"))
        assert history.status_code == 404 and "ana@example.com" not in history.text
    assert _message_count(sender_id) == stored


def test_a_channel_id_cannot_be_taken_before_the_channel_uses_it(client_without_rasa):
    response = client_without_rasa.post("/api/v1/chat", json={"sender_id": "whatsapp:4915199999999", "text": "hi"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "reserved_sender_id"
    with session_scope() as db_session:
        assert conversation_service.get(db_session=db_session, sender_id="whatsapp:4915199999999") is None


def test_conversations_from_before_secrets_are_no_longer_reachable_by_id(client_without_rasa):
    with session_scope() as db_session:
        conversation_service.get_or_create(db_session=db_session, sender_id="legacy-widget-1", channel="web",
                                           language="en")
    assert client_without_rasa.post("/api/v1/chat", json={"sender_id": "legacy-widget-1", "text": "hi"}
                                    ).json() == NOT_FOUND
    assert _history(client_without_rasa, "legacy-widget-1", None).json() == NOT_FOUND
