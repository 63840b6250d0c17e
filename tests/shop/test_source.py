import pytest

from shop.enums import OrderStatus, PaymentMethod, RefundStatus
from shop.exceptions import OrderNotCancellable
from shop.source import SqlOrderSource, normalize_order_number
from tests.factories import seeded_order


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1000234", "1000234"), ("#1000234", "1000234"), (" 0001000234 ", "1000234"), ("#a-10023", "A-10023")],
)
def test_order_numbers_are_normalized(raw, expected):
    assert normalize_order_number(raw) == expected


def test_get_order_returns_items_payments_and_shipments(db_session):
    shipped = seeded_order(db_session, OrderStatus.SHIPPED)
    order = SqlOrderSource(db_session).get_order(f"#{shipped.number}")
    assert order is not None
    assert order.customer_email == shipped.customer.email
    assert order.items and order.payments
    assert order.latest_shipment.tracking_number.startswith("TRK")


def test_unknown_order_is_none(db_session):
    assert SqlOrderSource(db_session).get_order("999999999") is None


def test_shipped_orders_cannot_be_cancelled(db_session):
    shipped = seeded_order(db_session, OrderStatus.SHIPPED)
    with pytest.raises(OrderNotCancellable):
        SqlOrderSource(db_session).cancel_order(shipped.number)
    db_session.rollback()


def test_cancelling_a_paid_order_records_its_refund(db_session, fresh_order):
    processing = fresh_order(OrderStatus.PROCESSING, payment=PaymentMethod.CARD)
    assert processing.payments[0].status == "paid"
    order = SqlOrderSource(db_session).cancel_order(processing.number)
    assert order.status == OrderStatus.CANCELLED
    assert order.cancelled_at is not None
    assert order.refunds[-1].status == RefundStatus.APPROVED
    db_session.rollback()


def test_the_latest_shipment_is_the_last_recorded(db_session):
    from datetime import UTC, datetime

    from shop.models import Shipment

    delivered = seeded_order(db_session, OrderStatus.DELIVERED)
    delivered.shipments.append(Shipment(carrier="UPS", tracking_number="TRK-RESENT", status="in_transit",
                                        shipped_at=datetime.now(UTC)))
    db_session.flush()
    db_session.expire_all()
    order = SqlOrderSource(db_session).get_order(delivered.number)
    assert [s.tracking_number for s in order.shipments][-1] == "TRK-RESENT"
    assert order.latest_shipment.tracking_number == "TRK-RESENT"
    assert len(order.items) == len(delivered.items) and len(order.payments) == len(delivered.payments)
    db_session.rollback()
