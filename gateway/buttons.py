"""Quick-reply buttons for the assistant's yes/no questions, titled in the conversation's language.

A button's payload is a Rasa intent (`/affirm`): Rasa takes a text starting with `/` as that intent, so a
click is understood the same way in every language. Titles are terms of `bot/responses/<lang>.yml`
(`button.*`), so a click is stored and shown as the title the shopper saw.
"""

from translation.response_registry import BUTTONS, QuickReply
from translation.responses import BOT_LANGUAGE, ResponseCatalog


def _title(button: QuickReply, responses: ResponseCatalog, language: str) -> str:
    return responses.term(button.title_term, language)


#: The payloads a client may send as a shopper's message; they reach Rasa as they are.
PAYLOADS = {button.payload for buttons in BUTTONS.values() for button in buttons}


def buttons_for(response_key: str | None, language: str, responses: ResponseCatalog) -> list[dict[str, str]]:
    """`[{"title", "payload"}]` for a response, or an empty list."""
    return [{"title": _title(button, responses, language), "payload": button.payload}
            for button in BUTTONS.get(response_key or "", ())]


def pressed(text: str) -> str | None:
    """The payload when `text` is a button click, else None."""
    payload = text.strip()
    return payload if payload in PAYLOADS else None


def shown_text(payload: str, language: str, responses: ResponseCatalog, previous_key: str | None) -> tuple[str, str]:
    """What a click is stored as: the title of the button the shopper saw (under the assistant's last
    response), in the conversation's language and in English; the payload itself if no such button."""
    for button in BUTTONS.get(previous_key or "", ()):
        if button.payload == payload:
            return _title(button, responses, language), _title(button, responses, BOT_LANGUAGE)
    return payload, payload
