"""Test environment: a fresh seeded database per run (a SQLite file, or PostgreSQL with `--postgres`)."""

import os
import tempfile
from pathlib import Path

import pytest

TEST_VAR = Path(tempfile.mkdtemp(prefix="shopbot-test-"))
TEST_CUSTOMER_TOKEN_SECRET = "test-customer-token-secret"

_postgres = None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--postgres", action="store_true", help="run against a PostgreSQL server started for the run")


def pytest_configure(config: pytest.Config) -> None:
    """Point every settings object at the test database before any project module reads it."""
    global _postgres
    database_url = f"sqlite:///{TEST_VAR / 'shopbot.db'}"
    if config.getoption("--postgres"):
        from tests.postgres_server import postgres_server

        _postgres = postgres_server()
        database_url = _postgres.__enter__()
    os.environ["DATABASE_URL"] = database_url
    os.environ["SHOP_CUSTOMER_TOKEN_SECRET"] = TEST_CUSTOMER_TOKEN_SECRET
    os.environ["SHOPBOT_VAR_DIR"] = str(TEST_VAR)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _postgres is not None:
        _postgres.__exit__(None, None, None)


@pytest.fixture(scope="session", autouse=True)
def seeded_database() -> str:
    from canned.seed import seed_canned_replies
    from database.core import session_scope
    from database.migrate import upgrade_database
    from shop.seed import seed_demo_shop

    upgrade_database()
    with session_scope() as db_session:
        seed_demo_shop(db_session)
        seed_canned_replies(db_session)
    return os.environ["DATABASE_URL"]


@pytest.fixture
def db_session():
    from database.core import get_session_factory

    with get_session_factory()() as session:
        yield session


@pytest.fixture
def fresh_order(db_session):
    """fresh_order(status, language="en", **details) -> a committed order of a new shopper for this test alone
    (tests/factories.py `new_order`); removed afterwards with the conversations and tickets of its shopper."""
    from tests.factories import discard_order, new_order

    numbers: list[str] = []

    def make(*args, **details):
        order = new_order(db_session, *args, **details)
        numbers.append(order.number)
        return order

    yield make
    for number in reversed(numbers):
        discard_order(db_session, number)


@pytest.fixture
def movable_clock(monkeypatch):
    """handoff.clock.now, moved forward with `movable_clock.advance(minutes=...)` instead of sleeping."""
    from datetime import UTC, datetime, timedelta

    from handoff import clock

    class Clock:
        offset = timedelta()

        def advance(self, **delta) -> None:
            self.offset += timedelta(**delta)

    moved = Clock()
    monkeypatch.setattr(clock, "now", lambda: datetime.now(UTC) + moved.offset)
    return moved


@pytest.fixture
def statements_on_the_loop():
    """The SQL statements the project's code ran inside a coroutine on an event loop's thread while the test ran,
    each with the project frame that ran it. The gateway and the action server run them in worker threads, or one
    slow query would stall every conversation; a test's own setup in its coroutine is not counted."""
    import asyncio
    import inspect
    import sys

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    root, tests = str(Path(__file__).parent.parent), str(Path(__file__).parent)
    asynchronous = inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR
    on_the_loop: list[str] = []

    def is_project(name: str) -> bool:
        return name.startswith(root) and not name.startswith(tests) and "/.venv" not in name

    def project_frame_inside_a_coroutine():
        """The innermost project frame, if the coroutine that runs it (its own or a library's, such as
        rasa-sdk's executor calling a synchronous action) is not a test's."""
        project, frame = None, sys._getframe(2)
        while frame is not None:
            name = frame.f_code.co_filename
            if project is None and is_project(name):
                project = frame
            if frame.f_code.co_flags & asynchronous:
                return project if project is not None and not name.startswith(tests) else None
            frame = frame.f_back
        return None

    def record(_connection, _cursor, statement, *_args) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # a worker thread: where the statement belongs
            return
        if (where := project_frame_inside_a_coroutine()) is not None:
            on_the_loop.append(f"{where.f_code.co_filename[len(root) + 1:]}:{where.f_lineno} "
                               f"{where.f_code.co_name}: {statement.split(chr(10))[0][:80]}")

    event.listen(Engine, "before_cursor_execute", record)  # every engine, also one a test's gateway builds
    yield on_the_loop
    event.remove(Engine, "before_cursor_execute", record)


@pytest.fixture(autouse=True)
def database_work_off_the_loop(statements_on_the_loop):
    """Every test fails if the project's code ran a query on an event loop (see statements_on_the_loop)."""
    yield
    assert not statements_on_the_loop, "queries ran on the event loop:\n" + "\n".join(statements_on_the_loop)
