"""The ticket package: who the shopper is, what they bought, what they asked, and why a person is needed."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from conversations import service as conversation_service
from conversations.intent_names import NOT_TOPICS, human_name
from conversations.models import Conversation, Message
from handoff.settings import get_settings
from shop.schemas import CustomerRead, OrderRead
from shop.source import OrderSource

PAYMENT_TROUBLE = {"failed", "pending"}


def _order(order: OrderRead) -> dict[str, Any]:
    shipment = order.latest_shipment
    payment = order.payments[-1] if order.payments else None
    return {
        "number": order.number,
        "placed_at": order.placed_at.isoformat(),
        "status": order.status,
        "total": str(order.total),
        "currency": order.currency,
        "payment_method": payment.method if payment else None,
        "payment_status": payment.status if payment else None,
        "items": [{"sku": i.sku, "name": i.name, "quantity": i.quantity, "unit_price": str(i.unit_price)}
                  for i in order.items],
        "shipment": {"carrier": shipment.carrier, "tracking_number": shipment.tracking_number,
                     "status": shipment.status,
                     "estimated_delivery": shipment.estimated_delivery.isoformat()
                     if shipment.estimated_delivery else None} if shipment else None,
        "refunds": [{"amount": str(r.amount), "status": r.status, "reason": r.reason} for r in order.refunds],
    }


def _message(message: Message) -> dict[str, Any]:
    return {"id": message.id, "role": message.role, "text": message.text, "text_en": message.text_en,
            "language": message.language, "intent": message.intent, "intent_name": human_name(message.intent),
            "confidence": message.confidence, "entities": message.entities or [],
            "created_at": message.created_at.isoformat() if message.created_at else None}


def _earlier_conversations(db_session: Session, conversation: Conversation) -> list[dict[str, Any]]:
    if conversation.customer_id is None:
        return []
    others = conversation_service.earlier_of_customer(db_session=db_session, customer_id=conversation.customer_id,
                                                      excluding_id=conversation.id)
    earlier = []
    for other in others:
        intents = [m.intent for m in other.messages if m.role == "shopper" and m.intent]
        earlier.append({"sender_id": other.sender_id, "channel": other.channel, "language": other.language,
                        "started_at": other.created_at.isoformat() if other.created_at else None,
                        "messages": len(other.messages), "intents": sorted(set(intents)),
                        "handed_to_agent": any(m.role == "agent" for m in other.messages)})
    return earlier


def priority(orders: list[OrderRead], transcript: list[Message], earlier: list[dict[str, Any]]) -> str:
    """high: an open payment problem, repeated contacts or a high-value order; else normal."""
    settings = get_settings()
    payment_trouble = any(m.intent == "payment_problem" for m in transcript) and any(
        o.payments and o.payments[-1].status in PAYMENT_TROUBLE for o in orders)
    since = datetime.now(UTC) - timedelta(days=settings.repeat_contact_days)
    recent = [c for c in earlier if c["started_at"] and datetime.fromisoformat(c["started_at"]).replace(
        tzinfo=UTC) >= since]
    high_value = any(float(o.total) > settings.high_order_value for o in orders if o.status not in ("cancelled",))
    return "high" if payment_trouble or len(recent) + 1 >= settings.repeat_contacts or high_value else "normal"


def summary(customer: CustomerRead | None, language: str, reason: str, transcript: list[Message],
            orders: list[OrderRead]) -> str:
    """A short English summary an agent reads first (template, no model)."""
    who = f"{customer.name} ({customer.country})" if customer else "An unidentified shopper"
    asked = [m.intent for m in transcript if m.role == "shopper" and m.intent and m.intent not in NOT_TOPICS]
    # asking for a person is what escalated, said after "escalated:", not a topic
    intents = Counter(name for name in asked if name != "human_handoff")
    topics = ", ".join(human_name(name).lower() for name, _ in intents.most_common(3))
    if topics:
        asked_about = f"asked about {topics}"
    else:
        asked_about = "asked for a person" if asked else "asked nothing the assistant understood"
    latest = max(orders, key=lambda o: o.placed_at) if orders else None
    orders_text = (f" {len(orders)} orders; latest {latest.number} ({latest.status}, {latest.total} {latest.currency})."
                   if latest else " No orders on record.")
    return f"{who} writing in {language} {asked_about}; escalated: {reason.replace('_', ' ')}.{orders_text}"


def build_package(
    *, db_session: Session, conversation: Conversation, customer_id: int | None, reason: str, source: OrderSource
) -> dict[str, Any]:
    customer = source.get_customer(customer_id) if customer_id is not None else None
    orders = source.list_orders(customer_id=customer_id, limit=500) if customer_id is not None else []
    transcript = list(conversation.messages)
    earlier = _earlier_conversations(db_session, conversation)
    return {
        "reason": reason,
        "language": conversation.language,
        "priority": priority(orders, transcript, earlier),
        "summary": summary(customer, conversation.language, reason, transcript, orders),
        "profile": {"name": customer.name, "email": customer.email, "country": customer.country,
                    "language": customer.language, "customer_since": customer.created_at.isoformat()}
        if customer else None,
        "purchase_history": [_order(order) for order in orders],
        "inquiry_history": {"earlier_conversations": earlier,
                            "transcript": [_message(m) for m in transcript]},
    }
