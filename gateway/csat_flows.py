"""The satisfaction question in a conversation: asked when a ticket closes (and, if the shop wants, after the
assistant resolved a conversation alone), answered with a quick reply or a typed "1"-"5" plus an optional
comment. Anything that is not a rating goes on to the assistant as an ordinary message."""

from sqlalchemy.orm import Session

from conversations.models import Conversation, Message
from csat import service as csat_service
from csat.settings import get_settings as get_csat_settings
from gateway.replies import Reply, send_reply
from gateway.schemas import ChatMessage, ChatResponse
from handoff import service as handoff_service
from handoff.models import Ticket
from translation.responses import ResponseCatalog
from translation.service import TranslationService


def ask_flow(
    *, db_session: Session, conversation: Conversation, ticket: Ticket | None, agent_id: int | None,
    responses: ResponseCatalog, translator: TranslationService,
) -> Reply:
    """Store the question (with its five quick replies) in the conversation, queued for messaging channels."""
    csat_service.ask(db_session=db_session, conversation=conversation, ticket=ticket, agent_id=agent_id)
    return send_reply(db_session=db_session, conversation=conversation, payload={"response": csat_service.ASK_RESPONSE},
                      responses=responses, translator=translator)


def answer_flow(
    *, db_session: Session, conversation: Conversation, shopper_message: Message, text: str,
    responses: ResponseCatalog, translator: TranslationService,
) -> ChatResponse | None:
    """Record a rating answering the open question and thank the shopper; None when there is no open question
    or `text` is not a rating."""
    survey = csat_service.awaiting_answer(db_session=db_session, conversation_id=conversation.id)
    answer = csat_service.parse_answer(text) if survey is not None else None
    if survey is None or answer is None:
        return None
    rating, comment = answer
    csat_service.record(survey=survey, rating=rating, comment=comment)
    shopper_message.intent, shopper_message.confidence, shopper_message.delivered = "csat_rating", 1.0, True
    reply = send_reply(db_session=db_session, conversation=conversation,
                       payload={"response": csat_service.THANKS_RESPONSE}, responses=responses, translator=translator)
    db_session.commit()
    return ChatResponse(language=conversation.language, messages=[ChatMessage(text=reply.text, text_en=reply.text_en)])


def ask_after_resolution_flow(
    *, db_session: Session, conversation: Conversation, shopper_message: Message, ticket: Ticket | None,
    responses: ResponseCatalog, translator: TranslationService,
) -> Reply | None:
    """With CSAT_AFTER_BOT_RESOLUTION, ask once per conversation when the shopper ends a conversation the
    assistant handled alone (goodbye or thanks; no ticket this turn nor before)."""
    if (not get_csat_settings().after_bot_resolution or ticket is not None
            or shopper_message.intent not in csat_service.RESOLVED_INTENTS
            or handoff_service.was_handed_over(db_session=db_session, conversation_id=conversation.id)
            or csat_service.was_asked(db_session=db_session, conversation_id=conversation.id)):
        return None
    return ask_flow(db_session=db_session, conversation=conversation, ticket=None, agent_id=None, responses=responses,
                    translator=translator)
