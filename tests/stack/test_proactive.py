"""Reaching out first, through the running stack: the shop's signed events in (`POST /api/v1/shop/events`), COD
confirmations and shipping updates out to the fake platform, the shopper's answers back through the real
webhooks and Rasa's NLU, and the COD timers running in the gateway (short hours set in tests/stack/conftest.py).
Each test builds its own shopper (a customer with one order, linked to a channel user) and removes it."""

import hashlib
import hmac
import itertools
import json
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from babel.numbers import format_currency

from proactive.outreach import catalog
from shop.enums import OrderStatus, PaymentStatus
from shop.source import SqlOrderSource
from tests.channels.webhooks import post_meta, whatsapp_notification
from tests.factories import discard_channel_shopper, make_channel_shopper, stored_messages
from tests.stack.conftest import (
    COD_GIVE_UP_HOURS,
    COD_REMINDER_HOURS,
    ESCALATE_ORDER_VALUE,
    SHOP_EVENTS_SECRET,
    TICKET_WEBHOOK_SECRET,
)
from tests.stack.test_channels import stays, telegram_chat, whatsapp_to

pytestmark = pytest.mark.stack

_numbers = itertools.count(800_000_000 + int(time.time()) % 10**5 * 100)


def event_body(event_type: str, number: str, event_id: str | None = None) -> bytes:
    return json.dumps({"id": event_id or f"evt-{uuid.uuid4().hex}", "type": event_type, "order_number": number,
                       "occurred_at": datetime.now(UTC).isoformat(), "data": {}}).encode()


