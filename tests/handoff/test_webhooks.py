"""Ticket events reach the shop's webhook signed, are retried with backoff while it fails, and none is lost."""

import json
import os
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx
import pytest
from sqlalchemy import select, update

from conversations import service as conversation_service
from handoff import service as handoff_service
from handoff.models import OutboxEvent
from handoff.webhooks import SIGNATURE_HEADER, deliver_due, signature
from shop.source import SqlOrderSource

SECRET = "webhook-secret"


class Receiver(BaseHTTPRequestHandler):
    """A helpdesk that is down for the first `failures` requests, then records what it gets."""

    failures = 2
    received: list[tuple[dict, str]] = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if Receiver.failures > 0:
            Receiver.failures -= 1
            self.send_response(503)
        else:
            Receiver.received.append((json.loads(body), self.headers[SIGNATURE_HEADER]))
            self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def receiver_url():
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


def test_ticket_events_are_signed_retried_and_delivered_once(db_session, receiver_url):
    db_session.execute(update(OutboxEvent).values(delivered_at=datetime.now(UTC)))  # earlier tests' events
    conversation, _ = conversation_service.get_or_create(db_session=db_session, sender_id="hook-1", channel="api",
                                                         language="en")
    ticket = handoff_service.create(db_session=db_session, conversation=conversation, customer_id=None,
                                    reason="complaint", source=SqlOrderSource(db_session))
    handoff_service.close(db_session=db_session, ticket=ticket)
    db_session.commit()

    with httpx.Client() as client:
        attempts = 0
        while len(Receiver.received) < 2 and attempts < 10:
            deliver_due(db_session=db_session, client=client, url=receiver_url, secret=SECRET)
            db_session.execute(update(OutboxEvent).values(next_attempt_at=datetime.now(UTC)))  # time passes
            db_session.commit()
            attempts += 1

    assert [event["type"] for event, _ in Receiver.received] == ["ticket.created", "ticket.closed"]
    for event, signed in Receiver.received:
        body = json.dumps(event, ensure_ascii=False).encode()
        assert signed == signature(body, SECRET) and event["ticket"]["id"] == ticket.id
    events = db_session.scalars(select(OutboxEvent).where(OutboxEvent.ticket_id == ticket.id)).all()
    assert all(e.delivered_at is not None for e in events)
    assert [e.attempts for e in events] == [1, 1] and all("503" in e.last_error for e in events)


def test_failed_deliveries_back_off(db_session):
    db_session.execute(update(OutboxEvent).values(delivered_at=datetime.now(UTC)))
    conversation, _ = conversation_service.get_or_create(db_session=db_session, sender_id="hook-2", channel="api",
                                                         language="en")
    ticket = handoff_service.create(db_session=db_session, conversation=conversation, customer_id=None,
                                    reason="complaint", source=SqlOrderSource(db_session))
    db_session.commit()
    with httpx.Client() as client:
        assert deliver_due(db_session=db_session, client=client, url="http://127.0.0.1:9/", secret=SECRET) == 0
        assert deliver_due(db_session=db_session, client=client, url="http://127.0.0.1:9/", secret=SECRET) == 0
    event = db_session.scalars(select(OutboxEvent).where(OutboxEvent.ticket_id == ticket.id)).one()
    assert event.attempts == 1 and event.delivered_at is None  # the second call was before its next attempt


class SlowReceiver(BaseHTTPRequestHandler):
    """A helpdesk that takes its time, so two replicas' delivery rounds overlap."""

    received: list[int] = []

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        time.sleep(0.1)
        SlowReceiver.received.append(body["ticket"]["id"])
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.mark.skipif(not os.environ["DATABASE_URL"].startswith("postgresql"),
                    reason="row locks between replicas: PostgreSQL (make test-postgres); SQLite has one gateway")
def test_two_replicas_delivering_at_once_post_each_event_once(db_session):
    from database.core import get_session_factory

    db_session.execute(update(OutboxEvent).values(delivered_at=datetime.now(UTC)))
    tickets = []
    for n in range(6):
        conversation, _ = conversation_service.get_or_create(db_session=db_session, sender_id=f"hook-3-{n}",
                                                             channel="api", language="en")
        tickets.append(handoff_service.create(db_session=db_session, conversation=conversation, customer_id=None,
                                              reason="complaint", source=SqlOrderSource(db_session)))
    db_session.commit()
    server = HTTPServer(("127.0.0.1", 0), SlowReceiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def replica() -> None:
        with get_session_factory()() as session, httpx.Client() as client:
            deliver_due(db_session=session, client=client, url=f"http://127.0.0.1:{server.server_port}/",
                        secret=SECRET)

    rounds = [threading.Thread(target=replica) for _ in range(2)]
    for thread in rounds:
        thread.start()
    for thread in rounds:
        thread.join()
    server.shutdown()
    assert sorted(SlowReceiver.received) == sorted(ticket.id for ticket in tickets)
