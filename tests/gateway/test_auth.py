"""Console sign-in through the public API: session cookie, CSRF, lockout, sign-in limits, sign-out, and API
tokens alongside."""

from datetime import timedelta

import pytest

from gateway.deps import SESSION_COOKIE
from handoff import clock
from handoff.settings import get_settings as get_handoff_settings
from tests.factories import create_account, open_ticket

PASSWORD = "correct horse battery"


def _login(client, name: str, password: str = PASSWORD, **options):
    return client.post("/api/v1/auth/login", json={"username": name, "password": password}, **options)


def _error(response) -> str:
    return response.json()["error"]["code"]


def test_sign_in_sets_a_strict_http_only_cookie_and_returns_the_csrf_token(console, db_session):
    user, _ = create_account(db_session)
    response = _login(console, user.name)
    assert response.status_code == 200
    body = response.json()
    assert body["user"] == {"name": user.name, "role": "agent"} and len(body["csrf_token"]) >= 32
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie  # plain http here
    assert console.get("/api/v1/auth/me").json() == body  # a reload keeps the session and its token
    assert console.get("/api/v1/tickets").status_code == 200


def test_the_cookie_is_secure_over_https(console, db_session):
    user, _ = create_account(db_session)
    secure = console.post("https://testserver/api/v1/auth/login", json={"username": user.name, "password": PASSWORD})
    assert secure.status_code == 200 and "Secure" in secure.headers["set-cookie"]


@pytest.mark.parametrize("case", ["wrong password", "unknown user", "inactive user", "no password yet"])
def test_wrong_credentials_all_get_the_same_401(console, db_session, case):
    user, _ = create_account(db_session, password=None if case == "no password yet" else PASSWORD)
    if case == "inactive user":
        user.active = False
        db_session.commit()
    name = "nobody-" + user.name if case == "unknown user" else user.name
    response = _login(console, name, "wrong-password" if case == "wrong password" else PASSWORD)
    assert response.status_code == 401 and _error(response) == "invalid_credentials"
    assert response.json()["error"]["message"] == "wrong user name or password"
    assert SESSION_COOKIE not in response.cookies


def test_state_changing_requests_with_the_cookie_need_the_csrf_token(console, db_session):
    user, _ = create_account(db_session)
    ticket = open_ticket(db_session, "auth-csrf-1")
    csrf = _login(console, user.name).json()["csrf_token"]
    claim = f"/api/v1/tickets/{ticket.id}/claim"
    missing = console.post(claim)
    assert missing.status_code == 403 and _error(missing) == "csrf_failed"
    wrong = console.post(claim, headers={"X-CSRF-Token": csrf[::-1]})
    assert wrong.status_code == 403 and _error(wrong) == "csrf_failed"
    right = console.post(claim, headers={"X-CSRF-Token": csrf})
    assert right.status_code == 200 and right.json()["assignee_id"] == user.id


def test_bearer_tokens_work_without_csrf(console, db_session):
    _, token = create_account(db_session, password=None)
    ticket = open_ticket(db_session, "auth-bearer-1")
    response = console.post(f"/api/v1/tickets/{ticket.id}/claim", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert console.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).json()["csrf_token"] is None


def test_sign_out_ends_the_session(console, db_session):
    user, _ = create_account(db_session)
    csrf = _login(console, user.name).json()["csrf_token"]
    cookie = console.cookies.get(SESSION_COOKIE)
    assert console.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    console.cookies.set(SESSION_COOKIE, cookie)  # even a kept copy of the cookie no longer works
    response = console.get("/api/v1/tickets")
    assert response.status_code == 401 and _error(response) == "unauthorized"


def test_deactivation_ends_sessions_and_tokens(console, db_session):
    admin, admin_token = create_account(db_session, role="admin")
    user, token = create_account(db_session)
    _login(console, user.name)
    deactivated = console.post(f"/api/v1/admin/users/{user.id}/deactivate",
                               headers={"Authorization": f"Bearer {admin_token}"})
    assert deactivated.status_code == 200 and deactivated.json()["active"] is False
    assert console.get("/api/v1/tickets").status_code == 401
    assert console.get("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert _login(console, user.name).status_code == 401


def test_repeated_failures_lock_the_account_until_the_lock_time_passes(console, db_session, movable_clock):
    user, _ = create_account(db_session)
    attempts = get_handoff_settings().lockout_attempts
    for _ in range(attempts - 1):
        assert _login(console, user.name, "wrong-password").status_code == 401
    locked = _login(console, user.name, "wrong-password")
    assert locked.status_code == 423 and _error(locked) == "account_locked"
    assert 0 < int(locked.headers["Retry-After"]) <= get_handoff_settings().lockout_minutes * 60
    refused = _login(console, user.name)  # the right password, during the lock
    assert refused.status_code == 423 and "locked" in refused.json()["error"]["message"]
    movable_clock.advance(minutes=get_handoff_settings().lockout_minutes + 1)
    assert _login(console, user.name).status_code == 200
    assert _login(console, user.name, "wrong-password").status_code == 401  # the count started again


def test_too_many_failed_sign_ins_from_one_address_get_429_with_retry_after(console, db_session):
    from gateway.settings import get_settings

    allowed = int(get_settings().rate_limit_signin.split("/")[0])
    for attempt in range(allowed):
        assert _login(console, f"guess-{attempt}", "wrong-password").status_code == 401
    user, _ = create_account(db_session)
    limited = _login(console, user.name)
    assert limited.status_code == 429 and _error(limited) == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0


def test_api_tokens_expire_and_can_be_revoked(console, db_session, movable_clock):
    _, admin_token = create_account(db_session, role="admin")
    user, _ = create_account(db_session)
    as_admin = {"Authorization": f"Bearer {admin_token}"}
    expires = (clock.now() + timedelta(hours=1)).isoformat()
    created = console.post(f"/api/v1/admin/users/{user.id}/tokens", headers=as_admin,
                           json={"label": "nightly export", "expires_at": expires})
    assert created.status_code == 201
    token = created.json()["api_token"]
    assert console.get("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    movable_clock.advance(hours=2)
    expired = console.get("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"})
    assert expired.status_code == 401 and "expired" in expired.json()["error"]["message"]

    created = console.post(f"/api/v1/admin/users/{user.id}/tokens", headers=as_admin, json={"label": "script"})
    token, token_id = created.json()["api_token"], created.json()["token"]["id"]
    assert console.get("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    revoked = console.delete(f"/api/v1/admin/users/{user.id}/tokens/{token_id}", headers=as_admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert console.get("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    listed = console.get(f"/api/v1/admin/users/{user.id}/tokens", headers=as_admin).json()
    assert {t["label"] for t in listed} >= {"nightly export", "script"}


def test_requests_are_counted_per_signed_in_user(console, db_session, monkeypatch):
    from gateway.settings import get_settings

    _, token = create_account(db_session, password=None)
    monkeypatch.setenv("GATEWAY_RATE_LIMIT_USER", "2/minute")
    get_settings.cache_clear()
    as_agent = {"Authorization": f"Bearer {token}"}
    assert [console.get("/api/v1/tickets", headers=as_agent).status_code for _ in range(3)] == [200, 200, 429]
    assert int(console.get("/api/v1/tickets", headers=as_agent).headers["Retry-After"]) > 0


def test_the_consoles_event_streams_need_a_signed_in_agent(console, db_session):
    ticket = open_ticket(db_session, "w-stream-auth")
    for path in ("/api/v1/tickets/stream", f"/api/v1/tickets/{ticket.id}/stream"):
        response = console.get(path)
        assert response.status_code == 401 and _error(response) == "unauthorized", path
