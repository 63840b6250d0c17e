"""Dialogue behaviour shoppers notice, through the running stack: an order question with a number and no
customer token asks for the e-mail in every language; a turn that hands over asks nothing else; a turn never
both answers and claims not to understand; "when will it arrive" about the order in context answers from it."""

import secrets

import pytest
from sqlalchemy import select

from shop.enums import OrderStatus
from shop.models import Order
from translation.responses import get_catalog

pytestmark = pytest.mark.stack

#: "Hi, where is my order number N?" as shoppers write it in each language.
WHERE_IS_ORDER_NUMBER = {
    "en": "hi, where is my order number {n}?",
    "es": "hola, ¿dónde está mi pedido número {n}?",
    "pt": "olá, onde está o meu pedido número {n}?",
    "fr": "bonjour, où est ma commande numéro {n} ?",
    "de": "hallo, wo ist meine Bestellung Nummer {n}?",
    "it": "ciao, dov'è il mio ordine numero {n}?",
    "ar": "مرحبا، أين طلبي رقم {n}؟",
    "tr": "merhaba, {n} numaralı siparişim nerede?",
    "ru": "здравствуйте, где мой заказ номер {n}?",
    "zh": "你好，我的订单{n}到哪了？",
    "ja": "こんにちは、注文番号{n}の荷物はどこですか？",
    "ko": "안녕하세요, 주문번호 {n} 어디쯤 왔나요?",
    "id": "halo, pesanan saya nomor {n} di mana?",
    "vi": "chào bạn, đơn hàng số {n} của tôi đâu rồi?",
    "th": "สวัสดีค่ะ คำสั่งซื้อหมายเลข {n} ของฉันอยู่ที่ไหน",
    "ms": "hai, mana pesanan saya nombor {n}?",
}


def new_sender() -> str:
    return f"w-{secrets.token_hex(16)}"


#: The seeded shipped order the phrasings above ask about.
MEASURED_ORDER_NUMBER = "1000101"


@pytest.mark.parametrize("language", sorted(WHERE_IS_ORDER_NUMBER))
def test_an_order_number_without_a_token_gets_the_email_question(running_stack, db_session, language):
    # Read-only, so a seeded order: the sentence encoder reads the number's digits, and some numbers still flip
    # a language (the offline replica reads Arabic with 1000987 as out of scope)
    order = db_session.scalars(select(Order).where(Order.number == MEASURED_ORDER_NUMBER)).one()
    assert order.status == OrderStatus.SHIPPED
    answer = running_stack.chat(new_sender(), WHERE_IS_ORDER_NUMBER[language].format(n=order.number))
    assert answer["language"] == language
    expected = get_catalog().render({"response": "utter_ask_order_email", "vars": {"order_id": order.number}},
                                    language)
    assert [m["text"] for m in answer["messages"]] == [expected]


def test_a_turn_that_hands_over_asks_nothing_else(running_stack):
    sender = new_sender()
    assert "order number" in running_stack.say(sender, "where is my order")
    handed = running_stack.chat(sender, "u guys are useless, i want talk to someone")
    assert handed["handoff"] is not None
    texts = [m["text"] for m in handed["messages"]]
    assert not any("?" in text for text in texts), texts  # neither "What is your order number?" nor any question


def test_when_will_it_arrive_answers_from_the_order_in_context(running_stack, fresh_order):
    order = fresh_order(OrderStatus.SHIPPED)
    sender = new_sender()
    running_stack.say(sender, f"where is my order {order.number}")
    assert order.shipments[-1].tracking_number in running_stack.say(sender, order.customer.email)
    answer = running_stack.say(sender, "ok and when will it arrive?")
    assert order.number in answer and "Expected delivery" in answer
    # Without an order in context the same question gets the shop's delivery times
    assert "business days" in running_stack.say(new_sender(), "when will it arrive if I order today?")


def test_yes_to_the_person_offered_with_a_payment_answer_hands_over(running_stack):
    sender = new_sender()
    answer = running_stack.chat(sender, "i was charged twice for the same order")
    assert [b["payload"] for b in answer["messages"][-1]["buttons"]] == ["/affirm", "/deny"]
    assert running_stack.chat(sender, "/affirm")["handoff"] is not None


def test_ok_after_an_answer_asks_what_else_instead_of_falling_back(running_stack):
    sender = new_sender()
    running_stack.say(sender, "which payment methods do you accept?")
    assert running_stack.say(sender, "ok") == get_catalog().render({"response": "utter_anything_else"}, "en")
