"""Recorded webhook payloads of each platform (tests/channels/payloads/), given fresh ids per test, and
posted to the gateway the way each platform authenticates them."""

import copy
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import httpx

from tests.channels.fake_platform import MESSENGER_APP_SECRET, TELEGRAM_SECRET, WHATSAPP_APP_SECRET

PAYLOADS = Path(__file__).parent / "payloads"


def payload(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))


def telegram_update(name: str, *, update_id: int, chat_id: int, text: str | None = None,
                    language_code: str | None = None) -> dict[str, Any]:
    update = copy.deepcopy(payload(f"telegram_{name}"))
    update["update_id"] = update_id
    holder = update.get("callback_query") or update["message"]
    message = holder.get("message", holder)
    message["chat"]["id"] = holder["from"]["id"] = chat_id
    if language_code is not None:
        holder["from"]["language_code"] = language_code
    if text is not None:
        holder["data" if "callback_query" in update else "text"] = text
    return update


def whatsapp_notification(name: str, *, message_id: str, wa_id: str, text: str | None = None) -> dict[str, Any]:
    notification = copy.deepcopy(payload(f"whatsapp_{name}"))
    value = notification["entry"][0]["changes"][0]["value"]
    value["contacts"][0]["wa_id"] = wa_id
    message = value["messages"][0]
    message["id"], message["from"] = message_id, wa_id
    if text is not None:
        message["text"]["body"] = text
    return notification


def messenger_event(name: str, *, mid: str, psid: str, text: str | None = None) -> dict[str, Any]:
    event = copy.deepcopy(payload(f"messenger_{name}"))
    messaging = event["entry"][0]["messaging"][0]
    messaging["sender"]["id"] = psid
    messaging["message"]["mid"] = mid
    if text is not None:
        messaging["message"]["text"] = text
    return event


def post_telegram(url: str, update: dict[str, Any], secret: str | None = TELEGRAM_SECRET) -> httpx.Response:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return httpx.post(f"{url}/webhooks/telegram", json=update, headers=headers, timeout=30)


def post_meta(url: str, channel: str, event: dict[str, Any], app_secret: str | None = None) -> httpx.Response:
    """POST the raw body signed the way Meta does (X-Hub-Signature-256), with the channel's app secret."""
    secret = app_secret or {"whatsapp": WHATSAPP_APP_SECRET, "messenger": MESSENGER_APP_SECRET}[channel]
    body = json.dumps(event).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
    return httpx.post(f"{url}/webhooks/{channel}", content=body, headers=headers, timeout=30)
