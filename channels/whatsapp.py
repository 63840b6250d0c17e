"""WhatsApp Cloud API: signed webhook notifications (messages; delivery statuses are ignored), replies through
POST /{phone_number_id}/messages as text or, with buttons, as an interactive reply-buttons message (a list
message when there are more than three, e.g. the five ratings)."""

from collections.abc import Sequence
from typing import Any

import httpx

from channels.base import Button, Inbound, MetaPlatform, short_title, split_text
from channels.settings import WhatsAppSettings

TEXT_LIMIT = 4096
#: The body of an interactive message is shorter, and it holds at most three reply buttons.
INTERACTIVE_LIMIT = 1024
MAX_BUTTONS = 3
#: A list message holds up to ten rows, opened with a button.
MAX_ROWS = 10


def _envelope(to: str, kind: str, content: dict[str, Any]) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": kind, kind: content}


def message_bodies(to: str, text: str, buttons: Sequence[Button] = ()) -> list[dict[str, Any]]:
    parts = split_text(text, INTERACTIVE_LIMIT if buttons else TEXT_LIMIT)
    bodies = [_envelope(to, "text", {"body": part}) for part in parts]
    if buttons and len(buttons) > MAX_BUTTONS and parts:
        rows = [{"id": b.payload, "title": short_title(b.title, 24)} for b in buttons[:MAX_ROWS]]
        action = {"button": short_title(f"{buttons[0].title} … {buttons[-1].title}"), "sections": [{"rows": rows}]}
        bodies[-1] = _envelope(to, "interactive", {"type": "list", "body": {"text": parts[-1]}, "action": action})
    elif buttons and parts:
        action = {"buttons": [{"type": "reply", "reply": {"id": b.payload, "title": short_title(b.title)}}
                              for b in buttons]}
        bodies[-1] = _envelope(to, "interactive", {"type": "button", "body": {"text": parts[-1]}, "action": action})
    return bodies


def _text(message: dict[str, Any]) -> str | None:
    """Typed text, or the id (payload) of a pressed reply button / list row / template quick reply."""
    kind = message.get("type")
    if kind == "text":
        return (message.get("text") or {}).get("body")
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        return (interactive.get("button_reply") or interactive.get("list_reply") or {}).get("id")
    if kind == "button":
        return (message.get("button") or {}).get("payload")
    return None


def parse_notification(payload: dict[str, Any]) -> list[Inbound]:
    found = []
    for entry in payload.get("entry") or []:
        for change in entry.get("changes") or []:
            for message in (change.get("value") or {}).get("messages") or []:
                text = _text(message)
                kind = message.get("type", "unsupported") if text is None else (
                    "text" if message.get("type") == "text" else "button")
                found.append(Inbound(channel="whatsapp", message_id=message["id"], chat_id=message["from"],
                                     user_id=message["from"], text=text, kind=kind))
    return found


class WhatsApp(MetaPlatform):
    name = "whatsapp"
    settings: WhatsAppSettings
    message_bodies = staticmethod(message_bodies)

    def parse(self, payload: dict[str, Any]) -> list[Inbound]:
        return parse_notification(payload)

    def send(self, client: httpx.Client, body: dict[str, Any]) -> httpx.Response:
        return client.post(f"{self.settings.api_base_url}/{self.settings.phone_number_id}/messages", json=body,
                           headers={"Authorization": f"Bearer {self.settings.access_token.get_secret_value()}"})
