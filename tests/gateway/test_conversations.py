"""What a client polling a conversation's messages reads."""

from datetime import UTC, datetime, timedelta


def test_message_times_carry_their_utc_offset(client_without_rasa):
    before = datetime.now(UTC) - timedelta(seconds=5)
    reply = client_without_rasa.post("/api/v1/chat", json={"sender_id": "times-1", "text": "hello"}).json()
    history = client_without_rasa.get("/api/v1/conversations/times-1/messages",
                                      headers={"X-Conversation-Token": reply.get("conversation_token", "")}).json()
    times = [datetime.fromisoformat(message["created_at"]) for message in history]
    assert times and all(time.utcoffset() == timedelta(0) for time in times), history
    assert all(before <= time <= datetime.now(UTC) + timedelta(seconds=5) for time in times)
