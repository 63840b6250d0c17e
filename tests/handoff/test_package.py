"""The ticket package built from the shop's data and the conversation, and who may read it."""

import json
import subprocess
import sys

from conversations import service as conversation_service
from handoff import service as handoff_service
from shop.enums import OrderStatus
from shop.source import SqlOrderSource
from tests.factories import discard_account, discard_conversation


def _conversation_with(db_session, sender_id: str, customer_id: int | None, intents: list[str]):
    conversation, _ = conversation_service.get_or_create(db_session=db_session, sender_id=sender_id, channel="api",
                                                         language="es")
    conversation.customer_id = customer_id
    for intent in intents:
        message = conversation_service.add_message(db_session=db_session, conversation=conversation,
                                                   role="shopper", text="...", language="es")
        message.intent = intent
    return conversation


def test_the_package_holds_profile_every_order_and_the_transcript(db_session, fresh_order):
    order = fresh_order(OrderStatus.DELIVERED, "es")
    fresh_order(OrderStatus.PROCESSING, customer=order.customer)
    conversation = _conversation_with(db_session, "pkg-1", order.customer_id, ["order_status", "human_handoff"])
    ticket = handoff_service.create(db_session=db_session, conversation=conversation, customer_id=order.customer_id,
                                    reason="shopper_request", source=SqlOrderSource(db_session))
    package = json.loads(ticket.package)
    assert package["profile"]["email"] == order.customer.email
    assert {o["number"] for o in package["purchase_history"]} == {o.number for o in order.customer.orders}
    delivered = next(o for o in package["purchase_history"] if o["number"] == order.number)
    assert delivered["items"] and delivered["shipment"]["tracking_number"] and delivered["payment_method"]
    assert [m["intent"] for m in package["inquiry_history"]["transcript"]] == ["order_status", "human_handoff"]
    assert "asked about order status; escalated: shopper request." in ticket.summary
    assert order.customer.name in ticket.summary
    again = handoff_service.create(db_session=db_session, conversation=conversation, customer_id=order.customer_id,
                                   reason="complaint", source=SqlOrderSource(db_session))
    assert again.id == ticket.id  # one open ticket per conversation
    db_session.rollback()


def test_a_shopper_who_only_asked_for_a_person_is_summed_up_so(db_session):
    conversation = _conversation_with(db_session, "pkg-3", None, ["human_handoff"])
    ticket = handoff_service.create(db_session=db_session, conversation=conversation, customer_id=None,
                                    reason="shopper_request", source=SqlOrderSource(db_session))
    assert ticket.summary.startswith("An unidentified shopper writing in es asked for a person; escalated: shopper")
    db_session.rollback()


def test_an_unidentified_shopper_gets_a_ticket_without_shop_data(db_session):
    conversation = _conversation_with(db_session, "pkg-2", None, ["out_of_scope", "out_of_scope"])
    ticket = handoff_service.create(db_session=db_session, conversation=conversation, customer_id=None,
                                    reason="repeated_fallback", source=SqlOrderSource(db_session))
    package = json.loads(ticket.package)
    assert package["profile"] is None and package["purchase_history"] == []
    assert ticket.summary.startswith("An unidentified shopper")
    db_session.rollback()


def test_users_create_prints_a_token(seeded_database, db_session):
    try:
        result = subprocess.run([sys.executable, "-m", "shopbot.cli", "users", "create", "cli-agent", "--role",
                                 "admin"], capture_output=True, text=True, check=True)
        assert len(result.stdout.strip()) >= 40 and "shown once" in result.stderr
    finally:
        discard_account(db_session, "cli-agent")


def test_unclaimed_tickets_tell_the_shopper_once(db_session):
    from datetime import UTC, datetime, timedelta

    from gateway.handoff_jobs import notify_unclaimed_once
    from handoff.settings import HandoffSettings
    from translation.responses import get_catalog
    from translation.service import TranslationService

    conversation = _conversation_with(db_session, "pkg-wait", None, ["human_handoff"])
    ticket = handoff_service.create(db_session=db_session, conversation=conversation, customer_id=None,
                                    reason="shopper_request", source=SqlOrderSource(db_session))
    ticket.created_at = datetime.now(UTC) - timedelta(minutes=30)
    db_session.commit()
    try:
        settings = HandoffSettings(unclaimed_notice_minutes=10)
        assert notify_unclaimed_once(settings, get_catalog(), TranslationService([], glossary=[])) >= 1
        assert notify_unclaimed_once(settings, get_catalog(), TranslationService([], glossary=[])) == 0
        messages = conversation_service.list_messages(db_session=db_session, sender_id="pkg-wait")
        assert messages[-1].role == "bot" and messages[-1].text.startswith("Perdona la espera")
    finally:
        discard_conversation(db_session, "pkg-wait")
