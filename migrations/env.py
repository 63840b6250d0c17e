"""Alembic environment: the project's tables only (Rasa's tracker store manages its own `events` table)."""

from alembic import context
from sqlalchemy import Connection

import audit.models  # noqa: F401
import canned.models  # noqa: F401
import channels.models  # noqa: F401  (registers the tables)
import conversations.models  # noqa: F401
import csat.models  # noqa: F401
import handoff.models  # noqa: F401
import learning.models  # noqa: F401
import proactive.models  # noqa: F401
import shop.models  # noqa: F401
import translation.models  # noqa: F401
from database.core import Base, get_engine

RASA_TABLES = {"events"}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    return not (type_ == "table" and name in RASA_TABLES)


def run_migrations(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        # Batch migrations rebuild SQLite tables (copy, drop, rename); foreign keys would block the drop.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()


given = context.config.attributes.get("connection")  # tests pass their own connection
if given is not None:
    run_migrations(given)
else:
    with get_engine().connect() as new_connection:
        run_migrations(new_connection)
