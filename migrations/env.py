"""Alembic environment: the project's tables only (Rasa's tracker store manages its own `events` table)."""

from alembic import context

import conversations.models  # noqa: F401  (registers the tables)
import shop.models  # noqa: F401
import translation.models  # noqa: F401
from database.core import Base, get_engine

RASA_TABLES = {"events"}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    return not (type_ == "table" and name in RASA_TABLES)


def run_migrations() -> None:
    connectable = context.config.attributes.get("connection") or get_engine()
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            include_object=include_object,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations()
