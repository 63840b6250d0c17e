"""Admins manage accounts through /api/v1/admin/users; agents cannot."""

from tests.factories import create_account


def test_admins_create_accounts_set_passwords_and_reactivate_them(console, db_session):
    _, admin_token = create_account(db_session, role="admin")
    as_admin = {"Authorization": f"Bearer {admin_token}"}
    created = console.post("/api/v1/admin/users", headers=as_admin,
                           json={"name": "users-api-agent", "role": "agent", "email": "a@example.com"})
    assert created.status_code == 201
    user = created.json()["user"]
    assert user["has_password"] is False and user["email"] == "a@example.com"
    assert console.post("/api/v1/admin/users", headers=as_admin,
                        json={"name": "users-api-agent", "role": "agent"}).json()["error"]["code"] == "user_exists"
    weak = console.put(f"/api/v1/admin/users/{user['id']}/password", headers=as_admin, json={"password": "short"})
    assert weak.status_code == 422 and weak.json()["error"]["code"] == "weak_password"
    assert console.put(f"/api/v1/admin/users/{user['id']}/password", headers=as_admin,
                       json={"password": "a long password"}).status_code == 204
    assert console.post(f"/api/v1/admin/users/{user['id']}/deactivate", headers=as_admin).status_code == 200
    assert console.post(f"/api/v1/admin/users/{user['id']}/reactivate", headers=as_admin).json()["active"] is True
    signed_in = console.post("/api/v1/auth/login", json={"username": "users-api-agent",
                                                         "password": "a long password"})
    assert signed_in.status_code == 200
    listed = console.get("/api/v1/admin/users", headers=as_admin).json()
    assert any(u["name"] == "users-api-agent" and u["has_password"] for u in listed)
    missing = console.post("/api/v1/admin/users/999999/deactivate", headers=as_admin)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "user_not_found"


def test_agents_cannot_manage_accounts(console, db_session):
    _, agent_token = create_account(db_session)
    response = console.get("/api/v1/admin/users", headers={"Authorization": f"Bearer {agent_token}"})
    assert response.status_code == 403
