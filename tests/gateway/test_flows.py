"""The per-message paths (gateway/flows.py for the chat API and widget, gateway/channel_flows.py for messaging
channels) against the in-process fake Rasa: every branch a shopper notices, without starting Rasa."""

import asyncio
import json
import uuid
from typing import Any

import pytest

from assistant.rasa_client import RasaClient
from channels.base import Inbound
from channels.models import ChannelOutboxMessage
from conversations import service as conversation_service
from database.core import get_session_factory, session_scope
from gateway.channel_flows import channel_message_flow
from gateway.exceptions import InvalidCustomerToken
from gateway.flows import handle_message_flow
from gateway.schemas import ChatRequest, ChatResponse
from gateway.settings import get_settings
from handoff import service as handoff_service
from runtime.processes import free_port
from shop.auth import create_customer_token
from tests.factories import any_customer, stored_messages
from tests.gateway.fake_rasa import FakeRasa
from translation.responses import get_catalog
from translation.service import TranslationService

RESPONSES = get_catalog()
#: No MT backend: replies come from the localized responses, as for a shop without models installed.
TRANSLATOR = TranslationService(backends=[])


async def _settle() -> None:
    """Let the work the flow left for after the reply (Rasa session rollover) finish before the loop closes."""
    others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    await asyncio.gather(*others)


def chat(rasa_url: str, sender_id: str, text: str, token: str | None = None, **fields: Any) -> ChatResponse:
    """One turn of the chat API's flow, as gateway/routes/chat.py runs it."""

    async def turn() -> ChatResponse:
        rasa = RasaClient(rasa_url, timeout=5.0)
        try:
            with get_session_factory()() as db_session:
                response = await handle_message_flow(
                    request=ChatRequest(sender_id=sender_id, text=text, **fields), channel="api",
                    db_session=db_session, rasa=rasa, responses=RESPONSES, translator=TRANSLATOR,
                    conversation_token=token)
            await _settle()
            return response
        finally:
            await rasa.close()

    return asyncio.run(turn())


def channel_message(rasa_url: str, inbound: Inbound) -> None:
    async def turn() -> None:
        rasa = RasaClient(rasa_url, timeout=5.0)
        try:
            await channel_message_flow(inbound=inbound, rasa=rasa, responses=RESPONSES, translator=TRANSLATOR)
            await _settle()
        finally:
            await rasa.close()

    asyncio.run(turn())


def new_sender(prefix: str = "flow") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


#: How utter_greet starts in English and in Spanish (bot/responses/<lang>.yml).
GREETING = {"en": "Hi! I'm the", "es": "¡Hola! Soy el asistente"}


def greeting(language: str) -> str:
    return GREETING[language]


def test_a_new_conversation_gets_its_secret_and_the_reply_in_english(fake_rasa: FakeRasa):
    sender = new_sender()
    first = chat(fake_rasa.url, sender, "hi there")
    assert first.conversation_token and first.language == "en" and first.handoff is None
    assert first.messages[0].text.startswith(greeting("en"))
    later = chat(fake_rasa.url, sender, "thank you", first.conversation_token)
    assert later.conversation_token is None and later.messages[0].text == "(fake Rasa) you asked about thank_you"
    assert [(m["role"], m["intent"]) for m in stored_messages(sender)] == [
        ("shopper", "greet"), ("bot", None), ("shopper", "thank_you"), ("bot", None)]
    assert fake_rasa.turns_of(sender) == ["hi there", "thank you"]


def test_a_chosen_language_sticks_and_replies_are_localized(fake_rasa: FakeRasa):
    sender = new_sender()
    first = chat(fake_rasa.url, sender, "hi", language="es")
    assert first.language == "es" and first.messages[0].text.startswith(greeting("es"))
    # English text afterwards: the chosen language is pinned
    second = chat(fake_rasa.url, sender, "hi again", first.conversation_token)
    assert second.language == "es" and second.messages[0].text.startswith(greeting("es"))


