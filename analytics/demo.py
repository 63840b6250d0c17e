"""A fortnight of demo conversations in the 16 languages, so the admin console's Analytics tab has figures on
a fresh demo shop: conversations the assistant resolved, some it did not understand, and handoffs closed by
the team and rated by the shopper. Written through the packages' services; times are set back afterwards."""

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from conversations import service as conversation_service
from csat import service as csat_service
from handoff import service as handoff_service
from shop.source import OrderSource

#: "Where is my order?" in each language (what the demo shoppers ask).
WHERE_IS_MY_ORDER = {
    "en": "Where is my order?", "es": "¿Dónde está mi pedido?", "pt": "Onde está meu pedido?",
    "fr": "Où est ma commande ?", "de": "Wo ist meine Bestellung?", "it": "Dov'è il mio ordine?",
    "ar": "أين طلبي؟", "tr": "Siparişim nerede?", "ru": "Где мой заказ?", "zh": "我的订单在哪里？",
    "ja": "注文はどこですか？", "ko": "제 주문은 어디에 있나요?", "id": "Di mana pesanan saya?",
    "vi": "Đơn hàng của tôi đâu rồi?", "th": "คำสั่งซื้อของฉันอยู่ที่ไหน", "ms": "Di mana pesanan saya?",
}
INTENTS = ("order_status", "delivery_time", "return_item", "refund_status", "payment_methods")
CHANNELS = ("web", "web", "telegram", "whatsapp", "messenger")
#: What the demo assistant did not understand (kept in English so that every admin can read the list).
MISUNDERSTOOD = ("do you sell gift cards", "can I pay in bitcoin", "is the shop open on sundays")
DAYS = 14


def seed_demo_history(*, db_session: Session, source: OrderSource, now: datetime | None = None,
                      seed: int = 14) -> int:
    """Add the demo conversations (ids `demo-<lang>-<n>`); returns how many. Languages differ on purpose
    (the encoder is weaker in some), so the per-language figures are not all alike."""
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    created = 0
    for index, (language, text) in enumerate(WHERE_IS_MY_ORDER.items()):
        automation = 0.85 - 0.03 * index  # share the assistant resolves
        for number in range(6 + index % 4):
            started = now - timedelta(days=rng.randrange(1, DAYS + 1), hours=rng.randrange(0, 20))
            conversation, new = conversation_service.get_or_create(
                db_session=db_session, sender_id=f"demo-{language}-{number}", channel=rng.choice(CHANNELS),
                language=language)
            if not new:
                continue
            created += 1
            stamped = [conversation_service.add_message(
                db_session=db_session, conversation=conversation, role="shopper", text=text, language=language,
                text_en=WHERE_IS_MY_ORDER["en"], intent=rng.choice(INTENTS), confidence=0.9)]
            stamped.append(conversation_service.add_message(
                db_session=db_session, conversation=conversation, role="bot", text="…", language=language,
                response_key="utter_order_status_processing"))
            conversation.created_at = started
            if rng.random() < automation:
                _set_times(stamped, started)
                continue
            stamped.append(conversation_service.add_message(
                db_session=db_session, conversation=conversation, role="shopper", language=language,
                text=(miss := rng.choice(MISUNDERSTOOD)), text_en=miss, intent="out_of_scope", confidence=0.2))
            ticket = handoff_service.create(db_session=db_session, conversation=conversation, customer_id=None,
                                            reason=rng.choice(("shopper_request", "repeated_fallback")),
                                            source=source)
            stamped.append(conversation_service.add_message(
                db_session=db_session, conversation=conversation, role="agent", text="…", language=language))
            handoff_service.close(db_session=db_session, ticket=ticket)
            survey = csat_service.ask(db_session=db_session, conversation=conversation, ticket=ticket)
            csat_service.record(survey=survey, rating=rng.choice((3, 4, 4, 5, 5) if index % 3 else (2, 3, 4, 5)),
                                comment=None)
            _set_times(stamped, started)
            ticket.created_at = started + timedelta(minutes=3)
            ticket.closed_at = started + timedelta(minutes=rng.randrange(20, 240))
            survey.asked_at = survey.rated_at = ticket.closed_at
    db_session.flush()
    return created


def _set_times(messages: list, started: datetime) -> None:
    for offset, message in enumerate(messages):
        message.created_at = started + timedelta(minutes=offset * (4 if message.role == "agent" else 1))
