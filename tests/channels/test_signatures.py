"""Webhook authentication of each platform, checked against signatures computed here independently."""

import hashlib
import hmac
import json

from channels.base import hub_challenge
from channels.messenger import Messenger
from channels.settings import MessengerSettings, TelegramSettings, WhatsAppSettings
from channels.telegram import Telegram
from channels.whatsapp import WhatsApp
from tests.channels.webhooks import payload

APP_SECRET = "app-secret"


def meta_signature(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_meta_signature_of_the_raw_body():
    whatsapp = WhatsApp(WhatsAppSettings(app_secret=APP_SECRET, verify_token="v"))
    messenger = Messenger(MessengerSettings(app_secret=APP_SECRET, verify_token="v"))
    body = json.dumps(payload("whatsapp_text")).encode()
    for platform in (whatsapp, messenger):
        assert platform.verify({"X-Hub-Signature-256": meta_signature(body)}, body)
        assert not platform.verify({}, body)
        assert not platform.verify({"X-Hub-Signature-256": meta_signature(body, "other-secret")}, body)
        assert not platform.verify({"X-Hub-Signature-256": meta_signature(body)}, body.replace(b"Apa", b"apa"))
        assert not platform.verify({"X-Hub-Signature-256": meta_signature(body)[7:]}, body)  # no "sha256="


def test_telegram_secret_token():
    telegram = Telegram(TelegramSettings(bot_token="t", webhook_secret="s3cret"))
    assert telegram.verify({"X-Telegram-Bot-Api-Secret-Token": "s3cret"}, b"{}")
    assert not telegram.verify({"X-Telegram-Bot-Api-Secret-Token": "s3cre"}, b"{}")
    assert not telegram.verify({}, b"{}")


def test_subscription_handshake_needs_the_verify_token():
    params = {"hub.mode": "subscribe", "hub.verify_token": "token", "hub.challenge": "42"}
    assert hub_challenge(params, "token") == "42"
    assert hub_challenge({**params, "hub.verify_token": "nope"}, "token") is None
    assert hub_challenge({**params, "hub.mode": "unsubscribe"}, "token") is None
