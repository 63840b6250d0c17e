"""Proactive-message tests: the gateway in-process with a fake Rasa and a fake platform API, and COD shoppers
built per test (a customer, a cash-on-delivery order, a linked channel user), removed afterwards."""

import hashlib
import hmac
import itertools
import json
import uuid
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from shop.enums import PaymentMethod
from tests.channels.fake_platform import FakePlatform
from tests.factories import discard_channel_shopper, make_channel_shopper
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
        customer_id = make_channel_shopper(db_session, number=number, language=language, channel=channel,
                                           user_id=user_id, payment=payment, shipped=shipped)
        made.append((customer_id, f"{channel}:{user_id}"))
        return number, user_id

    yield make
    for customer_id, sender_id in made:
        discard_channel_shopper(db_session, customer_id=customer_id, sender_id=sender_id)
