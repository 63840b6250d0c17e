"""What Rasa decided, read from its SQL tracker store (the same database as the product's own tables).

Rasa's REST channel returns only the bot's messages; the tracker store keeps the parsed user event and the slots,
saved before the webhook answers. The reads use a connection of their own, so one that fails (no tracker table
yet, another tracker store) leaves the caller's transaction, with the turn it is storing, untouched.
"""

import json
import logging
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)


def _read(db_session: Session, query: TextClause, sender_id: str) -> list[str]:
    try:
        with db_session.get_bind().engine.connect() as connection:
            return list(connection.execute(query, {"sender_id": sender_id}).scalars())
    except SQLAlchemyError as error:
        logger.warning("cannot read Rasa's tracker store: %s", error)
        return []


_USER_EVENTS = text(
    "SELECT data FROM events WHERE sender_id = :sender_id AND type_name = 'user' ORDER BY id DESC LIMIT 5"
)


def parse_of_message(*, db_session: Session, sender_id: str, message_id: str) -> dict[str, Any] | None:
    """The NLU result Rasa stored for the shopper message the gateway tagged with `message_id` (one indexed
    query instead of a second NLU pass)."""
    rows = _read(db_session, _USER_EVENTS, sender_id)
    for row in rows:
        event = json.loads(row)
        if (event.get("metadata") or {}).get("gateway_message_id") == message_id:
            return event.get("parse_data")
    return None


_SLOT_EVENTS = text(
    "SELECT data FROM events WHERE sender_id = :sender_id AND type_name = 'slot' ORDER BY id DESC LIMIT 200"
)


def latest_slot_value(*, db_session: Session, sender_id: str, slot: str) -> Any:
    """The last value the conversation's tracker gave a slot (e.g. the customer an e-mail check verified)."""
    rows = _read(db_session, _SLOT_EVENTS, sender_id)
    for row in rows:
        event = json.loads(row)
        if event.get("name") == slot:
            return event.get("value")
    return None
