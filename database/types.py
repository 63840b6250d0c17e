"""Field types for the API schemas of stored rows."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator


def _in_utc(value: datetime) -> datetime:
    """SQLite gives back the stored UTC time without its offset; a client would read it as local time."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


#: A stored time, always with its UTC offset.
UtcDateTime = Annotated[datetime, AfterValidator(_in_utc)]
