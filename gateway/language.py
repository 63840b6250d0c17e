"""Which language a conversation is answered in."""

from typing import Any

from conversations.models import Conversation
from gateway.exceptions import UnsupportedLanguage
from translation.detect import Detection, detect_message_language
from translation.languages import language_code
from translation.settings import get_settings as get_translation_settings


def configured_language(code: str) -> str:
    """A client-chosen language, checked against the configured ones."""
    language = code.lower()
    allowed = get_translation_settings().languages
    if language not in allowed:
        raise UnsupportedLanguage(f"language {language!r} is not configured; available: {', '.join(allowed)}")
    return language


def update_conversation_language(
    requested: str | None, text: str, conversation: Conversation, *, new: bool
) -> Detection:
    """Set the conversation's language for this turn and return it: the client's choice (which pins it), a pinned
    one, or the detected one; `unsupported` names the language the message is written in when that is not a
    configured one."""
    if requested:
        conversation.language = configured_language(requested)
        conversation.language_pinned = True
        return Detection(conversation.language, 1.0, decided=True)
    detection = detect_message_language(text, None if new else conversation.language)
    if detection.decided and not conversation.language_pinned:
        conversation.language = detection.language
    return Detection(conversation.language, detection.confidence, detection.decided, detection.unsupported)


def apply_language_request(parse: dict[str, Any] | None, conversation: Conversation) -> None:
    """"Answer in Spanish" (intent change_language with a language entity) switches and pins the language."""
    if not parse or (parse.get("intent") or {}).get("name") != "change_language":
        return
    for entity in parse.get("entities") or []:
        code = language_code(str(entity.get("value"))) if entity.get("entity") == "language" else None
        if code and code in get_translation_settings().languages:
            conversation.language = code
            conversation.language_pinned = True
            return
