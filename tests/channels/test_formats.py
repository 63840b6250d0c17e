"""Reading the recorded webhooks of each platform and writing its messages."""

from channels import messenger, telegram, whatsapp
from channels.base import Button
from tests.channels.webhooks import payload

YES_NO = [Button("Yes, talk to a person right now", "/affirm"), Button("No, thanks", "/deny")]


def test_telegram_updates():
    [text] = telegram.parse_update(payload("telegram_text"))
    assert (text.sender_id, text.message_id, text.text, text.language_hint) == \
        ("telegram:5120334871", "804563211", "Onde está o meu pedido?", "pt-br")
    [press] = telegram.parse_update(payload("telegram_callback_query"))
    assert (press.text, press.kind, press.callback_id) == ("/affirm", "button", "2199371822651039124")
    [sticker] = telegram.parse_update(payload("telegram_sticker"))
    assert sticker.text is None and sticker.kind == "sticker"
    assert telegram.parse_update({"update_id": 1, "edited_message": payload("telegram_text")["message"]}) == []


def test_whatsapp_notifications():
    [text] = whatsapp.parse_notification(payload("whatsapp_text"))
    assert text.sender_id == "whatsapp:6281234567890" and text.message_id.startswith("wamid.")
    [press] = whatsapp.parse_notification(payload("whatsapp_button_reply"))
    assert (press.text, press.kind) == ("/affirm", "button")
    [image] = whatsapp.parse_notification(payload("whatsapp_image"))
    assert image.text is None and image.kind == "image"
    assert whatsapp.parse_notification(payload("whatsapp_status")) == []


def test_messenger_events():
    [text] = messenger.parse_event(payload("messenger_text"))
    assert text.sender_id == "messenger:6738291043457722" and text.message_id.startswith("m_")
    [press] = messenger.parse_event(payload("messenger_quick_reply"))
    assert (press.text, press.kind) == ("/affirm", "button")
    [image] = messenger.parse_event(payload("messenger_image"))
    assert image.text is None and image.kind == "image"
    assert messenger.parse_event(payload("messenger_echo")) == []


def test_buttons_in_each_platforms_format():
    [tg] = telegram.message_bodies("42", "Talk to a person?", YES_NO)
    assert tg["reply_markup"]["inline_keyboard"][0] == [{"text": "Yes, talk to a person right now",
                                                         "callback_data": "/affirm"}]
    [wa] = whatsapp.message_bodies("628", "Talk to a person?", YES_NO)
    buttons = wa["interactive"]["action"]["buttons"]
    assert len(buttons) == 2 and all(len(b["reply"]["title"]) <= 20 for b in buttons)
    # More than three (the five ratings): a list message, so that none is dropped
    ratings = [Button(title=f"{n} " + "★" * n, payload=str(n)) for n in range(1, 6)]
    [wa_list] = whatsapp.message_bodies("628", "How did we do?", ratings)
    assert wa_list["interactive"]["type"] == "list"
    assert [r["id"] for r in wa_list["interactive"]["action"]["sections"][0]["rows"]] == ["1", "2", "3", "4", "5"]
    assert len(wa_list["interactive"]["action"]["button"]) <= 20
    [fb] = messenger.message_bodies("67", "Talk to a person?", YES_NO)
    assert [q["payload"] for q in fb["message"]["quick_replies"]] == ["/affirm", "/deny"]
    assert all(len(q["title"]) <= 20 for q in fb["message"]["quick_replies"])


def test_long_messages_are_split_at_the_platforms_limit():
    long_text = "word " * 1000  # 5,000 characters
    parts = telegram.message_bodies("42", long_text, YES_NO)
    assert len(parts) == 2 and all(len(p["text"]) <= 4096 for p in parts) and "reply_markup" in parts[-1]
    assert " ".join(p["text"] for p in parts).split() == long_text.split()
    assert all(len(p["message"]["text"]) <= 2000 for p in messenger.message_bodies("67", long_text))
