"""Proactive-message tests: the gateway in-process with a fake Rasa and a fake platform API, and COD shoppers
built per test (a customer, a cash-on-delivery order, a linked channel user), removed afterwards."""

import hashlib
import hmac
import itertools
import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from channels.models import ChannelLink, ChannelOutboxMessage
from conversations.models import Conversation, Message
from handoff.models import OutboxEvent, Ticket
from proactive.models import CodConfirmation, OptOut, ShopEventRecord
from shop.enums import OrderStatus, PaymentMethod, PaymentStatus
from shop.models import Customer, Order, Payment, Shipment
from tests.channels.fake_platform import FakePlatform
from tests.gateway.conftest import gateway_environment
from tests.gateway.fake_rasa import FakeRasa

EVENTS_SECRET = "test-shop-events-secret"
_numbers = itertools.count(int(datetime.now(UTC).timestamp()) % 10**6 * 10)


def sign(body: bytes, secret: str = EVENTS_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def event_body(event_type: str, order_number: str, *, event_id: str | None = None, **data) -> bytes:
    return json.dumps({"id": event_id or uuid.uuid4().hex, "type": event_type, "order_number": order_number,
                       "occurred_at": datetime.now(UTC).isoformat(), "data": data}).encode()


def post_event(client: TestClient, body: bytes, signature: str | None = None):
    return client.post("/api/v1/shop/events", content=body,
                       headers={"Content-Type": "application/json", "X-Shopbot-Signature": signature or sign(body)})


@pytest.fixture(scope="module")
def platform():
    fake = FakePlatform()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def fake_rasa():
    rasa = FakeRasa()
    rasa.start()
    yield rasa
    rasa.stop()


@pytest.fixture
def client(platform, fake_rasa, seeded_database):
    from gateway.app import create_app
    from proactive.settings import get_settings

    env = {**platform.env(), "GATEWAY_RASA_URL": fake_rasa.url, "SHOP_EVENTS_SECRET": EVENTS_SECRET}
    with gateway_environment(env):
        get_settings.cache_clear()
        with TestClient(create_app()) as test_client:
            yield test_client
    get_settings.cache_clear()


@pytest.fixture
def cod_shopper(db_session):
    """make(language, channel) → (order number, channel user id) of a new COD shopper linked on the channel."""
    made: list[tuple[int, str]] = []

    def make(language: str, channel: str = "whatsapp", *, payment: str = PaymentMethod.CASH_ON_DELIVERY,
             shipped: bool = False) -> tuple[str, str]:
        number = str(next(_numbers))
        user_id = f"9665{number}" if channel == "whatsapp" else number
        customer = Customer(name="Layla Haddad" if language == "ar" else "Sofía Ruiz", email=f"{number}@cod.example",
                            country="SA" if language == "ar" else "MX", language=language)
        order = Order(number=number, customer=customer, status=OrderStatus.SHIPPED if shipped else
                      OrderStatus.PROCESSING, currency="SAR" if language == "ar" else "MXN",
                      total=Decimal("1234.50"), shipping_country=customer.country, placed_at=datetime.now(UTC))
        order.payments.append(Payment(method=payment, status=PaymentStatus.PENDING, amount=order.total))
        if shipped:
            order.shipments.append(Shipment(carrier="Aramex", tracking_number=f"AX{number}", status="in_transit",
                                            shipped_at=datetime.now(UTC)))
        db_session.add_all([customer, order])
        db_session.flush()
        db_session.add(ChannelLink(channel=channel, channel_user_id=user_id, customer_id=customer.id))
        db_session.commit()
        made.append((customer.id, f"{channel}:{user_id}"))
        return number, user_id

    yield make
    db_session.rollback()
    for customer_id, sender_id in made:
        conversation_ids = select(Conversation.id).where(Conversation.sender_id == sender_id)
        ticket_ids = select(Ticket.id).where(Ticket.conversation_id.in_(conversation_ids))
        db_session.execute(delete(OutboxEvent).where(OutboxEvent.ticket_id.in_(ticket_ids)))
        db_session.execute(delete(Ticket).where(Ticket.conversation_id.in_(conversation_ids)))
        db_session.execute(delete(Message).where(Message.conversation_id.in_(conversation_ids)))
        db_session.execute(delete(Conversation).where(Conversation.sender_id == sender_id))
        db_session.execute(delete(ChannelOutboxMessage).where(
            ChannelOutboxMessage.recipient == sender_id.split(":", 1)[1]))
        db_session.execute(delete(CodConfirmation).where(CodConfirmation.sender_id == sender_id))
        db_session.execute(delete(OptOut).where(OptOut.sender_id == sender_id))
        db_session.execute(delete(ChannelLink).where(ChannelLink.customer_id == customer_id))
        for order in db_session.scalars(select(Order).where(Order.customer_id == customer_id)):
            db_session.execute(delete(ShopEventRecord).where(ShopEventRecord.order_number == order.number))
            db_session.delete(order)
        db_session.execute(delete(Customer).where(Customer.id == customer_id))
    db_session.commit()
