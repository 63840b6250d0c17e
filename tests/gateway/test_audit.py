"""The audit log: ticket work, training-data changes and account changes, read by admins only."""

from tests.factories import create_account, open_ticket


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_ticket_work_and_training_data_changes_are_audited_for_admins(console, db_session):
    agent, agent_token = create_account(db_session)
    _, admin_token = create_account(db_session, role="admin")
    ticket = open_ticket(db_session, "audit-ticket-1")
    path = f"/api/v1/tickets/{ticket.id}"
    assert console.post(f"{path}/claim", headers=_bearer(agent_token)).status_code == 200
    assert console.post(f"{path}/messages", headers=_bearer(agent_token), json={"text": "Hello!"}).status_code == 200
    assert console.post(f"{path}/notes", headers=_bearer(agent_token), json={"text": "VIP"}).status_code == 201
    assert console.post(f"{path}/close", headers=_bearer(agent_token)).status_code == 200
    added = console.post("/api/v1/admin/examples", headers=_bearer(admin_token),
                         json={"intent": "order_status", "examples": [{"text": "where is my parcel now",
                                                                       "language": "en"}]})
    assert added.status_code == 201, added.text

    events = console.get("/api/v1/admin/audit?limit=50", headers=_bearer(admin_token)).json()
    on_ticket = [e["action"] for e in events if e["subject_type"] == "ticket" and e["subject_id"] == ticket.id]
    assert on_ticket == ["ticket.closed", "ticket.note_added", "ticket.replied", "ticket.claimed"]
    assert all(e["actor_name"] == agent.name for e in events if e["subject_id"] == ticket.id)
    filtered = console.get("/api/v1/admin/audit?action=examples.added", headers=_bearer(admin_token)).json()
    assert filtered[0]["subject_id"] == "order_status" and filtered[0]["details"]["stored"] == 1
    assert {e["action"] for e in filtered} == {"examples.added"}

    refused = console.get("/api/v1/admin/audit", headers=_bearer(agent_token))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"


def test_sign_in_failures_and_account_changes_are_audited(console, db_session):
    _, admin_token = create_account(db_session, role="admin")
    created = console.post("/api/v1/admin/users", headers=_bearer(admin_token),
                           json={"name": "audit-new-agent", "role": "agent", "password": "long enough pw"})
    assert created.status_code == 201 and created.json()["api_token"]
    assert console.post("/api/v1/auth/login", json={"username": "audit-new-agent", "password": "nope-nope"}
                        ).status_code == 401
    actions = [e["action"] for e in console.get("/api/v1/admin/audit?limit=5", headers=_bearer(admin_token)).json()]
    assert actions[:2] == ["auth.signin_failed", "user.created"]