def post_event(running_stack, body: bytes) -> httpx.Response:
    """The shop's event, signed as the shop signs it (HMAC-SHA256 of the raw body with SHOP_EVENTS_SECRET)."""
    signature = "sha256=" + hmac.new(SHOP_EVENTS_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return httpx.post(f"{running_stack.url}/api/v1/shop/events", content=body, timeout=30,
                      headers={"Content-Type": "application/json", "X-Shopbot-Signature": signature})


def proactive_text(kind: str, language: str, **variables) -> str:
    return catalog().render({"response": kind, "vars": variables}, language)


def order(number: str):
    """The order as the shop's own service reads it now."""
    from database.core import session_scope

    with session_scope() as db_session:
        return SqlOrderSource(db_session).get_order(number)


@pytest.fixture
def shopper(db_session):
    """make(language, channel, ...) → (order number, channel user id) of a new shopper linked on the channel."""
    made: list[tuple[int, str]] = []

    def make(language: str, channel: str, **order_fields) -> tuple[str, str]:
        number = str(next(_numbers))
        user_id = f"96650{number}" if channel == "whatsapp" else number
        customer_id = make_channel_shopper(db_session, number=number, language=language, channel=channel,
                                           user_id=user_id, **order_fields)
        made.append((customer_id, f"{channel}:{user_id}"))
        return number, user_id

    yield make
    for customer_id, sender_id in made:
        discard_channel_shopper(db_session, customer_id=customer_id, sender_id=sender_id)


def whatsapp_says(running_stack, wa_id: str, *, text: str | None = None, pressed: tuple[str, str] | None = None):
    """The shopper's WhatsApp message: typed, or a template's quick-reply button (payload, title) pressed, which
    the Cloud API delivers as a `type: button` message."""
    notification = whatsapp_notification("text", message_id=f"wamid.{uuid.uuid4().hex}", wa_id=wa_id,
                                         text=text or "")
    if pressed is not None:
        message = notification["entry"][0]["changes"][0]["value"]["messages"][0]
        message.pop("text")
        message.update({"type": "button", "button": {"payload": pressed[0], "text": pressed[1]}})
    response = post_meta(running_stack.url, "whatsapp", notification)
    assert response.status_code == 200 and response.json()["accepted"] == 1, response.text


def test_arabic_cod_shopper_outside_the_window_gets_the_template_and_confirms_with_its_button(
    running_stack, fake_platform, shopper
):
    number, wa_id = shopper("ar", "whatsapp")
    to_shopper = whatsapp_to(wa_id)
    accepted = post_event(running_stack, event_body("order.created", number))
    assert (accepted.status_code, accepted.json()) == (202, {"status": "accepted"})

    # The shopper never wrote: only the approved Arabic template may reach them, with the order and its total
    [question] = fake_platform.wait_for(to_shopper)
    total = format_currency(Decimal("1234.50"), "SAR", locale="ar")
    assert question.body["type"] == "template"
    template = question.body["template"]
    assert template["name"] == "cod_confirmation" and template["language"] == {"code": "ar"}
    body, confirm, cancel = template["components"]
    assert body == {"type": "body", "parameters": [{"type": "text", "text": number}, {"type": "text", "text": total}]}
    assert [(b["sub_type"], b["index"], b["parameters"]) for b in (confirm, cancel)] == [
        ("quick_reply", "0", [{"type": "payload", "payload": "/cod_confirm"}]),
        ("quick_reply", "1", [{"type": "payload", "payload": "/cod_cancel"}])]

    # Pressing "تأكيد" (Confirm) confirms the order, and the shopper is thanked in Arabic
    whatsapp_says(running_stack, wa_id, pressed=("/cod_confirm", "تأكيد"))
    reply = fake_platform.wait_for(to_shopper, count=2)[1]
    assert reply.body["type"] == "text"
    assert reply.body["text"]["body"] == proactive_text("cod_confirmed", "ar", order_id=number)
    confirmed = order(number)
    assert confirmed.confirmed_at is not None and confirmed.status == OrderStatus.PROCESSING
    history = [(m["role"], m["text"]) for m in stored_messages(f"whatsapp:{wa_id}")]
    assert history[1] == ("shopper", "تأكيد") and history[2][0] == "bot"


def test_spanish_shopper_cancels_in_their_own_words_under_the_cancel_rules(running_stack, fake_platform, shopper):
    number, wa_id = shopper("es", "whatsapp", total="450.00")  # below the shop's escalation limit
    to_shopper = whatsapp_to(wa_id)
    post_event(running_stack, event_body("order.created", number))
    [question] = fake_platform.wait_for(to_shopper)
    assert question.body["template"]["language"] == {"code": "es_MX"}

    # Typed, not a button: Rasa's NLU reads it as cancelling
    whatsapp_says(running_stack, wa_id, text="cancela mi pedido por favor")
    reply = fake_platform.wait_for(to_shopper, count=2)[1]
    assert reply.body["text"]["body"] == proactive_text("cod_cancelled", "es", order_id=number)
    cancelled = order(number)
    assert cancelled.status == OrderStatus.CANCELLED and cancelled.cancelled_at is not None
    assert [p.status for p in cancelled.payments] == [PaymentStatus.VOIDED]  # nothing owed, nothing to refund
    shopper_turn = [m for m in stored_messages(f"whatsapp:{wa_id}") if m["role"] == "shopper"]
    assert [(m["text"], m["intent"]) for m in shopper_turn] == [("cancela mi pedido por favor", "cancel_order")]


def test_cancelling_an_order_above_the_shops_limit_in_own_words_goes_to_a_person(
    running_stack, fake_platform, shopper, agent_token
):
    number, wa_id = shopper("es", "whatsapp", total="1234.50")
    assert Decimal("1234.50") > ESCALATE_ORDER_VALUE
    to_shopper = whatsapp_to(wa_id)
    post_event(running_stack, event_body("order.created", number))
    fake_platform.wait_for(to_shopper)
    whatsapp_says(running_stack, wa_id, text="quiero cancelar mi pedido")
    reply = fake_platform.wait_for(to_shopper, count=2)[1]
    assert reply.body["text"]["body"] == proactive_text("cod_cancel_handed_over", "es", order_id=number)
    assert order(number).status == OrderStatus.PROCESSING
    customer_id = order(number).customer_id
    tickets = httpx.get(f"{running_stack.url}/api/v1/tickets", headers={"Authorization": f"Bearer {agent_token}"},
                        timeout=30).json()
    assert [(t["reason"], t["priority"]) for t in tickets if t["customer_id"] == customer_id] == \
        [("high_value_order", "high")]


def test_an_unanswered_confirmation_is_reminded_once_then_handed_to_the_team(
    running_stack, fake_platform, ticket_webhook, shopper, agent_token
):
    number, wa_id = shopper("ar", "whatsapp")
    to_shopper = whatsapp_to(wa_id)
    post_event(running_stack, event_body("order.created", number))
    [question] = fake_platform.wait_for(to_shopper)

    # One reminder, the approved template again, after PROACTIVE_COD_REMINDER_HOURS
    reminder = fake_platform.wait_for(to_shopper, count=2, timeout=COD_REMINDER_HOURS * 3600 + 20)[1]
    assert reminder.received_at - question.received_at >= COD_REMINDER_HOURS * 3600 - 1
    assert reminder.body["template"]["name"] == "cod_reminder"
    assert reminder.body["template"]["language"] == {"code": "ar"}
    assert reminder.body["template"]["components"][0]["parameters"][0] == {"type": "text", "text": number}

    # After PROACTIVE_COD_GIVE_UP_HOURS the team has a ticket for it
    customer_id = order(number).customer_id
    headers = {"Authorization": f"Bearer {agent_token}"}
    deadline = time.monotonic() + COD_GIVE_UP_HOURS * 3600 + 20
    tickets: list[dict] = []
    while not tickets and time.monotonic() < deadline:
        time.sleep(0.5)
        listed = httpx.get(f"{running_stack.url}/api/v1/tickets", headers=headers, timeout=30).json()
        tickets = [t for t in listed if t["customer_id"] == customer_id]
    [ticket] = tickets
    assert ticket["reason"] == "cod_unconfirmed" and ticket["status"] == "open"
    assert time.monotonic() - question.received_at >= COD_GIVE_UP_HOURS * 3600 - 1
    package = httpx.get(f"{running_stack.url}/api/v1/tickets/{ticket['id']}", headers=headers, timeout=30).json()
    assert number in json.dumps(package, ensure_ascii=False)

    # ... and the shop's webhook was told, signed
    deadline = time.monotonic() + 20
    told: list[tuple[dict, str | None, bytes]] = []
    while not told and time.monotonic() < deadline:
        time.sleep(0.3)
        told = [(event, signature, raw) for event, signature, raw in ticket_webhook.received
                if event["ticket"]["id"] == ticket["id"]]
    [(event, signature, raw)] = told
    assert event["type"] == "ticket.created" and event["ticket"]["reason"] == "cod_unconfirmed"
    assert signature == "sha256=" + hmac.new(TICKET_WEBHOOK_SECRET.encode(), raw, hashlib.sha256).hexdigest()

    # The shopper heard exactly the question and one reminder
    assert stays(fake_platform, to_shopper, 2, seconds=1.5)


def test_a_shipping_update_reaches_a_telegram_shopper_in_spanish_with_carrier_and_tracking(
    running_stack, fake_platform, shopper
):
    number, chat_id = shopper("es", "telegram", payment="card", shipped=True, tracking_number="1Z999AA10123456784")
    assert post_event(running_stack, event_body("order.shipped", number)).status_code == 202
    [update] = fake_platform.wait_for(telegram_chat(int(chat_id)))
    assert update.body["text"] == (f"¡Buenas noticias! El pedido {number} va en camino con Aramex, número de "
                                   "seguimiento 1Z999AA10123456784.")
    [stored] = stored_messages(f"telegram:{chat_id}")
    assert stored["role"] == "bot" and stored["language"] == "es" and stored["text"] == update.body["text"]


def test_the_same_event_twice_sends_one_message(running_stack, fake_platform, shopper):
    number, chat_id = shopper("es", "telegram", payment="card", shipped=True)
    body = event_body("order.shipped", number, event_id=f"evt-shipped-{number}")
    first, again = post_event(running_stack, body), post_event(running_stack, body)
    assert (first.status_code, first.json()) == (202, {"status": "accepted"})
    assert (again.status_code, again.json()) == (200, {"status": "duplicate"})
    fake_platform.wait_for(telegram_chat(int(chat_id)))
    assert stays(fake_platform, telegram_chat(int(chat_id)), 1)
    assert len(stored_messages(f"telegram:{chat_id}")) == 1
