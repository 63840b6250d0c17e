from typing import Annotated

from fastapi import APIRouter, Depends, Header

from gateway.deps import RasaDep, ResponsesDep, SessionDep, TranslatorDep
from gateway.flows import handle_message_flow
from gateway.rate_limits import limit_client
from gateway.schemas import ChatRequest, ChatResponse
from gateway.settings import get_settings
from gateway.validation import check_message_text

router = APIRouter(prefix="/api/v1", tags=["chat"])


@router.post("/chat", response_model=ChatResponse, dependencies=[Depends(limit_client)])
async def chat(
    body: ChatRequest, db_session: SessionDep, rasa: RasaDep, responses: ResponsesDep, translator: TranslatorDep,
    x_conversation_token: Annotated[str | None, Header(max_length=256)] = None,
) -> ChatResponse:
    """One shopper message in, the assistant's replies out (in the conversation's language). The first message
    of a new `sender_id` creates the conversation and returns its `conversation_token`; every later turn sends
    it as `X-Conversation-Token` (without it, or with a wrong one: 404 `conversation_not_found`)."""
    check_message_text(body.text, get_settings().max_message_chars)
    return await handle_message_flow(
        request=body, channel="api", db_session=db_session, rasa=rasa, responses=responses, translator=translator,
        conversation_token=x_conversation_token,
    )
