"""Telegram, WhatsApp and Messenger through the running gateway, with a fake platform API standing in for
each platform: recorded real-format webhooks in, the platform API calls out."""

import itertools
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select, text, update

from channels import service as channel_service
from channels.base import Inbound, short_title
from channels.models import ChannelDelivery
from database.core import session_scope
from handoff.agents import create_user
from shop.enums import OrderStatus
from shop.models import Order
from tests.channels.fake_platform import (
    TELEGRAM_TOKEN,
    VERIFY_TOKEN,
    WHATSAPP_PHONE_NUMBER_ID,
    WHATSAPP_TOKEN,
    FakePlatform,
    Sent,
)
from tests.channels.webhooks import (
    messenger_event,
    post_meta,
    post_telegram,
    telegram_update,
    whatsapp_notification,
)
from tests.channels.webhooks import payload as recorded
from tests.factories import stored_messages
from tests.stack.conftest import ESCALATE_ORDER_VALUE
from translation.responses import get_catalog

pytestmark = pytest.mark.stack

update_ids = itertools.count(900_000)


def telegram_chat(chat_id: int):
    return lambda sent: sent.path == f"/telegram/bot{TELEGRAM_TOKEN}/sendMessage" and \
        sent.body["chat_id"] == str(chat_id)


def whatsapp_to(wa_id: str):
    return lambda sent: sent.path == f"/whatsapp/v21.0/{WHATSAPP_PHONE_NUMBER_ID}/messages" and sent.body["to"] == wa_id


def messenger_to(psid: str):
    return lambda sent: sent.path == "/messenger/v21.0/me/messages" and sent.body["recipient"]["id"] == psid


def rendered(key: str, language: str, **variables) -> str:
    return get_catalog().render({"response": key, "vars": variables}, language)


def say_on_telegram(running_stack, fake_platform: FakePlatform, chat_id: int, words: str, replies: int = 1,
                    **fields) -> list[Sent]:
    """The shopper writes; the bot's replies (all sent to this chat so far, the last `replies` new ones)."""
    before = len(fake_platform.sent(telegram_chat(chat_id)))
    update = telegram_update("text", update_id=next(update_ids), chat_id=chat_id, text=words, **fields)
    assert post_telegram(running_stack.url, update).status_code == 200
    return fake_platform.wait_for(telegram_chat(chat_id), count=before + replies)[before:]


def stays(fake_platform: FakePlatform, matches, count: int, seconds: float = 1.5) -> bool:
    """Nothing more arrives for a while (a duplicate would have been answered by now)."""
    time.sleep(seconds)
    return len(fake_platform.sent(matches)) == count


@pytest.fixture(scope="module")
def agent_auth(seeded_database) -> dict[str, str]:
    with session_scope() as db_session:
        _, token = create_user(db_session=db_session, name="channels-agent", role="agent")
    return {"Authorization": f"Bearer {token}"}


# --- Telegram ----------------------------------------------------------------------------------------------


def test_telegram_message_is_acknowledged_at_once_and_answered_through_the_bot_api(running_stack, fake_platform):
    update = telegram_update("text", update_id=next(update_ids), chat_id=910001)  # "Onde está o meu pedido?"
    started = time.monotonic()
    ack = post_telegram(running_stack.url, update)
    acknowledged = time.monotonic() - started
    assert ack.status_code == 200 and ack.json()["accepted"] == 1
    assert acknowledged < 5  # answered before the turn runs; platforms retry webhooks that take seconds

    [reply] = fake_platform.wait_for(telegram_chat(910001))
    assert reply.body["text"] == rendered("utter_ask_order_id", "pt")


