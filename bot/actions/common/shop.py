"""Shop data for actions: one short-lived session per call, nothing kept between calls."""

from collections.abc import Iterator
from contextlib import contextmanager

from database.core import session_scope
from shop.settings import get_settings
from shop.source import OrderSource, get_order_source


@contextmanager
def order_source() -> Iterator[OrderSource]:
    with session_scope() as db_session:
        yield get_order_source(db_session, get_settings().order_source)
