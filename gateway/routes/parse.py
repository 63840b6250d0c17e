from fastapi import APIRouter

from gateway.deps import RasaDep, ResponsesDep
from gateway.exceptions import AssistantUnavailable, UnsupportedLanguage
from gateway.flows import public_intent_name
from gateway.rasa_client import RasaUnavailable
from gateway.schemas import Entity, Intent, ParseRequest, ParseResponse
from gateway.settings import get_settings
from gateway.validation import check_message_text
from translation.responses import BOT_LANGUAGE

router = APIRouter(prefix="/api/v1", tags=["nlu"])


@router.post("/parse", response_model=ParseResponse)
async def parse(body: ParseRequest, rasa: RasaDep, responses: ResponsesDep) -> ParseResponse:
    """What the assistant understands of a message: language, English text, intent and entities."""
    check_message_text(body.text, get_settings().max_message_chars)
    language = body.language or BOT_LANGUAGE
    if language not in responses.languages:
        raise UnsupportedLanguage(f"language {language!r} is not configured")
    try:
        result = await rasa.parse(body.text)
    except RasaUnavailable as error:
        raise AssistantUnavailable("the assistant is not available; try again shortly") from error
    intent = result.get("intent") or {}
    return ParseResponse(
        language=language,
        language_confidence=1.0,
        text_en=body.text if language == BOT_LANGUAGE else None,
        intent=Intent(name=public_intent_name(intent.get("name")) or "out_of_scope",
                      confidence=float(intent.get("confidence") or 0.0)),
        entities=[Entity(entity=e["entity"], value=str(e["value"])) for e in result.get("entities") or []],
    )
