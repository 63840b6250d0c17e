from fastapi import APIRouter, Query

from conversations import service as conversation_service
from conversations.schemas import MessageRead
from gateway.deps import SessionDep

router = APIRouter(prefix="/api/v1/conversations", tags=["conversations"])


@router.get("/{sender_id}/messages", response_model=list[MessageRead])
def list_messages(sender_id: str, db_session: SessionDep, after: int = Query(default=0, ge=0)) -> list[MessageRead]:
    """The conversation's messages after `after` (shopper, bot and agent): how clients without a socket poll."""
    return conversation_service.list_messages(db_session=db_session, sender_id=sender_id, after_id=after)
