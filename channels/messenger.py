"""Facebook Messenger: signed webhook events (messages, quick replies, postbacks; echoes and receipts are
ignored), replies through the Send API with quick_replies for buttons."""

from collections.abc import Sequence
from typing import Any

import httpx

from channels.base import Button, Inbound, MetaPlatform, short_title, split_text
from channels.settings import MessengerSettings

TEXT_LIMIT = 2000
MAX_QUICK_REPLIES = 13


def message_bodies(psid: str, text: str, buttons: Sequence[Button] = ()) -> list[dict[str, Any]]:
    bodies = [{"recipient": {"id": psid}, "messaging_type": "RESPONSE", "message": {"text": part}}
              for part in split_text(text, TEXT_LIMIT)]
    if buttons and bodies:
        bodies[-1]["message"]["quick_replies"] = [
            {"content_type": "text", "title": short_title(b.title), "payload": b.payload}
            for b in buttons[:MAX_QUICK_REPLIES]]
    return bodies


def _inbound(event: dict[str, Any]) -> Inbound | None:
    psid = str(event["sender"]["id"])
    message, postback = event.get("message"), event.get("postback")
    if message and not message.get("is_echo"):
        quick_reply = (message.get("quick_reply") or {}).get("payload")
        text = quick_reply or message.get("text")
        attachments = message.get("attachments") or [{}]
        kind = "button" if quick_reply else "text" if text else attachments[0].get("type", "unsupported")
        return Inbound(channel="messenger", message_id=message["mid"], chat_id=psid, user_id=psid, text=text,
                       kind=kind)
    if postback and postback.get("payload"):
        message_id = postback.get("mid") or f"postback-{psid}-{event.get('timestamp')}"
        return Inbound(channel="messenger", message_id=message_id, chat_id=psid, user_id=psid,
                       text=postback["payload"], kind="button")
    return None  # echoes of the page's own messages, deliveries, reads


def parse_event(payload: dict[str, Any]) -> list[Inbound]:
    found = (_inbound(event) for entry in payload.get("entry") or [] for event in entry.get("messaging") or [])
    return [inbound for inbound in found if inbound is not None]


class Messenger(MetaPlatform):
    name = "messenger"
    settings: MessengerSettings
    message_bodies = staticmethod(message_bodies)

    def parse(self, payload: dict[str, Any]) -> list[Inbound]:
        return parse_event(payload)

    def send(self, client: httpx.Client, body: dict[str, Any]) -> httpx.Response:
        token = self.settings.page_access_token.get_secret_value()
        return client.post(f"{self.settings.api_base_url}/me/messages", json=body,
                           headers={"Authorization": f"Bearer {token}"})
