"""Bad requests get a 4xx with a clear JSON error, never a stack trace."""

import pytest


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    return body["error"]


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_message(client_without_rasa, text):
    error = _error(client_without_rasa.post("/api/v1/chat", json={"sender_id": "s1", "text": text}), 422)
    assert "text" in error["message"] or "empty" in error["message"]


def test_message_over_2000_characters(client_without_rasa):
    error = _error(client_without_rasa.post("/api/v1/chat", json={"sender_id": "s1", "text": "a" * 2001}), 413)
    assert error["code"] == "message_too_long"


def test_ten_megabyte_body_is_refused_before_parsing(client_without_rasa):
    body = b'{"sender_id": "s1", "text": "' + b"a" * 10_000_000 + b'"}'
    response = client_without_rasa.post("/api/v1/chat", content=body, headers={"content-type": "application/json"})
    assert _error(response, 413)["code"] == "body_too_large"


def test_admins_may_send_larger_bodies_than_shoppers(client_without_rasa):
    body = b'{"rows": "' + b"a" * 100_000 + b'"}'  # over the shoppers' 64 kB, under the admins' 5 MB
    shopper = client_without_rasa.post("/api/v1/chat", content=body, headers={"content-type": "application/json"})
    admin = client_without_rasa.post("/api/v1/admin/examples", content=body,
                                     headers={"content-type": "application/json"})
    assert _error(shopper, 413)["code"] == "body_too_large"
    assert admin.status_code == 401  # read, then refused for want of a signed-in admin


def test_invalid_json(client_without_rasa):
    response = client_without_rasa.post("/api/v1/chat", content=b'{"sender_id": "s1", "text": ',
                                        headers={"content-type": "application/json"})
    assert _error(response, 400)["code"] == "invalid_json"


def test_invalid_utf8(client_without_rasa):
    response = client_without_rasa.post("/api/v1/chat", content=b'{"sender_id": "s1", "text": "\xff\xfe"}',
                                        headers={"content-type": "application/json"})
    assert _error(response, 400)["code"] == "invalid_body"


def test_unknown_field(client_without_rasa):
    response = client_without_rasa.post("/api/v1/chat", json={"sender_id": "s1", "text": "hi", "colour": "red"})
    assert "unknown field: colour" in _error(response, 422)["message"]


def test_unconfigured_language(client_without_rasa):
    response = client_without_rasa.post("/api/v1/chat", json={"sender_id": "s1", "text": "hi", "language": "xx"})
    assert _error(response, 422)["code"] == "unsupported_language"


def test_forged_customer_token(client_without_rasa):
    response = client_without_rasa.post(
        "/api/v1/chat", json={"sender_id": "s1", "text": "hi", "customer_token": "1.9999999999.deadbeef"}
    )
    assert _error(response, 401)["code"] == "invalid_customer_token"


def test_parse_rejects_empty_text(client_without_rasa):
    _error(client_without_rasa.post("/api/v1/parse", json={"text": ""}), 422)


def test_unknown_route_is_json(client_without_rasa):
    assert _error(client_without_rasa.get("/api/v1/nope"), 404)["code"] == "not_found"


BEYOND_64_BITS = 2**63


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/api/v1/admin/inbox/review", {"decision": "ignored", "message_ids": [BEYOND_64_BITS]}),
    ("GET", f"/api/v1/admin/jobs/{BEYOND_64_BITS}", None),
    ("POST", f"/api/v1/admin/models/{BEYOND_64_BITS}/activate", None),
    ("POST", f"/api/v1/admin/users/{BEYOND_64_BITS}/deactivate", None),
])
def test_ids_beyond_64_bits_are_refused_not_a_server_error(console, db_session, method, path, body):
    from tests.factories import create_account

    _, token = create_account(db_session, role="admin")
    response = console.request(method, path, json=body, headers={"Authorization": f"Bearer {token}"})
    assert _error(response, 422)["code"] == "invalid_request"


def test_history_after_an_id_beyond_64_bits_is_refused(client_without_rasa):
    from tests.gateway.conftest import start_conversation

    token = start_conversation(client_without_rasa, "beyond-64-bits")
    response = client_without_rasa.get("/api/v1/conversations/beyond-64-bits/messages",
                                       params={"after": BEYOND_64_BITS}, headers={"X-Conversation-Token": token})
    assert _error(response, 422)["code"] == "invalid_request"
