"""Canned replies through the API: admins write them, agents see how each would reach the shopper, and the
shopper receives the written text of their language with the order's values filled."""

import uuid

from babel.dates import format_date
from sqlalchemy import select

from shop.models import Order, Shipment
from tests.factories import create_account, open_ticket


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _shipped_order(db_session) -> Order:
    return db_session.scalars(select(Order).join(Shipment).where(Shipment.estimated_delivery.is_not(None))
                              .order_by(Order.id)).first()


def test_agent_sends_a_canned_reply_in_the_shoppers_language_with_the_order_filled(console, db_session):
    _, token = create_account(db_session)
    order = _shipped_order(db_session)
    ticket = open_ticket(db_session, f"canned-{uuid.uuid4().hex[:8]}", "de", customer_id=order.customer_id,
                         text=f"Wo bleibt meine Bestellung {order.number}?", intent="order_status")

    listed = console.get(f"/api/v1/canned-replies?ticket_id={ticket.id}", headers=_bearer(token))
    assert listed.status_code == 200
    assert {r["name"]: r["delivery"] for r in listed.json()}["shipment_delayed"] == "written"

    suggestion = console.get(f"/api/v1/tickets/{ticket.id}/suggested-reply", headers=_bearer(token)).json()
    assert suggestion["kind"] == "canned_reply" and suggestion["name"] == "shipment_delayed"
    german_date = format_date(order.shipments[-1].estimated_delivery, format="long", locale="de")  # "5. Dezember 2026"
    assert order.number in suggestion["text"] and german_date in suggestion["text"]

    sent = console.post(f"/api/v1/tickets/{ticket.id}/messages", headers=_bearer(token),
                        json={"canned_reply": "shipment_delayed", "order_id": order.number})
    assert sent.status_code == 200, sent.text
    shipment = order.shipments[-1]
    assert sent.json()["text"].startswith(f"Es tut uns leid, {order.customer.name.split()[0]}")
    assert order.number in sent.json()["text"] and shipment.tracking_number in sent.json()["text"]
    assert sent.json()["text_en"].startswith("We are sorry")
    transcript = console.get(f"/api/v1/tickets/{ticket.id}", headers=_bearer(token)).json()["messages"]
    assert transcript[-1]["role"] == "agent" and transcript[-1]["text"] == sent.json()["text"]


def test_a_language_without_a_translation_is_announced_and_gets_english(console, db_session):
    _, admin_token = create_account(db_session, role="admin")
    _, token = create_account(db_session)
    name = f"thanks-{uuid.uuid4().hex[:6]}"
    created = console.post("/api/v1/admin/canned-replies", headers=_bearer(admin_token),
                           json={"name": name, "texts": {"en": "Thanks for order {order_id}!",
                                                         "es": "¡Gracias por el pedido {order_id}!"}})
    assert created.status_code == 201 and created.json()["variables"] == ["order_id"]
    order = _shipped_order(db_session)
    ticket = open_ticket(db_session, f"canned-{uuid.uuid4().hex[:8]}", "ko", customer_id=order.customer_id)

    listed = console.get(f"/api/v1/canned-replies?ticket_id={ticket.id}", headers=_bearer(token)).json()
    assert {r["name"]: r["delivery"] for r in listed}[name] == "english"  # no Korean text, no ko model
    preview = console.post(f"/api/v1/tickets/{ticket.id}/preview", headers=_bearer(token),
                           json={"canned_reply": name, "order_id": order.number}).json()
    assert preview["delivery"] == "english" and preview["text"] == f"Thanks for order {order.number}!"

    # Portuguese has no written text but an installed model (Bergamot): protected machine translation
    portuguese = open_ticket(db_session, f"canned-{uuid.uuid4().hex[:8]}", "pt", customer_id=order.customer_id)
    listed = console.get(f"/api/v1/canned-replies?ticket_id={portuguese.id}", headers=_bearer(token)).json()
    assert {r["name"]: r["delivery"] for r in listed}[name] == "machine_translation"
    sent = console.post(f"/api/v1/tickets/{portuguese.id}/messages", headers=_bearer(token),
                        json={"canned_reply": name, "order_id": order.number}).json()
    assert order.number in sent["text"] and sent["text"] != sent["text_en"]


def test_bad_canned_requests_get_clear_errors(console, db_session):
    _, admin_token = create_account(db_session, role="admin")
    _, token = create_account(db_session)
    bad = console.post("/api/v1/admin/canned-replies", headers=_bearer(admin_token),
                       json={"name": "bad", "texts": {"en": "Order {order_number}"}})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_canned_reply"
    assert console.post("/api/v1/admin/canned-replies", headers=_bearer(token),
                        json={"name": "x", "texts": {"en": "Hi"}}).status_code == 403
    assert console.get("/api/v1/canned-replies").status_code == 401

    other = db_session.scalars(select(Order).order_by(Order.id.desc())).first()
    order = _shipped_order(db_session)
    assert other.customer_id != order.customer_id
    ticket = open_ticket(db_session, f"canned-{uuid.uuid4().hex[:8]}", "en", customer_id=order.customer_id)
    path = f"/api/v1/tickets/{ticket.id}/messages"
    foreign = console.post(path, headers=_bearer(token), json={"canned_reply": "invoice_sent",
                                                               "order_id": other.number})
    assert foreign.status_code == 422 and foreign.json()["error"]["code"] == "order_not_in_ticket"
    unknown = console.post(path, headers=_bearer(token), json={"canned_reply": "nope"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "canned_reply_not_found"
    both = console.post(path, headers=_bearer(token), json={"canned_reply": "invoice_sent", "text": "hi"})
    assert both.status_code == 422 and both.json()["error"]["code"] == "invalid_request"
    anonymous = open_ticket(db_session, f"canned-{uuid.uuid4().hex[:8]}", "en")
    missing = console.post(f"/api/v1/tickets/{anonymous.id}/messages", headers=_bearer(token),
                           json={"canned_reply": "invoice_sent"})
    assert missing.status_code == 422 and missing.json()["error"]["code"] == "missing_value"