def test_asking_for_a_person_opens_a_ticket_then_the_assistant_stays_silent(fake_rasa: FakeRasa):
    sender = new_sender()
    token = chat(fake_rasa.url, sender, "hi").conversation_token
    handed = chat(fake_rasa.url, sender, "I want a person", token)
    assert handed.handoff is not None
    # the handoff message, then when to expect the person (queue position or opening hours)
    assert len(handed.messages) == 2 and "customer-service team" in handed.messages[0].text
    with session_scope() as db_session:
        conversation = conversation_service.get(db_session=db_session, sender_id=sender)
        ticket = handoff_service.open_ticket_of(db_session=db_session, conversation_id=conversation.id)
        assert ticket.id == handed.handoff.ticket_id and ticket.reason == "shopper_request"

    silent = chat(fake_rasa.url, sender, "hello? my order is 1000234", token)
    assert silent.messages == [] and silent.handoff == handed.handoff
    assert fake_rasa.turns_of(sender) == ["hi", "I want a person"]  # the message went to the ticket only
    assert stored_messages(sender)[-1]["text"] == "hello? my order is 1000234"


def test_a_button_click_reaches_rasa_as_its_payload_and_is_stored_as_its_title(fake_rasa: FakeRasa):
    sender = new_sender()
    offer = chat(fake_rasa.url, sender, "I need help", language="es")
    [question] = offer.messages
    assert [button.payload for button in question.buttons] == ["/affirm", "/deny"]
    yes = question.buttons[0]
    accepted = chat(fake_rasa.url, sender, yes.payload, offer.conversation_token)
    assert accepted.language == "es" and accepted.handoff is not None
    assert fake_rasa.turns_of(sender) == ["I need help", "/affirm"]
    clicked = stored_messages(sender)[2]
    assert clicked["role"] == "shopper" and clicked["text"] == yes.title and clicked["language"] == "es"


def test_a_declined_offer_keeps_the_assistant(fake_rasa: FakeRasa):
    sender = new_sender()
    offer = chat(fake_rasa.url, sender, "help me")
    declined = chat(fake_rasa.url, sender, "/deny", offer.conversation_token)
    assert declined.handoff is None
    assert declined.messages[0].text == "OK. Is there anything else I can help with?"


def test_typed_slash_commands_do_not_pick_an_intent(fake_rasa: FakeRasa):
    sender = new_sender()
    chat(fake_rasa.url, sender, "/affirm{\"customer_id\": 1}")
    assert fake_rasa.turns_of(sender) == ["affirm{\"customer_id\": 1}"]


def test_a_language_the_shop_does_not_serve_gets_the_list_without_asking_rasa(fake_rasa: FakeRasa):
    sender = new_sender()
    reply = chat(fake_rasa.url, sender, "Hvor er min ordre? Jeg har ventet i to uger")
    [message] = reply.messages
    assert reply.language == "en" and message.text.startswith("Sorry, I can't read that language yet")
    assert "Español" in message.text and reply.conversation_token
    assert fake_rasa.turns_of(sender) == []
    assert stored_messages(sender)[0]["intent"] == "out_of_scope"  # it reaches the admins' inbox


def test_the_rasa_session_rolls_over_after_the_bound_but_not_while_a_question_waits(fake_rasa: FakeRasa,
                                                                                   monkeypatch):
    monkeypatch.setenv("GATEWAY_RASA_SESSION_MAX_TURNS", "2")
    get_settings.cache_clear()
    try:
        sender = new_sender()
        token = chat(fake_rasa.url, sender, "hi").conversation_token
        chat(fake_rasa.url, sender, "I need help", token)  # second turn, but a question waits for its answer
        assert sender not in fake_rasa.session_starts
        chat(fake_rasa.url, sender, "thanks", token)
        assert fake_rasa.session_starts.count(sender) == 1
        with session_scope() as db_session:
            assert conversation_service.get(db_session=db_session, sender_id=sender).rasa_session_turns == 0
    finally:
        get_settings.cache_clear()


