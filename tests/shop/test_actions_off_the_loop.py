"""The action server's actions, run by rasa-sdk's own executor on an event loop as the server runs them: their
shop reads and writes happen in worker threads (the autouse check in tests/conftest.py fails a test whose
coroutines query on the loop), and the answers are the shopper's."""

import asyncio
import json
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk.executor import ActionExecutor

from database.settings import REPO_ROOT
from shop.enums import OrderStatus


def domain() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in sorted(Path(REPO_ROOT / "bot" / "domain").glob("*.yml")):
        for key, value in (yaml.safe_load(path.read_text()) or {}).items():
            if isinstance(value, dict):
                merged.setdefault(key, {}).update(value)
            elif isinstance(value, list):
                merged.setdefault(key, []).extend(value)
    return merged


def run(action: str, *, slots: dict[str, Any], intent: str, events: list[dict] | None = None,
        active_loop: str | None = None) -> dict[str, Any]:
    tracker = {
        "sender_id": "w-actions-off-the-loop", "slots": slots, "latest_message": {"intent": {"name": intent},
                                                                                "entities": [], "text": ""},
        "events": events or [], "paused": False, "followup_action": None,
        "active_loop": {"name": active_loop} if active_loop else {}, "latest_action_name": "action_listen",
    }
    executor = ActionExecutor()
    executor.register_package("bot.actions")
    result = asyncio.run(executor.run({"next_action": action, "tracker": tracker, "domain": domain(),
                                       "version": "3.6.21"}))
    return {"events": result.events, "responses": result.responses}


def test_the_order_form_checks_the_email_off_the_loop(fresh_order):
    order = fresh_order(OrderStatus.SHIPPED)
    email = order.customer.email
    answer = run("validate_order_form", intent="inform", active_loop="order_form",
                 slots={"order_id": order.number, "order_email": email, "requested_slot": "order_email"},
                 events=[{"event": "action", "name": "action_listen"},
                         {"event": "user", "text": email, "parse_data": {"intent": {"name": "inform"}}},
                         {"event": "slot", "name": "order_email", "value": email}])
    set_slots = {e["name"]: e["value"] for e in answer["events"] if e["event"] == "slot"}
    assert set_slots["customer_id"] == str(order.customer_id) and set_slots["order_email"] == email


def test_the_order_answer_and_the_shop_info_read_the_shop_off_the_loop(fresh_order):
    shipped = fresh_order(OrderStatus.SHIPPED)
    answer = run("action_answer_order_task", intent="order_status",
                 slots={"order_id": shipped.number, "customer_id": str(shipped.customer_id)})
    assert shipped.shipments[-1].tracking_number in json.dumps(answer["responses"], ensure_ascii=False)

    when = run("action_shop_info", intent="delivery_time",
               slots={"order_id": shipped.number, "customer_id": str(shipped.customer_id)})
    assert shipped.number in json.dumps(when["responses"], ensure_ascii=False)


def test_the_cancellation_writes_the_shop_off_the_loop(db_session, fresh_order):
    from shop.models import Order

    pending = fresh_order(OrderStatus.PROCESSING)
    run("action_cancel_order", intent="affirm",
        slots={"order_id": pending.number, "customer_id": str(pending.customer_id), "cancel_pending": True})
    db_session.expire_all()
    assert db_session.get(Order, pending.id).status == OrderStatus.CANCELLED
