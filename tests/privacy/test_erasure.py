"""A shopper's data rights: the export holds everything stored about them; after erasure nothing remains, searched
for in every table of the database, in Rasa's tracker store and (SQLite) in the database file's bytes."""

import json
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, inspect, select, text

from channels import outbox as channel_outbox
from channels import service as channel_service
from channels.base import Inbound
from conversations import service as conversation_service
from csat import service as csat_service
from csat.models import CsatSurvey
from database.core import get_engine, session_scope
from handoff import service as handoff_service
from learning.examples import ExampleIn, add_examples
from proactive import outreach as proactive_outreach
from proactive.models import CodConfirmation, OptOut
from shop.models import Customer, Order
from shop.source import SqlOrderSource
from shopbot.cli import main as shopbot
from tests.factories import create_account
from translation.models import TranslationMemory

#: Rasa's SQL tracker store table, as Rasa 3.6 creates it (when no stack test has run yet in this database).
_RASA_EVENTS = {
    "sqlite": "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
              "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
              "action_name VARCHAR(255), data TEXT)",
    "postgresql": "CREATE TABLE IF NOT EXISTS events (id SERIAL PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                  "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
                  "action_name VARCHAR(255), data TEXT)",
}


def _a_shopper_with_data_everywhere(marker: str) -> tuple[Customer, list[str]]:
    """A customer with a widget and a Telegram conversation, tracker events, a ticket with a note and helpdesk
    event, channel link, delivery and outbox, a training example, a cached translation, a rating with a comment,
    a cash-on-delivery question and an opt-out; what they wrote."""
    with session_scope() as db_session:
        customer = Customer(name=f"Ada {marker}", email=f"{marker}@example.com", phone="+4915112345",
                            country="DE", language="de")
        db_session.add(customer)
        db_session.flush()
        said = [f"Wo ist mein Paket {marker}-eins?", f"Meine E-Mail ist {customer.email}",
                f"Bitte einen Menschen {marker}-zwei"]
        chat_id = f"77{secrets.randbelow(10**8)}"
        conversations = []
        for sender, channel in ((f"widget-{marker}", "api"), (f"telegram:{chat_id}", "telegram")):
            conversation, _ = conversation_service.get_or_create(db_session=db_session, sender_id=sender,
                                                                 channel=channel, language="de")
            conversation.customer_id = customer.id
            conversations.append(conversation)
            for line in said:
                message = conversation_service.add_message(db_session=db_session, conversation=conversation,
                                                           role="shopper", text=line, text_en=f"EN {line}",
                                                           language="de", intent="order_status")
            conversation_service.add_message(db_session=db_session, conversation=conversation, role="bot",
                                             text=f"Danke, {customer.name}", language="de")
        db_session.execute(text(_RASA_EVENTS[get_engine().dialect.name]))
        for line in said:
            db_session.execute(text("INSERT INTO events (sender_id, type_name, timestamp, intent_name, data) "
                                    "VALUES (:s, 'user', 1.0, 'order_status', :d)"),
                               {"s": conversations[0].sender_id, "d": json.dumps({"event": "user", "text": line})})
        ticket = handoff_service.create(db_session=db_session, conversation=conversations[0],
                                        customer_id=customer.id, reason="shopper_request",
                                        source=SqlOrderSource(db_session))
        handoff_service.add_note(db_session=db_session, ticket=ticket, author_id=create_account(db_session)[0].id,
                                 text=f"Called {customer.email} back")
        channel_service.link_customer(db_session=db_session, channel="telegram", channel_user_id=chat_id,
                                      customer_id=customer.id)
        channel_service.accept_once(db_session=db_session, inbound=Inbound(
            channel="telegram", message_id=f"u-{marker}", chat_id=chat_id, user_id=chat_id, text=said[0]))
        channel_outbox.enqueue(db_session=db_session, channel="telegram", recipient=chat_id,
                               bodies=[{"chat_id": chat_id, "text": f"Hallo {customer.name}"}])
        add_examples(db_session=db_session, intent="order_status", created_by="tests", message_id=message.id,
                     examples=[ExampleIn(text=said[0], language="de", text_en=f"EN {said[0]}")])
        db_session.add(TranslationMemory(src_lang="de", tgt_lang="en", source_hash=secrets.token_hex(32),
                                         source_text=said[1], translated_text=f"EN {said[1]}", backend="tests"))
        order = Order(number=f"9{secrets.randbelow(10**6):06d}", customer_id=customer.id, status="delivered",
                      currency="EUR", total=10, shipping_country="DE",
                      placed_at=datetime.now(UTC))
        db_session.add(order)
        survey = csat_service.ask(db_session=db_session, conversation=conversations[0], ticket=ticket)
        csat_service.record(survey=survey, rating=4, comment=f"quick, thanks {marker}")
        db_session.add(CodConfirmation(order_number=order.number, sender_id=conversations[1].sender_id,
                                       language="de", asked_at=datetime.now(UTC)))
        proactive_outreach.opt_out(db_session=db_session, conversation=conversations[1])
    return customer, said


def _rows_mentioning(needles: list[str]) -> list[str]:
    """Every table (ours and Rasa's) searched in every text column: `table.column: needle` for each hit."""
    hits = []
    with get_engine().connect() as connection:
        inspector = inspect(connection)
        for table in inspector.get_table_names():
            for column in inspector.get_columns(table):
                kind = str(column["type"]).upper()
                if not any(word in kind for word in ("CHAR", "TEXT", "JSON", "CLOB")):
                    continue
                for needle in needles:
                    found = connection.execute(text(
                        f'SELECT COUNT(*) FROM "{table}" WHERE CAST("{column["name"]}" AS TEXT) LIKE :needle'),
                        {"needle": f"%{needle}%"}).scalar()
                    if found:
                        hits.append(f"{table}.{column['name']}: {needle}")
    return hits


