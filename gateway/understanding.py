"""What the assistant understands of one message, without a conversation: the path of `/api/v1/parse`, shared
with the evaluation of models so that both see exactly what live traffic sees (language ID, MT in, encoder)."""

from dataclasses import dataclass, field
from typing import Any

from gateway.flows import OUT_OF_SCOPE, english_for_understanding, nlu_metadata, public_intent_name
from gateway.language import configured_language, detect_message_language
from gateway.rasa_client import RasaClient
from translation.responses import BOT_LANGUAGE
from translation.service import TranslationService


@dataclass
class Understanding:
    language: str
    language_confidence: float
    text_en: str | None
    intent: str
    confidence: float
    entities: list[dict[str, Any]] = field(default_factory=list)


async def understand(
    text: str, language: str | None, *, rasa: RasaClient, translator: TranslationService
) -> Understanding:
    """Raises RasaUnavailable when the Rasa server does not answer."""
    if language:
        language, confidence = configured_language(language), 1.0
    else:
        detection = detect_message_language(text, current=None)
        if detection.unsupported:  # not a language the shop serves: nothing in it is understood
            return Understanding(language=detection.unsupported, language_confidence=detection.confidence,
                                 text_en=None, intent=OUT_OF_SCOPE, confidence=1.0)
        language, confidence = detection.language, detection.confidence
    inbound = await english_for_understanding(text, language, translator)
    text_en = text if language == BOT_LANGUAGE else (inbound.text if inbound else None)
    # The same text and metadata as a chat turn: the English MT where it is used, else the original
    result = await rasa.parse(text_en or text, metadata=nlu_metadata(text, language))
    intent = result.get("intent") or {}
    return Understanding(
        language=language,
        language_confidence=round(confidence, 4),
        text_en=text_en,
        intent=public_intent_name(intent.get("name")) or "out_of_scope",
        confidence=float(intent.get("confidence") or 0.0),
        entities=result.get("entities") or [],
    )
