"""The shopper's profile and orders for a data-rights request. Erasure anonymises the profile; orders stay
(the shop must keep them for accounting) without anything that names the person."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.models import Customer
from shop.source import get_order_source


def customer_id_for_email(*, db_session: Session, email: str) -> int | None:
    return db_session.scalar(select(Customer.id).where(func.lower(Customer.email) == email.strip().lower()))


def customer_exists(*, db_session: Session, customer_id: int) -> bool:
    return db_session.get(Customer, customer_id) is not None


def export(*, db_session: Session, customer_id: int) -> dict[str, Any]:
    """The profile and the orders as the order source holds them."""
    source = get_order_source(db_session)
    customer = source.get_customer(customer_id)
    return {"profile": customer.model_dump(mode="json") if customer else None,
            "orders": [order.model_dump(mode="json") for order in source.list_orders(customer_id=customer_id,
                                                                                      limit=10_000)]}


def anonymise(*, db_session: Session, customer_id: int) -> dict[str, int]:
    customer = db_session.get(Customer, customer_id)
    if customer is None:
        return {"customers": 0}
    customer.name, customer.email, customer.phone = "Erased customer", f"erased-{customer.id}@erased.invalid", None
    db_session.flush()
    return {"customers": 1}
