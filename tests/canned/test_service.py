"""Canned reply templates: what admins may write, and values formatted for the shopper's locale."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from canned import service
from canned.exceptions import InvalidCannedReply, MissingValue
from canned.seed import SEED_PATH
from shop.schemas import OrderRead, RefundRead, ShipmentRead
from translation.languages import LAUNCH_LANGUAGES


def _order() -> OrderRead:
    return OrderRead(number="1000042", customer_id=1, customer_email="x@example.com", status="shipped",
                     currency="EUR", total=Decimal("1249.90"), shipping_country="DE",
                     placed_at=datetime(2026, 11, 28, 9, tzinfo=UTC), cancelled_at=None, items=[], payments=[],
                     shipments=[ShipmentRead(carrier="DHL", tracking_number="JD0142", status="in_transit",
                                             shipped_at=None, estimated_delivery=date(2026, 12, 5),
                                             delivered_at=None)],
                     refunds=[RefundRead(amount=Decimal("49.90"), status="completed", reason="damaged",
                                         requested_at=datetime(2026, 12, 1, tzinfo=UTC), completed_at=None)])


@pytest.mark.parametrize("texts, message", [
    ({"es": "Hola"}, "English text is required"),
    ({"en": "Order {order_number}"}, "unknown variable {order_number}"),
    ({"en": "Order {order_id!r}"}, "unknown variable"),
    ({"en": "Order {order_id"}, "unbalanced braces"),
    ({"en": "Order {order_id}", "de": "Bestellung"}, "same variables"),
    ({"en": "Hi", "xx": "Hi"}, "unknown language"),
])
def test_invalid_templates_are_refused_with_the_reason(texts, message):
    with pytest.raises(InvalidCannedReply, match=message):
        service.validate_texts(texts)


def test_values_are_formatted_for_the_shoppers_locale():
    de = service.order_values(order=_order(), customer=None, language="de")
    assert de["expected_date"] == "5. Dezember 2026" and de["refund_amount"] == "49,90\xa0€"
    assert service.order_values(order=_order(), customer=None, language="zh")["expected_date"] == "2026年12月5日"
    en = service.order_values(order=_order(), customer=None, language="en")
    assert en["order_total"] == "€1,249.90" and en["order_id"] == "1000042" and en["tracking_number"] == "JD0142"


def test_a_value_the_order_lacks_is_named():
    with pytest.raises(MissingValue, match=r"\{first_name\}"):
        service.fill("Hi {first_name}, order {order_id}", service.order_values(order=_order(), customer=None,
                                                                               language="en"))


def test_seeded_replies_are_written_in_every_launch_language():
    import yaml

    replies = yaml.safe_load(SEED_PATH.read_text(encoding="utf-8"))["replies"]
    assert {"refund_issued", "shipment_delayed", "address_changed", "replacement_sent", "cod_refused", "warranty",
            "invoice_sent", "apology_voucher"} <= set(replies)
    for reply in replies.values():
        assert set(reply["texts"]) == set(LAUNCH_LANGUAGES)
        service.validate_texts(reply["texts"])
