"""COD confirmation on WhatsApp and Telegram: the template outside the 24-hour window, interactive buttons inside
it, the shopper's button answer confirming or cancelling the order, the reminder and the give-up, opt-out."""

import hashlib
import hmac
import json
import uuid
from decimal import Decimal

from babel.numbers import format_currency
from sqlalchemy import select

from conversations.models import Conversation
from handoff.models import OutboxEvent, Ticket
from proactive import jobs
from proactive.models import CodConfirmation
from shop.enums import OrderStatus
from shop.models import Order
from tests.channels.fake_platform import WHATSAPP_APP_SECRET
from tests.channels.webhooks import whatsapp_notification
from tests.factories import stored_messages
from tests.proactive.conftest import event_body, post_event

WHATSAPP_PATH = "/whatsapp/v21.0/106540352242922/messages"


def to(recipient: str):
    return lambda sent: sent.body.get("to") == recipient or sent.body.get("chat_id") == recipient


def local_total(currency: str, language: str) -> str:
    return format_currency(Decimal("1234.50"), currency, locale=language)


def whatsapp_says(client, wa_id: str, *, text: str | None = None, pressed: str | None = None):
    """The shopper's WhatsApp message (typed, or a template quick reply pressed), signed like Meta's webhooks."""
    notification = whatsapp_notification("text", message_id=f"wamid.{uuid.uuid4().hex}", wa_id=wa_id,
                                         text=text or "")
    if pressed is not None:
        message = notification["entry"][0]["changes"][0]["value"]["messages"][0]
        message.pop("text")
        message.update({"type": "button", "button": {"payload": pressed, "text": "x"}})
    body = json.dumps(notification).encode()
    signature = "sha256=" + hmac.new(WHATSAPP_APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = client.post("/webhooks/whatsapp", content=body,
                           headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature})
    assert response.status_code == 200, response.text


def test_outside_the_window_the_arabic_confirmation_is_the_approved_template(client, cod_shopper, platform):
    number, wa_id = cod_shopper("ar")
    assert post_event(client, event_body("order.created", number)).status_code == 202
    [sent] = platform.wait_for(to(wa_id))
    assert sent.path == WHATSAPP_PATH
    assert sent.body == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": wa_id, "type": "template",
        "template": {"name": "cod_confirmation", "language": {"code": "ar"}, "components": [
            {"type": "body", "parameters": [{"type": "text", "text": number},
                                            {"type": "text", "text": local_total("SAR", "ar")}]},
            {"type": "button", "sub_type": "quick_reply", "index": "0",
             "parameters": [{"type": "payload", "payload": "/cod_confirm"}]},
            {"type": "button", "sub_type": "quick_reply", "index": "1",
             "parameters": [{"type": "payload", "payload": "/cod_cancel"}]},
        ]}}
    [message] = stored_messages(f"whatsapp:{wa_id}")
    assert message["role"] == "bot" and number in message["text"] and "تأكيد" in message["text"]


def order_of(db_session, number: str) -> Order:
    db_session.expire_all()
    return db_session.scalars(select(Order).where(Order.number == number)).one()


def test_arabic_shopper_confirms_with_the_button(client, cod_shopper, platform, db_session):
    number, wa_id = cod_shopper("ar")
    post_event(client, event_body("order.created", number))
    platform.wait_for(to(wa_id))
    whatsapp_says(client, wa_id, pressed="/cod_confirm")
    _, reply = platform.wait_for(to(wa_id), count=2)
    assert reply.body["type"] == "text" and reply.body["text"]["body"] == \
        f"شكرًا لك! تم تأكيد الطلب {number}، وسنخبرك عند شحنه."
    order = order_of(db_session, number)
    assert order.confirmed_at is not None and order.status == OrderStatus.PROCESSING
    roles = [(m["role"], m["text"]) for m in stored_messages(f"whatsapp:{wa_id}")]
    assert roles[1] == ("shopper", "تأكيد") and roles[2][0] == "bot"


