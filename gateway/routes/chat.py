from fastapi import APIRouter

from gateway.deps import RasaDep, ResponsesDep, SessionDep, TranslatorDep
from gateway.flows import handle_message_flow
from gateway.schemas import ChatRequest, ChatResponse
from gateway.settings import get_settings
from gateway.validation import check_message_text

router = APIRouter(prefix="/api/v1", tags=["chat"])


@router.post("/chat", response_model=ChatResponse)
async def chat(
    body: ChatRequest, db_session: SessionDep, rasa: RasaDep, responses: ResponsesDep, translator: TranslatorDep
) -> ChatResponse:
    """One shopper message in, the assistant's replies out (in the conversation's language)."""
    check_message_text(body.text, get_settings().max_message_chars)
    return await handle_message_flow(
        request=body, channel="api", db_session=db_session, rasa=rasa, responses=responses, translator=translator
    )
