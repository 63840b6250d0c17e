"""Shop data for actions: one short-lived session per read, nothing kept between calls."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from database.core import session_scope
from shop.schemas import OrderRead
from shop.settings import get_settings
from shop.source import OrderSource, get_order_source, normalize_order_number

#: Orders read during one action call (see `orders_read_once`), by normalized number.
_orders_read: ContextVar[dict[str, OrderRead | None] | None] = ContextVar("orders_read", default=None)


@contextmanager
def order_source() -> Iterator[OrderSource]:
    with session_scope() as db_session:
        yield get_order_source(db_session, get_settings().order_source)


@contextmanager
def orders_read_once() -> Iterator[None]:
    """Within it (one action call), an order read again is the one read first: the order form's validation asks
    for the same order when it checks the e-mail and again when it decides which slots are still needed."""
    token = _orders_read.set({})
    try:
        yield
    finally:
        _orders_read.reset(token)


def read_order(number: str) -> OrderRead | None:
    """The order, from the shop (or as already read within `orders_read_once`)."""
    cache, key = _orders_read.get(), normalize_order_number(number)
    if cache is not None and key in cache:
        return cache[key]
    with order_source() as source:
        order = source.get_order(number)
    if cache is not None:
        cache[key] = order
    return order
