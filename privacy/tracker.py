"""Rasa's SQL tracker store (its `events` table, in the same database): Rasa has no API to delete a tracker,
so the events of a conversation are read and deleted here."""

import json
from typing import Any

from sqlalchemy import bindparam, inspect, text
from sqlalchemy.orm import Session

_EVENTS = text("SELECT sender_id, type_name, timestamp, data FROM events WHERE sender_id IN :senders ORDER BY id") \
    .bindparams(bindparam("senders", expanding=True))
_DELETE = text("DELETE FROM events WHERE sender_id IN :senders").bindparams(bindparam("senders", expanding=True))


def _has_events_table(db_session: Session) -> bool:
    return inspect(db_session.connection()).has_table("events")


def export(*, db_session: Session, sender_ids: list[str]) -> list[dict[str, Any]]:
    if not sender_ids or not _has_events_table(db_session):
        return []
    rows = db_session.execute(_EVENTS, {"senders": sender_ids}).all()
    return [{"sender_id": row.sender_id, "event": row.type_name, "timestamp": row.timestamp,
             "data": json.loads(row.data) if row.data else None} for row in rows]


def erase(*, db_session: Session, sender_ids: list[str]) -> dict[str, int]:
    if not sender_ids or not _has_events_table(db_session):
        return {"rasa_events": 0}
    return {"rasa_events": db_session.execute(_DELETE, {"senders": sender_ids}).rowcount}
