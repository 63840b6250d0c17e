from fastapi import APIRouter

from gateway.deps import RasaDep, TranslatorDep
from gateway.exceptions import AssistantUnavailable
from gateway.flows import english_for_understanding, public_intent_name
from gateway.language import configured_language, detect_message_language
from gateway.rasa_client import RasaUnavailable
from gateway.schemas import Entity, Intent, ParseRequest, ParseResponse
from gateway.settings import get_settings
from gateway.validation import check_message_text
from translation.responses import BOT_LANGUAGE

router = APIRouter(prefix="/api/v1", tags=["nlu"])


@router.post("/parse", response_model=ParseResponse)
async def parse(body: ParseRequest, rasa: RasaDep, translator: TranslatorDep) -> ParseResponse:
    """What the assistant understands of a message: language, English text, intent and entities."""
    check_message_text(body.text, get_settings().max_message_chars)
    if body.language:
        language, confidence = configured_language(body.language), 1.0
    else:
        detection = detect_message_language(body.text, current=None)
        language, confidence = detection.language, detection.confidence
    inbound = await english_for_understanding(body.text, language, translator)
    text_en = body.text if language == BOT_LANGUAGE else (inbound.text if inbound else None)
    try:
        # /model/parse takes no metadata: the English MT where it is used, else the original (the encoder
        # reads any configured language).
        result = await rasa.parse(text_en or body.text)
    except RasaUnavailable as error:
        raise AssistantUnavailable("the assistant is not available; try again shortly") from error
    intent = result.get("intent") or {}
    return ParseResponse(
        language=language,
        language_confidence=round(confidence, 4),
        text_en=text_en,
        intent=Intent(name=public_intent_name(intent.get("name")) or "out_of_scope",
                      confidence=float(intent.get("confidence") or 0.0)),
        entities=[Entity(entity=e["entity"], value=str(e["value"])) for e in result.get("entities") or []],
    )
