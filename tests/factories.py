"""Finding seeded data by what a test needs, not by hard-coded numbers."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.models import Order


def orders_in_status(db_session: Session, status: str) -> list[Order]:
    return list(db_session.scalars(select(Order).where(Order.status == status).order_by(Order.id)))
