"""English conversations through the running stack: greet, order status, cancel, goodbye, and privacy."""

import re

import httpx
import pytest
from sqlalchemy import select

from shop.auth import create_customer_token
from shop.enums import OrderStatus
from shop.models import Order

pytestmark = pytest.mark.stack


def test_greet_status_cancel_goodbye(running_stack, db_session, fresh_order):
    shipped = fresh_order(OrderStatus.SHIPPED)
    processing = fresh_order(OrderStatus.PROCESSING)
    sender = "e2e-english-1"

    assert "assistant" in running_stack.say(sender, "hello")

    asked = running_stack.say(sender, f"where is my order {shipped.number}?")
    assert "e-mail" in asked and shipped.number in asked
    status = running_stack.say(sender, shipped.customer.email)
    shipment = shipped.shipments[-1]
    assert shipped.number in status and shipment.carrier in status and shipment.tracking_number in status
    assert "Expected delivery" in status

    # The same shopper's other order: the e-mail proved who they are, but each order is checked again.
    asked = running_stack.say(sender, f"I want to cancel order {processing.number}")
    if processing.customer_id != shipped.customer_id:
        assert "e-mail" in asked
        asked = running_stack.say(sender, processing.customer.email)
    assert "Shall I cancel it" in asked
    done = running_stack.say(sender, "yes")
    assert f"order {processing.number} is cancelled" in done

    db_session.expire_all()
    assert db_session.get(Order, processing.id).status == OrderStatus.CANCELLED
    assert "Goodbye" in running_stack.say(sender, "bye")


def test_shopper_can_keep_the_order(running_stack, db_session, fresh_order):
    pending = fresh_order(OrderStatus.PENDING_PAYMENT)
    token = create_customer_token(pending.customer_id)
    sender = "e2e-keep-1"
    asked = running_stack.say(sender, f"cancel {pending.number}", customer_token=token)
    assert "Shall I cancel it" in asked
    assert "stays as it is" in running_stack.say(sender, "no", customer_token=token)
    db_session.expire_all()
    assert db_session.get(Order, pending.id).status == OrderStatus.PENDING_PAYMENT


def test_shipped_order_cannot_be_cancelled(running_stack, fresh_order):
    shipped = fresh_order(OrderStatus.SHIPPED)
    token = create_customer_token(shipped.customer_id)
    reply = running_stack.say("e2e-shipped-1", f"please cancel my order {shipped.number}", customer_token=token)
    assert "can no longer be cancelled" in reply


def test_logged_in_shopper_is_not_asked_for_an_email(running_stack, fresh_order):
    delivered = fresh_order(OrderStatus.DELIVERED)
    token = create_customer_token(delivered.customer_id)
    sender = "e2e-token-1"
    assert "order number" in running_stack.say(sender, "where is my package", customer_token=token)
    reply = running_stack.say(sender, delivered.number, customer_token=token)
    assert f"Order {delivered.number} was delivered on" in reply


def test_wrong_email_reveals_nothing(running_stack, fresh_order):
    shipped = fresh_order(OrderStatus.SHIPPED)
    sender = "e2e-wrong-email"
    running_stack.say(sender, f"track order {shipped.number}")
    reply = running_stack.say(sender, "somebody.else@example.com")
    assert "couldn't find an order" in reply
    assert shipped.shipments[-1].tracking_number not in reply


def test_a_token_never_opens_another_customers_order(running_stack, fresh_order):
    mine, theirs = fresh_order(OrderStatus.DELIVERED), fresh_order(OrderStatus.SHIPPED)
    assert mine.customer_id != theirs.customer_id
    token = create_customer_token(mine.customer_id)
    reply = running_stack.say("e2e-other-1", f"where is order {theirs.number}", customer_token=token)
    assert "couldn't find order" in reply and theirs.shipments[-1].tracking_number not in reply


