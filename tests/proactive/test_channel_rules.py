"""One place for the platforms' rules: shipping updates on Telegram (switchable per kind), Messenger's tag after
24 hours, "stop" honoured on every channel, and an agent's WhatsApp reply refused outside the window."""

from sqlalchemy import select

from channels.models import ChannelLink
from conversations import service as conversation_service
from handoff import service as handoff_service
from shop.models import Order
from shop.source import SqlOrderSource
from tests.factories import create_account, stored_messages
from tests.proactive.conftest import event_body, post_event
from tests.proactive.test_cod_confirmation import to, whatsapp_says


def customer_of(db_session, number: str) -> int:
    return db_session.scalar(select(Order.customer_id).where(Order.number == number))


def test_shipping_update_reaches_a_telegram_shopper_in_their_language(client, cod_shopper, platform):
    number, chat_id = cod_shopper("es", "telegram", shipped=True)
    assert post_event(client, event_body("order.shipped", number)).status_code == 202
    [sent] = platform.wait_for(to(chat_id))
    assert sent.body["text"] == (f"¡Buenas noticias! El pedido {number} va en camino con Aramex, número de "
                                 f"seguimiento AX{number}.")
    post_event(client, event_body("order.delayed", number, estimated_delivery="2026-12-20"))
    delayed = platform.wait_for(to(chat_id), count=2)[-1]
    assert "20 de diciembre de 2026" in delayed.body["text"] and f"AX{number}" in delayed.body["text"]
    assert [m["role"] for m in stored_messages(f"telegram:{chat_id}")] == ["bot", "bot"]


def test_a_shipping_update_the_shop_switched_off_is_not_sent(client, cod_shopper, platform, monkeypatch):
    from proactive.settings import get_settings

    monkeypatch.setenv("PROACTIVE_SHIPPING_UPDATES", '["order.shipped"]')
    get_settings.cache_clear()
    number, chat_id = cod_shopper("es", "telegram", shipped=True)
    assert post_event(client, event_body("order.delivered", number)).status_code == 202
    post_event(client, event_body("order.shipped", number))
    platform.wait_for(to(chat_id))
    assert [sent.body["text"].split()[0] for sent in platform.sent(to(chat_id))] == ["¡Buenas"]


def test_messenger_update_after_24_hours_carries_the_post_purchase_tag(client, cod_shopper, platform):
    number, psid = cod_shopper("es", "messenger", shipped=True)
    post_event(client, event_body("order.shipped", number))
    [sent] = platform.wait_for(lambda sent: sent.body.get("recipient", {}).get("id") == psid)
    assert sent.body["messaging_type"] == "MESSAGE_TAG" and sent.body["tag"] == "POST_PURCHASE_UPDATE"


def test_stop_opts_the_shopper_out_on_every_channel(client, cod_shopper, platform, db_session):
    number, wa_id = cod_shopper("ar", shipped=True)
    post_event(client, event_body("order.shipped", number))
    platform.wait_for(to(wa_id))
    whatsapp_says(client, wa_id, text="توقف")
    reply = platform.wait_for(to(wa_id), count=2)[-1]
    assert reply.body["text"]["body"].startswith("حسنًا")
    db_session.add(ChannelLink(channel="telegram", channel_user_id=f"tg{number}",
                               customer_id=customer_of(db_session, number)))
    db_session.commit()
    post_event(client, event_body("order.delivered", number))
    post_event(client, event_body("order.delayed", number))
    assert platform.sent(to(f"tg{number}")) == [] and len(platform.sent(to(wa_id))) == 2
    db_session.query(ChannelLink).filter_by(channel_user_id=f"tg{number}").delete()
    db_session.commit()


def test_an_agent_reply_outside_the_whatsapp_window_is_refused_with_the_templates(client, cod_shopper, platform,
                                                                                  db_session, movable_clock):
    number, wa_id = cod_shopper("ar")
    whatsapp_says(client, wa_id, text="مرحبا، أريد التحدث مع موظف")
    platform.wait_for(to(wa_id))
    conversation = conversation_service.get(db_session=db_session, sender_id=f"whatsapp:{wa_id}")
    ticket = handoff_service.open_ticket_of(db_session=db_session, conversation_id=conversation.id) or \
        handoff_service.create(db_session=db_session, conversation=conversation, customer_id=None,
                               reason="shopper_request", source=SqlOrderSource(db_session))
    db_session.commit()
    _, token = create_account(db_session)
    headers = {"Authorization": f"Bearer {token}"}
    sent_before = len(platform.sent(to(wa_id)))
    assert client.post(f"/api/v1/tickets/{ticket.id}/messages", json={"text": "Hello"},
                       headers=headers).status_code == 200
    movable_clock.advance(hours=25)
    refused = client.post(f"/api/v1/tickets/{ticket.id}/messages", json={"text": "Are you there?"}, headers=headers)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "outside_service_window" and "24 hours" in error["message"]
    assert "cod_confirmation" in error["templates"] and "order_shipped" in error["message"]
    assert [m["text_en"] for m in stored_messages(f"whatsapp:{wa_id}") if m["role"] == "agent"] == ["Hello"]
    platform.wait_for(to(wa_id), count=sent_before + 1)
    assert len(platform.sent(to(wa_id))) == sent_before + 1
