"""Shoppers writing Spanish, Arabic, Chinese and Portuguese complete the order flows in their language."""

import re

import httpx
import pytest

from conversations import service as conversation_service
from database.core import session_scope
from shop.auth import create_customer_token
from shop.enums import OrderStatus
from shop.models import Order

pytestmark = pytest.mark.stack

# (language, where is my order {n}?, cancel order {n}, yes, words expected in the localized replies)
SHOPPERS = [
    ("es", "¿Dónde está mi pedido {n}?", "Quiero cancelar mi pedido {n}", "sí, cancélalo", ("pedido", "cancelado")),
    ("ar", "أين طلبي رقم {n}؟", "أريد إلغاء الطلب {n}", "نعم، قم بإلغائه", ("الطلب", "إلغاء")),
    ("zh", "我的订单 {n} 在哪里？", "我想取消订单 {n}", "是的，请取消", ("订单", "取消")),
    ("pt", "Onde está o meu pedido {n}?", "Quero cancelar o pedido {n}", "sim, pode cancelar", ("pedido", "cancelado")),
]


@pytest.mark.parametrize("shopper", SHOPPERS, ids=[s[0] for s in SHOPPERS])
def test_order_status_and_cancel_in_the_shoppers_language(running_stack, db_session, fresh_order, shopper):
    language, where, cancel, yes, words = shopper
    shipped = fresh_order(OrderStatus.SHIPPED, language)
    processing = fresh_order(OrderStatus.PROCESSING, language)
    sender = f"e2e-{language}-1"

    # Order status: asks for the e-mail, then answers with carrier, tracking number and date, in the language
    asked = running_stack.chat(sender, where.format(n=shipped.number))
    assert asked["language"] == language
    assert shipped.number in asked["messages"][-1]["text"]
    status = running_stack.chat(sender, shipped.customer.email)
    text = status["messages"][-1]["text"]
    assert shipped.number in text and shipped.shipments[-1].tracking_number in text
    assert words[0] in text
    assert "is on its way" in status["messages"][-1]["text_en"]

    # Cancel with confirmation (a logged-in shopper: the shop's customer_token)
    token = create_customer_token(processing.customer_id)
    confirm = running_stack.chat(sender, cancel.format(n=processing.number), customer_token=token)
    assert processing.number in confirm["messages"][-1]["text"]
    assert "Shall I cancel it" in confirm["messages"][-1]["text_en"]
    done = running_stack.chat(sender, yes, customer_token=token)
    assert done["language"] == language
    assert processing.number in done["messages"][0]["text"] and words[1] in done["messages"][0]["text"]
    db_session.expire_all()
    assert db_session.get(Order, processing.id).status == OrderStatus.CANCELLED


def test_switching_language_mid_conversation_sticks(running_stack, db_session):
    sender = "e2e-switch-1"
    assert running_stack.chat(sender, "hi, what payment methods do you accept?")["language"] == "en"
    switched = running_stack.chat(sender, "can you answer in Spanish please?")
    assert switched["language"] == "es" and "español" in switched["messages"][0]["text"]
    again = running_stack.chat(sender, "how long does delivery take?")
    assert again["language"] == "es" and "días hábiles" in again["messages"][0]["text"]


def test_portuguese_reaches_rasa_as_english_and_is_stored_in_both(running_stack):
    sender = "e2e-pt-history"
    running_stack.chat(sender, "Quais são as formas de pagamento?")
    shopper = running_stack.history(sender)[0]
    assert shopper["language"] == "pt" and shopper["intent"] == "payment_methods"
    assert "payment" in shopper["text_en"].lower()


def test_a_language_without_mt_works_through_the_encoder_and_health_says_so(running_stack):
    reply = running_stack.chat("e2e-fr-policy", "Quelle est votre politique de retour ?")
    assert reply["language"] == "fr" and re.search(r"\d+ jours", reply["messages"][0]["text"])
    french = httpx.get(f"{running_stack.url}/health").json()["languages"]["fr"]
    assert french == {"responses": "localized", "rtl": False, "mt_to_english": None, "mt_from_english": None,
                      "live_translation": False}
    assert httpx.get(f"{running_stack.url}/health").json()["languages"]["ar"]["rtl"] is True


def test_parse_reports_language_and_english_text(running_stack):
    spanish = httpx.post(f"{running_stack.url}/api/v1/parse", json={"text": "quiero cancelar mi pedido 1000234"}).json()
    assert spanish["language"] == "es" and spanish["language_confidence"] > 0.5
    assert spanish["text_en"] is None and spanish["intent"]["name"] == "cancel_order"
    portuguese = httpx.post(f"{running_stack.url}/api/v1/parse",
                            json={"text": "Onde está o meu pedido 1000234?"}).json()
    assert portuguese["language"] == "pt" and "1000234" in portuguese["text_en"]
    assert portuguese["intent"]["name"] == "order_status"


@pytest.mark.parametrize("language, text", [
    ("pt", "Quero devolver o tênis que comprei, veio com defeito"),
    ("vi", "tôi muốn hủy đơn hàng 1000234"),
    ("es", "¿Aceptan pago contra reembolso?"),
])
def test_parse_understands_a_message_as_the_chat_turn_does(running_stack, language, text):
    """/api/v1/parse (and so the admins' evaluations) gives the NLU the chat turn's metadata: same intent."""
    sender_id = f"e2e-parse-as-chat-{language}"
    running_stack.chat(sender_id, text)
    with session_scope() as db_session:
        [shopper] = [m for m in conversation_service.list_messages(db_session=db_session, sender_id=sender_id)
                     if m.role == "shopper"]
        chat_intent = shopper.intent
    parsed = httpx.post(f"{running_stack.url}/api/v1/parse", json={"text": text}).json()
    assert parsed["language"] == language and parsed["intent"]["name"] == chat_intent


def test_rasa_parse_with_metadata_rejects_a_malformed_body(running_stack):
    url = f"{running_stack.stack_rasa_url}/model/parse_with_metadata"
    assert httpx.post(url, json={"text": "hi", "metadata": "pt"}).status_code == 400
    assert httpx.post(url, json={"metadata": {}}).status_code == 400
    assert httpx.post(url, json={"text": "hi", "metadata": {"language": "en"}}).json()["intent"]["name"] == "greet"


def test_a_message_in_a_language_the_shop_does_not_serve_gets_the_list_of_languages(running_stack):
    danish = "Hvor er min ordre? Jeg har ventet i to uger"
    reply = running_stack.chat("e2e-danish", danish)
    [message] = reply["messages"]
    assert reply["language"] == "en" and message["text"].startswith("Sorry, I can't read that language yet")
    assert "Español" in message["text"] and "日本語" in message["text"]
    # In a conversation already in Spanish, the same note comes in Spanish and the conversation stays Spanish
    running_stack.chat("e2e-danish-es", "¿Cuánto tarda el envío a Madrid?")
    later = running_stack.chat("e2e-danish-es", danish)
    assert later["language"] == "es" and later["messages"][0]["text"].startswith("Lo siento, todavía no puedo leer")
    parsed = httpx.post(f"{running_stack.url}/api/v1/parse", json={"text": danish}).json()
    assert parsed["language"] == "da" and parsed["intent"]["name"] == "out_of_scope" and parsed["text_en"] is None