def _database_files() -> list[Path]:
    path = Path(get_engine().url.database)
    return [p for p in (path, path.with_name(path.name + "-wal")) if p.exists()]


def test_export_holds_everything_and_after_erasure_nothing_remains(tmp_path, capsys):
    marker = f"gdpr{secrets.token_hex(4)}"
    customer, said = _a_shopper_with_data_everywhere(marker)
    needles = [customer.email, marker, customer.phone, *said]

    out = tmp_path / "export.json"
    shopbot(["privacy", "export", "--email", customer.email, "--out", str(out)])
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["profile"]["email"] == customer.email and len(document["orders"]) == 1
    assert {c["channel"] for c in document["conversations"]} == {"api", "telegram"}
    assert said[1] in [m["text"] for m in document["conversations"][0]["messages"]]
    assert [e["data"]["text"] for e in document["rasa_tracker_events"]] == said
    assert document["tickets"][0]["notes"][0]["text"] == f"Called {customer.email} back"
    assert document["tickets"][0]["package"]["profile"]["email"] == customer.email
    assert len(document["channels"]["links"]) == 1 and len(document["channels"]["outbox"]) == 1
    assert document["channels"]["deliveries"][0]["inbound"]["text"] == said[0]
    assert document["training_examples"][0]["text"] == said[0]
    assert document["satisfaction"][0]["rating"] == 4 and marker in document["satisfaction"][0]["comment"]
    assert document["proactive"]["cod_confirmations"][0]["status"] == "pending"
    assert len(document["proactive"]["opt_outs"]) == 1
    assert _rows_mentioning(needles)  # the search finds the data before erasure

    shopbot(["privacy", "erase", "--email", customer.email, "--yes"])
    assert "rasa_events 3" in capsys.readouterr().out

    assert _rows_mentioning(needles) == []
    if get_engine().dialect.name == "sqlite":  # deleted rows must not linger in free pages or the WAL
        for path in _database_files():
            content = path.read_bytes()
            assert [n for n in needles if n.encode() in content] == [], path
    with session_scope() as db_session:
        # Aggregates stay: the conversations' shape (channel, language, intents) and the order
        kept = db_session.get(Customer, customer.id)
        assert kept.email.endswith("@erased.invalid") and len(kept.orders) == 1
        from audit.service import list_events

        # The rating stays for analytics; the opt-out stays so the shop never messages that number again
        telegram = document["conversations"][1]["sender_id"]
        rated = db_session.scalars(select(CsatSurvey).where(CsatSurvey.ticket_id == document["tickets"][0]["id"]))
        assert [(s.rating, s.comment) for s in rated] == [(4, None)]
        assert db_session.scalar(select(func.count()).select_from(CodConfirmation)
                                 .where(CodConfirmation.sender_id == telegram)) == 0
        assert db_session.scalar(select(OptOut.id).where(OptOut.sender_id == telegram)) is not None
        erased = list_events(db_session=db_session, action="privacy.erased")[0]
        assert erased.subject_id == str(customer.id) and erased.details["rasa_events"] == 3
        assert customer.email not in json.dumps(erased.details)


def test_admins_export_and_erase_over_the_api(console, db_session):
    marker = f"gdpr{secrets.token_hex(4)}"
    customer, said = _a_shopper_with_data_everywhere(marker)
    _, admin = create_account(db_session, role="admin")
    _, agent = create_account(db_session)
    auth = {"Authorization": f"Bearer {admin}"}
    path = "/api/v1/admin/privacy"

    assert console.post(f"{path}/export", json={"customer_id": customer.id},
                        headers={"Authorization": f"Bearer {agent}"}).status_code == 403
    exported = console.post(f"{path}/export", json={"sender_id": f"widget-{marker}"}, headers=auth)
    assert exported.status_code == 200 and exported.json()["profile"]["email"] == customer.email
    assert "attachment" in exported.headers["content-disposition"]
    both = console.post(f"{path}/export", json={"customer_id": customer.id, "email": customer.email}, headers=auth)
    assert both.status_code == 422 and both.json()["error"]["code"] == "invalid_request"
    unknown = console.post(f"{path}/export", json={"email": f"nobody-{marker}@example.com"}, headers=auth)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "subject_not_found"
    unconfirmed = console.post(f"{path}/erase", json={"customer_id": customer.id}, headers=auth)
    assert unconfirmed.status_code == 422

    erased = console.post(f"{path}/erase", json={"customer_id": customer.id, "confirm": True}, headers=auth)
    assert erased.status_code == 200 and erased.json()["erased"]["conversations"] == 2
    assert _rows_mentioning([customer.email, *said]) == []


def test_retention_erases_only_conversations_older_than_the_setting(capsys):
    marker = f"old{secrets.token_hex(4)}"
    with session_scope() as db_session:
        for sender, age in ((f"{marker}-old", 40), (f"{marker}-new", 2)):
            conversation, _ = conversation_service.get_or_create(db_session=db_session, sender_id=sender,
                                                                 channel="api", language="en")
            conversation_service.add_message(db_session=db_session, conversation=conversation, role="shopper",
                                             text=f"{sender} says hello", language="en", intent="greet")
            db_session.flush()
            conversation.updated_at = datetime.now(UTC) - timedelta(days=age)
    shopbot(["privacy", "retain", "--days", "30"])
    assert "Erased" in capsys.readouterr().out
    assert _rows_mentioning([f"{marker}-old"]) == []
    assert _rows_mentioning([f"{marker}-new says hello"]) == ["messages.text: " + f"{marker}-new says hello"]