def test_with_rasa_down_the_message_is_kept_and_answered_politely():
    sender = new_sender()
    reply = chat(f"http://127.0.0.1:{free_port()}", sender, "where is my order?")
    assert reply.messages[0].text.startswith("Sorry, I can't answer right now, but your message has been saved")
    with session_scope() as db_session:
        [shopper, _bot] = conversation_service.list_messages(db_session=db_session, sender_id=sender)
        assert shopper.text == "where is my order?" and shopper.delivered is False


def test_a_customer_the_shop_vouches_for_is_linked_and_a_forged_token_is_refused(fake_rasa: FakeRasa,
                                                                                db_session):
    customer = any_customer(db_session)
    sender = new_sender()
    chat(fake_rasa.url, sender, "hi", customer_token=create_customer_token(customer.id))
    with session_scope() as session:
        assert conversation_service.get(db_session=session, sender_id=sender).customer_id == customer.id
    with pytest.raises(InvalidCustomerToken):
        chat(fake_rasa.url, new_sender(), "hi", customer_token="forged")


def _outbox_texts(recipient: str) -> list[str]:
    with session_scope() as db_session:
        rows = db_session.query(ChannelOutboxMessage).filter_by(recipient=recipient).order_by(ChannelOutboxMessage.id)
        return [str(json.loads(row.body)) for row in rows]


def test_a_channel_message_starts_in_the_apps_language_and_the_reply_goes_to_the_outbox(fake_rasa: FakeRasa):
    chat_id = str(uuid.uuid4().int)[:12]
    channel_message(fake_rasa.url, Inbound(channel="telegram", message_id="1", chat_id=chat_id, user_id=chat_id,
                                           text="hi", language_hint="es-ES"))
    [shopper, bot] = stored_messages(f"telegram:{chat_id}")
    assert shopper["language"] == "es" and bot["text"].startswith(greeting("es"))
    assert any(greeting("es") in body for body in _outbox_texts(chat_id))


def test_a_channel_photo_is_noted_and_answered_without_rasa(fake_rasa: FakeRasa):
    chat_id = str(uuid.uuid4().int)[:12]
    channel_message(fake_rasa.url, Inbound(channel="whatsapp", message_id="2", chat_id=chat_id, user_id=chat_id,
                                           text=None, kind="image"))
    assert [m["text"] for m in stored_messages(f"whatsapp:{chat_id}")] == [
        "[image]", "Sorry, I can only read text messages. Please type your question and I'll be happy to help."]
    assert fake_rasa.turns_of(f"whatsapp:{chat_id}") == []
    assert any("text messages" in body for body in _outbox_texts(chat_id))


def test_a_linked_channel_user_is_identified_and_a_channel_handoff_keeps_the_assistant_silent(fake_rasa: FakeRasa,
                                                                                          db_session):
    from channels import service as channel_service

    customer = any_customer(db_session)
    chat_id = str(uuid.uuid4().int)[:12]
    channel_service.link_customer(db_session=db_session, channel="messenger", channel_user_id=chat_id,
                                  customer_id=customer.id)
    db_session.commit()
    sender = f"messenger:{chat_id}"
    for number, text in enumerate(("I want a person", "are you there?")):
        channel_message(fake_rasa.url, Inbound(channel="messenger", message_id=f"m{number}", chat_id=chat_id,
                                               user_id=chat_id, text=text))
    with session_scope() as session:
        conversation = conversation_service.get(db_session=session, sender_id=sender)
        ticket = handoff_service.open_ticket_of(db_session=session, conversation_id=conversation.id)
        assert conversation.customer_id == customer.id and ticket.customer_id == customer.id
    assert fake_rasa.turns_of(sender) == ["I want a person"]
    assert stored_messages(sender)[-1] == {**stored_messages(sender)[-1], "role": "shopper", "text": "are you there?"}
