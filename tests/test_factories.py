"""The order factory: a fresh order per test, with what its status implies, removed with its shopper."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from conversations import service as conversation_service
from shop.enums import OrderStatus
from shop.models import Customer, Order
from shop.profile import load_profile
from tests.factories import FIRST_NEW_ORDER_NUMBER, discard_order, new_order, open_ticket


def test_each_status_carries_what_the_flows_read(db_session):
    window = timedelta(days=load_profile().return_window_days)
    numbers = []
    for status in OrderStatus:
        order = new_order(db_session, status, "zh")
        numbers.append(order.number)
        assert int(order.number) >= FIRST_NEW_ORDER_NUMBER and order.customer.language == "zh"
        assert order.items and order.payments[0].amount == order.total
        if status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
            shipment = order.shipments[-1]
            assert shipment.carrier and shipment.tracking_number and shipment.estimated_delivery
        if status == OrderStatus.SHIPPED:
            assert order.shipments[-1].estimated_delivery >= datetime.now(UTC).date()
        if status == OrderStatus.DELIVERED:
            delivered_at = order.shipments[-1].delivered_at.replace(tzinfo=UTC)
            assert datetime.now(UTC) - window < delivered_at < datetime.now(UTC)
        if status == OrderStatus.REFUNDED:
            assert order.refunds[-1].completed_at is not None
    assert len(set(numbers)) == len(numbers)
    for number in numbers:
        discard_order(db_session, number)


def test_discard_removes_the_shopper_and_their_tickets(db_session):
    order = new_order(db_session, OrderStatus.SHIPPED)
    customer_id, number = order.customer_id, order.number
    open_ticket(db_session, "factory-ticket", customer_id=customer_id)
    discard_order(db_session, number)
    assert db_session.scalar(select(Order.id).where(Order.number == number)) is None
    assert db_session.get(Customer, customer_id) is None
    assert conversation_service.get(db_session=db_session, sender_id="factory-ticket") is None
