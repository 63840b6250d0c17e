from fastapi import APIRouter, Depends

from assistant.rasa_client import RasaUnavailable
from assistant.understanding import understand
from gateway.deps import RasaDep, TranslatorDep
from gateway.exceptions import AssistantUnavailable
from gateway.language import configured_language
from gateway.rate_limits import limit_client
from gateway.schemas import Entity, Intent, ParseRequest, ParseResponse
from gateway.settings import get_settings
from gateway.validation import check_message_text

router = APIRouter(prefix="/api/v1", tags=["nlu"])


@router.post("/parse", response_model=ParseResponse, dependencies=[Depends(limit_client)])
async def parse(body: ParseRequest, rasa: RasaDep, translator: TranslatorDep) -> ParseResponse:
    """What the assistant understands of a message: language, English text, intent and entities."""
    check_message_text(body.text, get_settings().max_message_chars)
    try:
        language = configured_language(body.language) if body.language else None
        result = await understand(body.text, language, rasa=rasa, translator=translator)
    except RasaUnavailable as error:
        raise AssistantUnavailable("the assistant is not available; try again shortly") from error
    return ParseResponse(
        language=result.language,
        language_confidence=result.language_confidence,
        text_en=result.text_en,
        intent=Intent(name=result.intent, confidence=result.confidence),
        entities=[Entity(entity=e["entity"], value=str(e["value"])) for e in result.entities],
    )
