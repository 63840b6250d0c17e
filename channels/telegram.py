"""Telegram Bot API: webhook updates authenticated by the secret token, replies through sendMessage with an
inline keyboard for buttons; a pressed button arrives as a callback query carrying its payload."""

from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from channels.base import Button, Inbound, secrets_match, split_text
from channels.settings import TelegramSettings

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TEXT_LIMIT = 4096
#: What a Telegram client sends first ("Start"); the assistant greets back.
START_COMMAND = "/start"
#: Message fields of what the assistant cannot read, named in the shopper's history (e.g. "[sticker]").
UNREADABLE = ("photo", "sticker", "voice", "audio", "video", "video_note", "animation", "document", "location",
              "venue", "contact", "poll", "dice")


def message_bodies(chat_id: str, text: str, buttons: Sequence[Button] = ()) -> list[dict[str, Any]]:
    """sendMessage calls for one message (split at Telegram's length limit); buttons under the last part."""
    bodies: list[dict[str, Any]] = [{"method": "sendMessage", "chat_id": chat_id, "text": part}
                                    for part in split_text(text, TEXT_LIMIT)]
    if buttons and bodies:
        bodies[-1]["reply_markup"] = {"inline_keyboard": [[{"text": b.title, "callback_data": b.payload}]
                                                          for b in buttons]}
    return bodies


def receipt_bodies(inbound: Inbound) -> list[dict[str, Any]]:
    """A pressed button shows a spinner until its callback query is answered."""
    if inbound.callback_id is None:
        return []
    return [{"method": "answerCallbackQuery", "callback_query_id": inbound.callback_id}]


def _inbound(update_id: Any, message: dict[str, Any], sender: dict[str, Any], **fields: Any) -> Inbound:
    return Inbound(channel="telegram", message_id=str(update_id), chat_id=str(message["chat"]["id"]),
                   user_id=str(sender.get("id", message["chat"]["id"])),
                   language_hint=sender.get("language_code"), **fields)


def parse_update(update: dict[str, Any]) -> list[Inbound]:
    """The shopper's message or button press in an Update; other updates (edits, membership) need no answer."""
    query = update.get("callback_query")
    if query and query.get("message") and query.get("data"):
        return [_inbound(update["update_id"], query["message"], query.get("from") or {}, text=query["data"],
                         kind="button", callback_id=query["id"])]
    message = update.get("message")
    if not message:
        return []
    sender = message.get("from") or {}
    text = message.get("text")
    if text is not None and text.split(maxsplit=1)[:1] == [START_COMMAND]:
        text = "/greet"
    if text:
        return [_inbound(update["update_id"], message, sender, text=text)]
    kind = next((field for field in UNREADABLE if field in message), "unsupported")
    return [_inbound(update["update_id"], message, sender, text=None, kind=kind)]


class Telegram:
    name = "telegram"
    message_bodies = staticmethod(message_bodies)
    receipt_bodies = staticmethod(receipt_bodies)

    def __init__(self, settings: TelegramSettings) -> None:
        self.settings = settings

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        return secrets_match(headers.get(SECRET_HEADER), self.settings.webhook_secret.get_secret_value())

    def challenge(self, params: Mapping[str, str]) -> str | None:
        return None  # Telegram has no subscription handshake

    def parse(self, payload: dict[str, Any]) -> list[Inbound]:
        return parse_update(payload)

    def send(self, client: httpx.Client, body: dict[str, Any]) -> httpx.Response:
        params = dict(body)
        method = params.pop("method")
        token = self.settings.bot_token.get_secret_value()
        return client.post(f"{self.settings.api_base_url}/bot{token}/{method}", json=params)