def test_spanish_shopper_cancels_with_the_button_under_the_cancel_rules(client, cod_shopper, platform, db_session):
    number, wa_id = cod_shopper("es")
    post_event(client, event_body("order.created", number))
    [question] = platform.wait_for(to(wa_id))
    assert question.body["template"]["language"] == {"code": "es_MX"}
    assert question.body["template"]["components"][0]["parameters"][1]["text"] == local_total("MXN", "es")
    whatsapp_says(client, wa_id, pressed="/cod_cancel")
    _, reply = platform.wait_for(to(wa_id), count=2)
    assert reply.body["text"]["body"] == f"El pedido {number} está cancelado. No debes nada."
    order = order_of(db_session, number)
    assert order.status == OrderStatus.CANCELLED and order.payments[0].status == "voided"


def test_inside_the_window_the_confirmation_has_reply_buttons_in_the_shoppers_language(client, cod_shopper,
                                                                                       platform):
    number, wa_id = cod_shopper("es")
    whatsapp_says(client, wa_id, text="hola, buenos días, tengo una pregunta sobre mi pedido")
    platform.wait_for(to(wa_id))
    post_event(client, event_body("order.created", number))
    [question] = platform.wait_for(lambda sent: to(wa_id)(sent) and sent.body["type"] != "text")
    assert question.body["type"] == "interactive"
    interactive = question.body["interactive"]
    assert number in interactive["body"]["text"] and local_total("MXN", "es") in interactive["body"]["text"]
    assert interactive["action"]["buttons"] == [
        {"type": "reply", "reply": {"id": "/cod_confirm", "title": "Confirmar"}},
        {"type": "reply", "reply": {"id": "/cod_cancel", "title": "Cancelar pedido"}}]


def test_unanswered_one_is_reminded_once_then_handed_to_the_team(client, cod_shopper, platform, db_session,
                                                                 movable_clock):
    number, wa_id = cod_shopper("ar")
    post_event(client, event_body("order.created", number))
    platform.wait_for(to(wa_id))
    movable_clock.advance(hours=1)
    assert jobs.run_timers_once() == 0
    movable_clock.advance(hours=1, minutes=1)
    assert jobs.run_timers_once() == 1
    reminder = platform.wait_for(to(wa_id), count=2)[-1]
    assert reminder.body["template"]["name"] == "cod_reminder"
    movable_clock.advance(hours=5)
    assert jobs.run_timers_once() == 0  # one reminder only
    movable_clock.advance(hours=17)
    assert jobs.run_timers_once() == 1
    conversation_id = select(Conversation.id).where(Conversation.sender_id == f"whatsapp:{wa_id}")
    ticket = db_session.scalars(select(Ticket).where(Ticket.conversation_id.in_(conversation_id))).one()
    assert ticket.reason == "cod_unconfirmed" and number in ticket.package
    event = db_session.scalars(select(OutboxEvent).where(OutboxEvent.ticket_id == ticket.id)).one()
    assert json.loads(event.payload)["ticket"]["reason"] == "cod_unconfirmed"
    assert len(platform.sent(to(wa_id))) == 2


def test_cancelling_an_order_above_the_shops_limit_goes_to_a_person_as_the_cancel_flow_does(
    client, cod_shopper, platform, db_session, monkeypatch
):
    """HANDOFF_ESCALATE_ORDER_VALUE: cancelling a more expensive order is the team's (the order is 1,234.50)."""
    from handoff.settings import get_settings as get_handoff_settings

    monkeypatch.setenv("HANDOFF_ESCALATE_ORDER_VALUE", "600")
    get_handoff_settings.cache_clear()
    try:
        number, wa_id = cod_shopper("es")
        post_event(client, event_body("order.created", number))
        platform.wait_for(to(wa_id))
        whatsapp_says(client, wa_id, pressed="/cod_cancel")
        _, reply = platform.wait_for(to(wa_id), count=2)
    finally:
        get_handoff_settings.cache_clear()
    assert reply.body["text"]["body"] == (f"Una persona de nuestro equipo se encargará de cancelar el pedido {number} "
                                          "y te escribirá por aquí en breve.")
    order = order_of(db_session, number)
    assert order.status == OrderStatus.PROCESSING and order.payments[0].status == "pending"
    conversation_id = select(Conversation.id).where(Conversation.sender_id == f"whatsapp:{wa_id}")
    ticket = db_session.scalars(select(Ticket).where(Ticket.conversation_id.in_(conversation_id))).one()
    assert ticket.reason == "high_value_order" and ticket.priority == "high"
    confirmation = db_session.scalars(select(CodConfirmation).where(CodConfirmation.order_number == number)).one()
    assert confirmation.status == "unconfirmed"  # no reminder or give-up follows
