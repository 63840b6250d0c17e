"""The messaging platforms' rules for messages the shopper did not just ask for, in one place.

- WhatsApp: free-form messages only within 24 hours of the shopper's last message (the customer-service window);
  outside it only the shop's approved templates (`proactive/templates.yml`), as a Cloud API `type: template`
  message with body parameters and quick-reply buttons.
- Messenger: within 24 hours a message is an `UPDATE`; after that a proactive update is sent with the
  `POST_PURCHASE_UPDATE` tag; an agent may reply for 7 days (the `HUMAN_AGENT` tag).
- Telegram: a bot may write to a user who started it at any time.
"""

from collections.abc import Sequence
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from channels.base import Button
from channels.registry import PLATFORMS
from conversations import service as conversation_service
from conversations.models import Conversation
from handoff import clock

WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
TEMPLATES_PATH = Path(__file__).with_name("templates.yml")
FALLBACK_LANGUAGE = "en"


class OutsideWindow(Exception):
    """Nothing may be sent free-form now; `templates` lists the template kinds configured for the language."""

    def __init__(self, message: str, templates: list[str]) -> None:
        super().__init__(message)
        self.templates = templates


@lru_cache
def templates() -> dict[str, dict[str, dict[str, Any]]]:
    return yaml.safe_load(TEMPLATES_PATH.read_text(encoding="utf-8"))


def template_for(kind: str, language: str) -> dict[str, Any] | None:
    by_language = templates().get(kind) or {}
    return by_language.get(language) or by_language.get(FALLBACK_LANGUAGE)


def templates_for_language(language: str) -> list[str]:
    return sorted(kind for kind in templates() if template_for(kind, language))


def since_shopper_wrote(*, db_session: Session, conversation: Conversation) -> timedelta | None:
    last = conversation_service.last_shopper_message_at(db_session=db_session, conversation_id=conversation.id)
    return None if last is None else clock.now() - last


def window_open(*, db_session: Session, conversation: Conversation) -> bool:
    """Whether the shopper wrote in this conversation within the last 24 hours."""
    elapsed = since_shopper_wrote(db_session=db_session, conversation=conversation)
    return elapsed is not None and elapsed < WINDOW


def whatsapp_template_body(to: str, template: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """The Cloud API's template message: body parameters in the template's order, one component per
    quick-reply button carrying its payload."""
    components: list[dict[str, Any]] = []
    if template.get("parameters"):
        components.append({"type": "body", "parameters": [{"type": "text", "text": values[name]}
                                                          for name in template["parameters"]]})
    components += [{"type": "button", "sub_type": "quick_reply", "index": str(index),
                    "parameters": [{"type": "payload", "payload": payload}]}
                   for index, payload in enumerate(template.get("buttons") or [])]
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "template",
            "template": {"name": template["name"], "language": {"code": template["language"]},
                         "components": components}}


def proactive_bodies(
    *, db_session: Session, conversation: Conversation, kind: str, text: str, values: dict[str, str],
    buttons: Sequence[Button] = (),
) -> list[dict[str, Any]]:
    """The request bodies that carry a proactive message of `kind` to the conversation's shopper now."""
    channel = conversation.channel
    recipient = conversation.sender_id.removeprefix(f"{channel}:")
    bodies = PLATFORMS[channel].message_bodies(recipient, text, buttons)
    if channel == "telegram":
        return bodies
    is_open = window_open(db_session=db_session, conversation=conversation)
    if channel == "whatsapp":
        if is_open:
            return bodies
        template = template_for(kind, conversation.language)
        if template is None:
            raise OutsideWindow(f"no WhatsApp template is configured for {kind}", [])
        return [whatsapp_template_body(recipient, template, values)]
    for body in bodies:  # messenger
        body.update({"messaging_type": "UPDATE"} if is_open else
                    {"messaging_type": "MESSAGE_TAG", "tag": "POST_PURCHASE_UPDATE"})
    return bodies


def check_agent_reply(*, db_session: Session, conversation: Conversation) -> None:
    """Raise OutsideWindow when an agent's free-form reply may not reach the shopper on their channel now."""
    if conversation.channel not in ("whatsapp", "messenger"):
        return
    elapsed = since_shopper_wrote(db_session=db_session, conversation=conversation)
    limit = WINDOW if conversation.channel == "whatsapp" else HUMAN_AGENT_WINDOW
    if elapsed is None or elapsed >= limit:
        hours = int(limit.total_seconds() // 3600)
        raise OutsideWindow(
            f"The shopper last wrote more than {hours} hours ago: {conversation.channel} does not allow a free-form "
            "reply now. Send one of the approved templates, or wait until the shopper writes again.",
            templates_for_language(conversation.language) if conversation.channel == "whatsapp" else [])

