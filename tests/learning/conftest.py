import pytest
from sqlalchemy.orm import Session

import conversations.models  # noqa: F401  (registers the tables)
import handoff.models  # noqa: F401
import learning.models  # noqa: F401
from database.core import Base, make_engine


@pytest.fixture
def fresh_db(tmp_path) -> Session:
    """An empty database of its own (the session-wide test database has other tests' examples in it)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'learning.db'}")
    Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:  # as the gateway's sessions (database.core)
        yield session
    engine.dispose()
