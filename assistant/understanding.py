"""What the assistant understands of one message, without a conversation: the path of `/api/v1/parse`, shared
with the evaluation of models so that both see exactly what live traffic sees (language ID, MT in, encoder)."""

from dataclasses import dataclass, field
from typing import Any

from anyio import to_thread

from assistant.rasa_client import RasaClient
from translation.detect import detect_message_language
from translation.responses import BOT_LANGUAGE
from translation.service import Translation, TranslationService
from translation.settings import get_settings as get_translation_settings

FALLBACK_INTENT = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
#: The bot's own intents, outside the catalogue (a bare order number or e-mail, which its dialogue uses): the
#: parse API reports only catalogue names, so these come out as `out_of_scope`, their entities kept.
BOT_ONLY_INTENTS = {"inform"}


def public_intent_name(name: str | None) -> str | None:
    """Rasa's `nlu_fallback` is reported under the catalogue's name, `out_of_scope`."""
    return OUT_OF_SCOPE if name == FALLBACK_INTENT else name


def nlu_metadata(text: str, language: str) -> dict[str, str]:
    """What the NLU components read besides the text Rasa gets: the shopper's own words and their language."""
    return {"language": language, "original_text": text}


async def english_for_understanding(
    text: str, language: str, translator: TranslationService
) -> Translation | None:
    """The English MT Rasa gets instead of the original, for languages where MT was measured to help."""
    if language == BOT_LANGUAGE or language not in get_translation_settings().mt_input_languages:
        return None
    return await to_thread.run_sync(lambda: translator.translate(text, src_lang=language, tgt_lang=BOT_LANGUAGE))


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
    """`language` is one the shop serves (the caller checked it), or None to detect it. Raises RasaUnavailable
    when the Rasa server does not answer."""
    if language:
        confidence = 1.0
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
    name = public_intent_name(intent.get("name"))
    return Understanding(
        language=language,
        language_confidence=round(confidence, 4),
        text_en=text_en,
        intent=OUT_OF_SCOPE if name is None or name in BOT_ONLY_INTENTS else name,
        confidence=float(intent.get("confidence") or 0.0),
        entities=result.get("entities") or [],
    )
