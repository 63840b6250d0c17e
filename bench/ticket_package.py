"""Time to build a ticket package for a shopper with 50 orders and 20 earlier conversations (target <= 50 ms),
on SQLite by default or on the database named by DATABASE_URL (e.g. a PostgreSQL server).

    .venv/bin/python -m bench.ticket_package [--runs 30] [--postgres]
"""

import argparse
import json
import os
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import RESULTS, percentile, run_identity, summary_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--postgres", action="store_true", help="on a PostgreSQL server started for the run")
    args = parser.parse_args()
    if args.postgres:
        from tests.postgres_server import postgres_server

        with postgres_server() as url:
            os.environ["DATABASE_URL"] = url
            measure(args.runs)
        return
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}")
    measure(args.runs)


def measure(runs: int) -> None:

    from conversations import service as conversation_service
    from database.core import get_session_factory, session_scope
    from database.migrate import upgrade_database
    from handoff.package import build_package
    from shop.models import Customer
    from shop.seed import make_order
    from shop.source import SqlOrderSource

    upgrade_database()
    rng = random.Random(1)
    with session_scope() as db_session:
        customer = Customer(name="Bench Shopper", email=f"bench-{rng.random()}@example.com", country="MX",
                            language="es", created_at=datetime.now(UTC))
        db_session.add(customer)
        statuses = ["processing", "shipped", "delivered", "cancelled", "returned", "refunded", "pending_payment"]
        for i in range(50):
            db_session.add(make_order(rng, datetime.now(UTC), 9_000_000 + i + rng.randint(0, 10**6) * 100,
                                      customer, statuses[i % len(statuses)]))
        for c in range(21):
            conversation, _ = conversation_service.get_or_create(
                db_session=db_session, sender_id=f"bench-{customer.email}-{c}", channel="api", language="es")
            conversation.customer_id = customer.id
            for turn in range(10):
                conversation_service.add_message(db_session=db_session, conversation=conversation,
                                                 role="shopper" if turn % 2 == 0 else "bot", text="¿Dónde está?",
                                                 text_en="Where is it?", language="es", intent="order_status")
        current_id, customer_id = conversation.id, customer.id

    timings = []
    for _ in range(runs):
        with get_session_factory()() as db_session:
            from conversations.models import Conversation

            start = time.perf_counter()
            package = build_package(db_session=db_session, conversation=db_session.get(Conversation, current_id),
                                    customer_id=customer_id, reason="shopper_request",
                                    source=SqlOrderSource(db_session))
            timings.append(time.perf_counter() - start)
    assert len(package["purchase_history"]) == 50 and len(package["inquiry_history"]["earlier_conversations"]) == 20
    backend = os.environ["DATABASE_URL"].split(":", 1)[0]
    print(f"\nTicket package, 50 orders + 20 earlier conversations ({run_identity()}, {backend})")
    print(f"  build: {summary_ms(timings)}  (target p50 <= 50 ms)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"ticket_package_{backend.split('+')[0]}.json").write_text(
        json.dumps({"p50_ms": percentile(timings, 50) * 1000, "p95_ms": percentile(timings, 95) * 1000}))


if __name__ == "__main__":
    main()
