"""Stored messages as the web clients show them (history, polling and the WebSocket send the same shape)."""

from conversations.models import Message
from gateway.buttons import buttons_for
from gateway.schemas import Button, ConversationMessage
from translation.response_registry import HANDOFF_EVENTS
from translation.responses import ResponseCatalog


def shown_message(message: Message, responses: ResponseCatalog) -> ConversationMessage:
    shown = ConversationMessage.model_validate(message)
    shown.handoff = HANDOFF_EVENTS.get(message.response_key or "")
    if message.role == "bot":
        shown.buttons = [Button(**button) for button in buttons_for(message.response_key, message.language, responses)]
    return shown
