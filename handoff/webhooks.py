"""Outgoing ticket webhooks through an outbox table: HMAC-SHA256 signed, retried with exponential backoff."""

import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff.models import OutboxEvent, Ticket

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Shopbot-Signature"


def ticket_event(ticket: Ticket) -> dict:
    return {"id": ticket.id, "status": ticket.status, "reason": ticket.reason, "language": ticket.language,
            "priority": ticket.priority, "summary": ticket.summary, "customer_id": ticket.customer_id,
            "assignee_id": ticket.assignee_id}


def record(*, db_session: Session, event_type: str, ticket: Ticket) -> OutboxEvent:
    """Queue an event in the caller's transaction: it exists exactly when the ticket change does."""
    event = OutboxEvent(event_type=event_type, ticket_id=ticket.id, next_attempt_at=datetime.now(UTC),
                        payload=json.dumps({"type": event_type, "ticket": ticket_event(ticket)}, ensure_ascii=False))
    db_session.add(event)
    return event


def signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver_due(
    *, db_session: Session, client: httpx.Client, url: str, secret: str, max_backoff: int = 3600, limit: int = 50
) -> int:
    """POST every event whose time has come, oldest first; returns how many were acknowledged (2xx). The events
    stay locked until the round commits, and another gateway replica's round skips them (PostgreSQL's
    SKIP LOCKED), so none is posted twice."""
    now = datetime.now(UTC)
    due = db_session.scalars(
        select(OutboxEvent).where(OutboxEvent.delivered_at.is_(None), OutboxEvent.next_attempt_at <= now)
        .order_by(OutboxEvent.id).limit(limit).with_for_update(skip_locked=True)
    ).all()
    delivered = 0
    for event in due:
        body = event.payload.encode()
        try:
            response = client.post(url, content=body, headers={"Content-Type": "application/json",
                                                                SIGNATURE_HEADER: signature(body, secret)})
            response.raise_for_status()
        except httpx.HTTPError as error:
            event.attempts += 1
            event.last_error = str(error)[:500]
            event.next_attempt_at = now + timedelta(seconds=min(2 ** event.attempts, max_backoff))
            logger.warning("ticket webhook %s failed (attempt %d): %s", event.id, event.attempts, error)
            continue
        event.delivered_at = now
        delivered += 1
    db_session.commit()
    return delivered
