"""The actions' order reads: once per order within one action call (`orders_read_once`), afresh otherwise."""

from bot.actions.common.shop import orders_read_once, read_order
from shop.enums import OrderStatus
from shop.source import SqlOrderSource
from tests.factories import seeded_order


def _counting_reads(monkeypatch) -> list[str]:
    reads: list[str] = []
    get_order = SqlOrderSource.get_order

    def counted(self, number):
        reads.append(number)
        return get_order(self, number)

    monkeypatch.setattr(SqlOrderSource, "get_order", counted)
    return reads


def test_one_action_call_reads_an_order_once(db_session, monkeypatch):
    number = seeded_order(db_session, OrderStatus.SHIPPED).number
    reads = _counting_reads(monkeypatch)
    with orders_read_once():
        first, again = read_order(number), read_order(f"#{number}")
        assert read_order("999999999") is None and read_order("999999999") is None
    assert first is not None and again == first
    assert reads == [number, "999999999"]


def test_outside_an_action_call_every_read_asks_the_shop(db_session, monkeypatch):
    number = seeded_order(db_session, OrderStatus.SHIPPED).number
    reads = _counting_reads(monkeypatch)
    read_order(number)
    with orders_read_once():
        read_order(number)
    read_order(number)
    assert reads == [number] * 3
