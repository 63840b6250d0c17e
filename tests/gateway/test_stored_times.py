"""Stored times reach clients with their UTC offset (SQLite returns them without one)."""

from datetime import UTC, datetime, timedelta


def test_message_times_carry_their_utc_offset(client_without_rasa):
    before = datetime.now(UTC) - timedelta(seconds=5)
    reply = client_without_rasa.post("/api/v1/chat", json={"sender_id": "times-1", "text": "hello"}).json()
    history = client_without_rasa.get("/api/v1/conversations/times-1/messages",
                                      headers={"X-Conversation-Token": reply.get("conversation_token", "")}).json()
    times = [datetime.fromisoformat(message["created_at"]) for message in history]
    assert times and all(time.utcoffset() == timedelta(0) for time in times), history
    assert all(before <= time <= datetime.now(UTC) + timedelta(seconds=5) for time in times)


def test_admin_job_times_carry_their_utc_offset():
    from gateway.admin_schemas import JobRead

    stored = datetime(2026, 12, 3, 14, 44, 58)  # as SQLite returns a DateTime(timezone=True) column
    job = JobRead(id=1, kind="train", status="done", progress=1.0, stage="done", error=None, result=None,
                  requested_by="admin", created_at=stored, started_at=stored, finished_at=None)
    assert job.model_dump(mode="json")["created_at"] == "2026-12-03T14:44:58Z"
    assert job.started_at == stored.replace(tzinfo=UTC)
