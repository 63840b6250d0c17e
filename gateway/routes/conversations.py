from typing import Annotated

from fastapi import APIRouter, Header, Query

from conversations import service as conversation_service
from gateway.deps import ResponsesDep, SessionDep
from gateway.schemas import ConversationMessage, RowId
from gateway.transcript import shown_message

router = APIRouter(prefix="/api/v1/conversations", tags=["conversations"])


@router.get("/{sender_id}/messages", response_model=list[ConversationMessage])
def list_messages(
    sender_id: str, db_session: SessionDep, responses: ResponsesDep, after: Annotated[RowId, Query()] = 0,
    x_conversation_token: Annotated[str | None, Header(max_length=256)] = None,
) -> list[ConversationMessage]:
    """The conversation's messages after `after` (shopper, bot and agent): how clients without a socket poll.
    Needs the conversation's secret (`X-Conversation-Token`). Bot messages that ask a yes/no question carry
    their quick-reply `buttons`."""
    conversation_service.owned_or_raise(db_session=db_session, sender_id=sender_id, token=x_conversation_token)
    messages = conversation_service.list_messages(db_session=db_session, sender_id=sender_id, after_id=after)
    return [shown_message(message, responses) for message in messages]