def test_telegram_sticker_gets_a_polite_request_for_text_in_the_shoppers_language(running_stack, fake_platform):
    chat_id = 910002
    update = telegram_update("sticker", update_id=next(update_ids), chat_id=chat_id, language_code="es")
    assert post_telegram(running_stack.url, update).json()["accepted"] == 1
    [reply] = fake_platform.wait_for(telegram_chat(chat_id))
    assert reply.body["text"] == rendered("utter_unsupported_message", "es")
    history = stored_messages(f"telegram:{chat_id}")
    assert [(m["role"], m["text"]) for m in history][0] == ("shopper", "[sticker]")


def test_telegram_duplicate_deliveries_are_answered_once(running_stack, fake_platform):
    chat_id = 910003
    update = telegram_update("text", update_id=next(update_ids), chat_id=chat_id, text="hello")
    assert post_telegram(running_stack.url, update).json()["accepted"] == 1
    fake_platform.wait_for(telegram_chat(chat_id))
    retried = post_telegram(running_stack.url, update)  # Telegram retrying the same update
    assert retried.status_code == 200 and retried.json()["accepted"] == 0

    # the same update delivered 6 times at once
    concurrent = telegram_update("text", update_id=next(update_ids), chat_id=chat_id, text="what payment methods?")
    answers: list[httpx.Response] = []
    threads = [threading.Thread(target=lambda: answers.append(post_telegram(running_stack.url, concurrent)))
               for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(a.status_code == 200 for a in answers) and sorted(a.json()["accepted"] for a in answers) == \
        [0, 0, 0, 0, 0, 1]
    fake_platform.wait_for(telegram_chat(chat_id), count=2)
    assert stays(fake_platform, telegram_chat(chat_id), 2)


def test_a_message_a_stopped_gateway_accepted_but_never_answered_is_answered(running_stack, fake_platform,
                                                                            db_session):
    """The webhook was acknowledged, then that gateway process died before handling it: the message was kept,
    and a running gateway takes it on once the dead one's lease has run out."""
    chat_id = 910010
    inbound = Inbound(channel="telegram", message_id=str(next(update_ids)), chat_id=str(chat_id),
                      user_id=str(chat_id), text="Onde está o meu pedido?")
    delivery_id = channel_service.accept_once(db_session=db_session, inbound=inbound)
    db_session.execute(update(ChannelDelivery).where(ChannelDelivery.id == delivery_id)
                       .values(claimed_at=datetime.now(UTC) - timedelta(minutes=10)))
    db_session.commit()
    [reply] = fake_platform.wait_for(telegram_chat(chat_id), timeout=30)
    assert reply.body["text"] == rendered("utter_ask_order_id", "pt")
    assert stays(fake_platform, telegram_chat(chat_id), 1, seconds=3)
    db_session.expire_all()
    assert db_session.get(ChannelDelivery, delivery_id).handled_at is not None


def test_telegram_webhook_without_the_secret_token_is_refused(running_stack, fake_platform):
    chat_id = 910004
    for secret in (None, "wrong-secret"):
        update = telegram_update("text", update_id=next(update_ids), chat_id=chat_id)
        refused = post_telegram(running_stack.url, update, secret=secret)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert stays(fake_platform, telegram_chat(chat_id), 0, seconds=1.0)


def test_telegram_reply_survives_rate_limits_and_an_outage_and_arrives_once(running_stack, fake_platform):
    chat_id = 910005
    # Rate limited twice (429, Retry-After: 1): the reply waits and then goes out once
    fake_platform.fail_next(2, status=429, retry_after=1)
    [reply] = say_on_telegram(running_stack, fake_platform, chat_id, "hello")
    assert reply.body["text"]
    assert [status for _, status in fake_platform.refused[-2:]] == [429, 429]
    assert stays(fake_platform, telegram_chat(chat_id), 1)

    # The platform is down (nothing listens) while the shopper writes: the reply is kept and sent once it is back
    with fake_platform.down():
        update = telegram_update("text", update_id=next(update_ids), chat_id=chat_id, text="Onde está o meu pedido?")
        assert post_telegram(running_stack.url, update).json()["accepted"] == 1
        time.sleep(3)  # several failed attempts
    replies = fake_platform.wait_for(telegram_chat(chat_id), count=2, timeout=20)
    assert replies[1].body["text"] == rendered("utter_ask_order_id", "pt")

    # 5xx errors: retried with backoff
    fake_platform.fail_next(2, status=502)
    say_on_telegram(running_stack, fake_platform, chat_id, "what payment methods do you accept?")
    assert [status for _, status in fake_platform.refused[-2:]] == [502, 502]
    assert stays(fake_platform, telegram_chat(chat_id), len(fake_platform.sent(telegram_chat(chat_id))))


def test_telegram_button_press_and_an_agents_replies_reach_the_shopper(
    running_stack, fake_platform, fresh_order, agent_auth
):
    chat_id = 910006
    to_shopper = telegram_chat(chat_id)
    order = fresh_order(OrderStatus.SHIPPED)
    assert order.total < ESCALATE_ORDER_VALUE
    say_on_telegram(running_stack, fake_platform, chat_id, f"cancel order {order.number}", language_code="en")
    say_on_telegram(running_stack, fake_platform, chat_id, order.customer.email)

    # The offer of a person comes with buttons: an inline keyboard whose callback data is the payload
    [offer] = fake_platform.wait_for(lambda sent: to_shopper(sent) and "reply_markup" in sent.body)
    assert offer.body["text"] == rendered("utter_offer_human_help", "en")
    assert offer.body["reply_markup"]["inline_keyboard"] == [
        [{"text": "Yes, talk to a person", "callback_data": "/affirm"}],
        [{"text": "No, thanks", "callback_data": "/deny"}]]

    # Pressing "yes" arrives as a callback query: it is answered (the spinner stops) and a ticket is opened
    press = telegram_update("callback_query", update_id=next(update_ids), chat_id=chat_id, text="/affirm")
    assert post_telegram(running_stack.url, press).json()["accepted"] == 1
    fake_platform.wait_for(lambda sent: sent.path.endswith("/answerCallbackQuery") and
                           sent.body["callback_query_id"] == press["callback_query"]["id"])
    fake_platform.wait_for(lambda sent: to_shopper(sent) and "queue" in sent.body["text"])
    tickets = httpx.get(f"{running_stack.url}/api/v1/tickets", headers=agent_auth).json()
    ticket_id = next(t["id"] for t in tickets if t["reason"] == "failed_action"
                     and t["customer_id"] == order.customer_id)

    # The agent's reply and the closing message reach the shopper on Telegram
    agent_text = f"I've asked the carrier to stop order {order.number}."
    sent = httpx.post(f"{running_stack.url}/api/v1/tickets/{ticket_id}/messages", headers=agent_auth,
                      json={"text": agent_text})
    assert sent.status_code == 200
    fake_platform.wait_for(lambda sent: to_shopper(sent) and sent.body["text"] == agent_text)
    httpx.post(f"{running_stack.url}/api/v1/tickets/{ticket_id}/close", headers=agent_auth).raise_for_status()
    closing = rendered("utter_handoff_closed", "en")
    fake_platform.wait_for(lambda sent: to_shopper(sent) and sent.body["text"] == closing)
    assert stays(fake_platform, lambda sent: to_shopper(sent) and sent.body["text"] == agent_text, 1, seconds=0.5)


def test_a_verified_telegram_user_is_recognised_in_later_conversations(running_stack, fake_platform, db_session):
    chat_id = 910007
    orders_of: dict[int, list] = {}
    for order in db_session.scalars(select(Order).order_by(Order.id)):
        orders_of.setdefault(order.customer_id, []).append(order)
    first, second = next(orders for orders in orders_of.values() if len(orders) >= 2)[:2]
    asks_for_email = rendered("utter_ask_order_email", "en", order_id=second.number)

    say_on_telegram(running_stack, fake_platform, chat_id, f"where is my order {first.number}?", language_code="en")
    [status] = say_on_telegram(running_stack, fake_platform, chat_id, first.customer.email)
    assert first.number in status.body["text"] and "e-mail" not in status.body["text"]

    # A new conversation: the assistant's memory of the last one is gone (a new Rasa tracker)
    with session_scope() as session:
        session.execute(text("DELETE FROM events WHERE sender_id = :s"), {"s": f"telegram:{chat_id}"})
    [answer] = say_on_telegram(running_stack, fake_platform, chat_id, f"where is my order {second.number}?")
    assert second.number in answer.body["text"] and answer.body["text"] != asks_for_email

    # Someone else asking about that order on another Telegram account still has to prove it
    [other] = say_on_telegram(running_stack, fake_platform, 910008, f"where is my order {second.number}?",
                              language_code="en")
    assert other.body["text"] == asks_for_email


# --- WhatsApp and Messenger ---------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["whatsapp", "messenger"])
def test_meta_subscription_handshake_and_signatures(running_stack, fake_platform, channel):
    url = f"{running_stack.url}/webhooks/{channel}"
    handshake = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    verified = httpx.get(url, params=handshake)
    assert verified.status_code == 200 and verified.text == "1158201444"
    wrong = httpx.get(url, params={**handshake, "hub.verify_token": "guess"})
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "forbidden"

    event = whatsapp_notification("text", message_id="wamid.forged", wa_id="6280000000001") \
        if channel == "whatsapp" else messenger_event("text", mid="m_forged", psid="6700000000001")
    forged = post_meta(running_stack.url, channel, event, app_secret="not-the-app-secret")
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "forbidden"
    unsigned = httpx.post(url, json=event)
    assert unsigned.status_code == 403


def confirm_then_keep(running_stack, fake_platform, fresh_order, say, to_shopper, press, sender_id: str):
    """Ask to cancel an order (verified by e-mail), get the yes/no question with buttons, press "no".
    Returns the question, the expected answer to "no" and the button titles expected in the reply's language."""
    order = fresh_order(OrderStatus.PROCESSING)
    assert order.total < ESCALATE_ORDER_VALUE
    for words in (f"cancel order {order.number}", order.customer.email):
        before = len(fake_platform.sent(to_shopper))
        say(words)
        [question] = fake_platform.wait_for(to_shopper, count=before + 1)[before:]
    language = stored_messages(sender_id)[-1]["language"]
    press("/deny")
    titles = [get_catalog().term(term, language) for term in ("button.cancel_yes", "button.cancel_no")]
    return question, rendered("utter_cancel_kept", language, order_id=order.number), titles


def test_whatsapp_text_buttons_images_and_duplicates(running_stack, fake_platform, fresh_order):
    wa_id = "6281234567001"
    to_shopper = whatsapp_to(wa_id)
    ids = (f"wamid.test-{n}" for n in itertools.count())

    def post(name: str, text: str | None = None) -> httpx.Response:
        event = whatsapp_notification(name, message_id=next(ids), wa_id=wa_id, text=text)
        return post_meta(running_stack.url, "whatsapp", event)

    # Indonesian text in, a text message out through POST /{phone_number_id}/messages
    first = whatsapp_notification("text", message_id=next(ids), wa_id=wa_id)
    assert post_meta(running_stack.url, "whatsapp", first).json()["accepted"] == 1
    [reply] = fake_platform.wait_for(to_shopper)
    assert reply.authorization == f"Bearer {WHATSAPP_TOKEN}"
    assert reply.body["messaging_product"] == "whatsapp" and reply.body["type"] == "text"
    history = stored_messages(f"whatsapp:{wa_id}")
    assert history[-1]["role"] == "bot" and history[-1]["language"] == "id"
    assert history[-1]["text"] == reply.body["text"]["body"]

    # A retried notification, and a delivery status, are not answered
    assert post_meta(running_stack.url, "whatsapp", first).json()["accepted"] == 0
    status = whatsapp_notification("text", message_id="unused", wa_id=wa_id)
    status["entry"][0]["changes"][0]["value"] = \
        recorded("whatsapp_status")["entry"][0]["changes"][0]["value"]
    assert post_meta(running_stack.url, "whatsapp", status).json()["accepted"] == 0

    # An image: asked to type, in Indonesian
    assert post("image").json()["accepted"] == 1
    answered = fake_platform.wait_for(to_shopper, count=2)[-1]
    assert answered.body["text"]["body"] == rendered("utter_unsupported_message", "id")

    # A question with buttons becomes an interactive reply-buttons message; pressing one answers it
    def press(payload: str) -> None:
        button = whatsapp_notification("button_reply", message_id=next(ids), wa_id=wa_id)
        button["entry"][0]["changes"][0]["value"]["messages"][0]["interactive"]["button_reply"]["id"] = payload
        post_meta(running_stack.url, "whatsapp", button)

    question, kept, titles = confirm_then_keep(running_stack, fake_platform, fresh_order,
                                               lambda words: post("text", words), to_shopper, press,
                                               f"whatsapp:{wa_id}")
    assert question.body["type"] == "interactive" and question.body["interactive"]["type"] == "button"
    buttons = question.body["interactive"]["action"]["buttons"]
    assert [b["reply"]["id"] for b in buttons] == ["/affirm", "/deny"]
    assert [b["reply"]["title"] for b in buttons] == [short_title(title) for title in titles]
    fake_platform.wait_for(lambda sent: to_shopper(sent) and sent.body.get("text", {}).get("body") == kept)
    assert stays(fake_platform, to_shopper, len(fake_platform.sent(to_shopper)), seconds=1.0)


def test_messenger_text_quick_replies_images_and_echoes(running_stack, fake_platform, fresh_order):
    psid = "6738291043450001"
    to_shopper = messenger_to(psid)
    mids = (f"m_test-{n}" for n in itertools.count())

    def post(name: str, text: str | None = None) -> httpx.Response:
        return post_meta(running_stack.url, "messenger", messenger_event(name, mid=next(mids), psid=psid, text=text))

    # French text in, the Send API out
    assert post("text").json()["accepted"] == 1
    [reply] = fake_platform.wait_for(to_shopper)
    assert reply.body["messaging_type"] == "RESPONSE" and reply.body["message"]["text"]
    assert stored_messages(f"messenger:{psid}")[-1]["language"] \
        == "fr"

    # The page's own messages echoed back are not answered
    echo = recorded("messenger_echo")
    echo["entry"][0]["messaging"][0]["recipient"]["id"] = psid
    assert post_meta(running_stack.url, "messenger", echo).json()["accepted"] == 0

    # An image: asked to type, in French
    assert post("image").json()["accepted"] == 1
    answered = fake_platform.wait_for(to_shopper, count=2)[-1]
    assert answered.body["message"]["text"] == rendered("utter_unsupported_message", "fr")

    # Quick replies under a question; a tapped one arrives with its payload
    def press(payload: str) -> None:
        event = messenger_event("quick_reply", mid=next(mids), psid=psid, text="No, keep it")
        event["entry"][0]["messaging"][0]["message"]["quick_reply"]["payload"] = payload
        post_meta(running_stack.url, "messenger", event)

    question, kept, titles = confirm_then_keep(running_stack, fake_platform, fresh_order,
                                               lambda words: post("text", words), to_shopper, press,
                                               f"messenger:{psid}")
    assert [(q["title"], q["payload"]) for q in question.body["message"]["quick_replies"]] == [
        (short_title(titles[0]), "/affirm"), (short_title(titles[1]), "/deny")]
    fake_platform.wait_for(lambda sent: to_shopper(sent) and sent.body["message"]["text"] == kept)


def test_an_unknown_channel_is_404(running_stack):
    response = httpx.post(f"{running_stack.url}/webhooks/line", json={})
    assert response.status_code == 404 and response.json()["error"]["code"] == "channel_not_configured"
