"""`POST /api/v1/shop/events`: signed, checked against the contract, acted on once per event id."""

import json

from sqlalchemy import select

from proactive.models import ShopEventRecord
from tests.proactive.conftest import event_body, post_event, sign


def test_a_signed_event_is_accepted_and_a_repeated_id_is_acknowledged_without_acting_twice(client, cod_shopper,
                                                                                          platform, db_session):
    number, wa_id = cod_shopper("ar")
    body = event_body("order.created", number, event_id=f"evt-{number}")
    first, again = post_event(client, body), post_event(client, body)
    assert (first.status_code, first.json()) == (202, {"status": "accepted"})
    assert (again.status_code, again.json()) == (200, {"status": "duplicate"})
    platform.wait_for(lambda sent: sent.body.get("to") == wa_id)
    assert len(platform.sent(lambda sent: sent.body.get("to") == wa_id)) == 1
    assert db_session.scalar(select(ShopEventRecord.type).where(ShopEventRecord.id == f"evt-{number}")) == \
        "order.created"


def test_a_bad_or_missing_signature_is_refused_and_nothing_is_recorded(client, db_session):
    body = event_body("order.shipped", "1000001", event_id="evt-forged")
    assert post_event(client, body, sign(body, "another-secret")).status_code == 403
    response = client.post("/api/v1/shop/events", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "invalid_signature"
    assert db_session.get(ShopEventRecord, "evt-forged") is None


def test_a_malformed_event_gets_422_with_what_is_wrong(client):
    for body in (b"not json", json.dumps({"id": "x", "type": "order.refunded", "order_number": "1",
                                          "occurred_at": "2026-12-03T10:00:00Z"}).encode(),
                 json.dumps({"id": "x", "type": "order.shipped", "order_number": "1"}).encode()):
        response = post_event(client, body)
        assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_event", body
    assert "occurred_at" in post_event(client, body).json()["error"]["message"]


def test_without_a_secret_the_endpoint_does_not_exist(client, monkeypatch):
    from proactive.settings import get_settings

    monkeypatch.delenv("SHOP_EVENTS_SECRET")
    get_settings.cache_clear()
    body = event_body("order.shipped", "1000001")
    response = post_event(client, body)
    assert response.status_code == 404 and response.json()["error"]["code"] == "shop_events_not_configured"
