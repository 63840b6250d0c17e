from collections import Counter

from sqlalchemy import select

from shop.enums import OrderStatus
from shop.models import Customer, Order
from shop.seed import seed_demo_shop


def test_demo_shop_covers_the_target_markets_and_every_order_state(db_session):
    customers = db_session.scalars(select(Customer)).all()
    orders = db_session.scalars(select(Order)).all()

    assert len(customers) >= 50
    countries = {c.country for c in customers}
    assert {"ID", "MY", "TH", "VN", "SA", "AE", "EG", "MX", "BR", "ES", "DE"} <= countries
    assert len({c.language for c in customers}) >= 12
    assert len(orders) >= 200
    per_state = Counter(o.status for o in orders)
    assert set(per_state) == set(OrderStatus)
    assert min(per_state.values()) >= 25
    cod = [o for o in orders if o.payments and o.payments[0].method == "cash_on_delivery"]
    assert cod, "cash on delivery must be represented"


def test_seeding_twice_changes_nothing(db_session):
    before = len(db_session.scalars(select(Order)).all())
    assert seed_demo_shop(db_session) is False
    assert len(db_session.scalars(select(Order)).all()) == before