def test_return_and_refund_answers(running_stack, fresh_order):
    delivered = fresh_order(OrderStatus.DELIVERED)
    refunded = fresh_order(OrderStatus.REFUNDED)
    reply = running_stack.say("e2e-return-1", f"can I return order {delivered.number}?",
                              customer_token=create_customer_token(delivered.customer_id))
    assert re.search(r"can be returned until|return window closed", reply)
    reply = running_stack.say("e2e-refund-1", f"where is my refund for {refunded.number}",
                              customer_token=create_customer_token(refunded.customer_id))
    assert "was paid on" in reply


def test_two_misses_in_a_row_offer_a_person(running_stack):
    sender = "e2e-fallback-1"
    first = running_stack.say(sender, "what will the weather be like in Lisbon tomorrow")
    assert "I can help with" in first
    second = running_stack.say(sender, "play me some jazz music")
    assert "talk to a person" in second
    assert "customer-service team" in running_stack.say(sender, "yes")


def test_shop_profile_changes_answers_without_retraining(running_stack):
    question = "what is your return policy?"
    assert "within 30 days" in running_stack.say("e2e-policy-1", question)
    profile = running_stack.profile_path
    original = profile.read_text()
    profile.write_text(original.replace("return_window_days: 30", "return_window_days: 45"))
    try:
        assert "within 45 days" in running_stack.say("e2e-policy-2", question)
    finally:
        profile.write_text(original)  # the later tests of the stack see the shop as seeded


def test_history_keeps_every_message_with_intent_and_confidence(running_stack):
    sender = "e2e-history-1"
    running_stack.say(sender, "hi")
    running_stack.say(sender, "how long does delivery to Brazil take?")
    messages = running_stack.history(sender)
    shopper = [m for m in messages if m["role"] == "shopper"]
    assert [m["intent"] for m in shopper] == ["greet", "delivery_time"]
    assert all(0 < m["confidence"] <= 1 for m in shopper)
    assert [m["role"] for m in messages] == ["shopper", "bot", "shopper", "bot"]
    after = running_stack.history(sender, after=messages[1]["id"])
    assert [m["id"] for m in after] == [m["id"] for m in messages[2:]]


def test_parse_reports_intent_entities_and_language(running_stack):
    body = httpx.post(f"{running_stack.url}/api/v1/parse", json={"text": "where is my order #1000234"}).json()
    assert body["intent"]["name"] == "order_status"
    assert {"entity": "order_id", "value": "#1000234"} in body["entities"]
    assert body["language"] == "en" and body["text_en"] == "where is my order #1000234"
    weather = httpx.post(f"{running_stack.url}/api/v1/parse", json={"text": "will it rain in Cairo tonight"}).json()
    assert weather["intent"]["name"] == "out_of_scope"


def test_health_is_ok(running_stack):
    health = httpx.get(f"{running_stack.url}/health").json()
    assert health["status"] == "ok" and health["rasa"]["status"] == "ok"


def test_all_orders_still_belong_to_their_customers(db_session):
    assert db_session.scalars(select(Order).where(Order.customer_id.is_(None))).first() is None


def test_long_conversations_keep_the_verified_shopper_across_rasa_sessions(running_stack, fresh_order):
    """Past GATEWAY_RASA_SESSION_MAX_TURNS the gateway starts a new Rasa session; slots carry over."""
    delivered = fresh_order(OrderStatus.DELIVERED)
    sender = "e2e-long-1"
    running_stack.say(sender, f"where is order {delivered.number}")
    assert "was delivered on" in running_stack.say(sender, delivered.customer.email)
    for _ in range(22):
        assert "pay" in running_stack.say(sender, "which payment methods do you accept?")
    events = httpx.get(f"{running_stack.stack_rasa_url}/conversations/{sender}/tracker",
                       params={"include_events": "AFTER_RESTART"}).json()["events"]
    assert sum(e["event"] == "session_started" for e in events) >= 2
    assert "was delivered on" in running_stack.say(sender, f"and the status of {delivered.number}?")
