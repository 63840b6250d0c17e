"""Canned replies: admins write them (`/api/v1/admin/canned-replies`), agents list them and get one suggested for
a ticket's last shopper message. Sending one goes through `POST /api/v1/tickets/{id}/messages`."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from audit import service as audit
from canned import service as canned_service
from canned.exceptions import MissingValue
from canned.models import CannedReply
from conversations import service as conversation_service
from conversations.intent_names import NOT_TOPICS
from gateway.canned_flow import render_for_ticket
from gateway.deps import CurrentAdmin, CurrentAgent, SessionDep, TranslatorDep
from handoff import service as handoff_service
from translation.service import TranslationService

router = APIRouter(tags=["canned replies"])

#: The assistant's own answers that are about handing over, not about the shopper's question.
HANDOFF_RESPONSES = ("utter_handoff", "utter_offer_human")

ReplyName = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[a-z0-9_\-]+$")]


class CannedReplyWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ReplyName
    texts: dict[Annotated[str, Field(max_length=8)], Annotated[str, Field(max_length=4000)]]
    intent: Annotated[str, Field(max_length=64)] | None = None


def _read(reply: CannedReply, *, language: str | None, translator: TranslationService) -> dict[str, Any]:
    """The reply; for a ticket's language also how it would be delivered (written, machine_translation, english)."""
    body = {"name": reply.name, "intent": reply.intent, "texts": reply.texts,
            "variables": sorted(canned_service.variables_in(reply.texts["en"]))}
    if language is not None:
        body["delivery"] = canned_service.delivery(reply, language=language, translator=translator)
    return body


@router.post("/api/v1/admin/canned-replies", status_code=201)
def save_canned_reply(
    body: CannedReplyWrite, db_session: SessionDep, admin: CurrentAdmin, translator: TranslatorDep
) -> dict[str, Any]:
    """Create a reply, or replace the texts of the one with that name."""
    reply = canned_service.save(db_session=db_session, name=body.name, texts=body.texts, intent=body.intent)
    audit.record(db_session=db_session, action="canned_reply.saved", actor=admin, subject_type="canned_reply",
                 subject_id=reply.name, details={"languages": sorted(body.texts)})
    db_session.commit()
    return _read(reply, language=None, translator=translator)


@router.get("/api/v1/canned-replies")
def list_canned_replies(
    db_session: SessionDep, agent: CurrentAgent, translator: TranslatorDep,
    ticket_id: Annotated[str | None, Query(max_length=64)] = None,
) -> list[dict[str, Any]]:
    """Every reply; with `ticket_id`, each says how it would reach that ticket's shopper."""
    language = handoff_service.get_or_raise(db_session=db_session, ticket_id=ticket_id).language if ticket_id else None
    return [_read(reply, language=language, translator=translator)
            for reply in canned_service.get_all(db_session=db_session)]


@router.get("/api/v1/tickets/{ticket_id}/suggested-reply")
def suggested_reply(
    ticket_id: str, db_session: SessionDep, agent: CurrentAgent, translator: TranslatorDep
) -> dict[str, Any] | None:
    """For the shopper's last question (their last message with a topic, not "a person please" or "yes"): the
    canned reply of its intent filled from the order in question, else the assistant's own answer to it; null
    when there is neither."""
    ticket = handoff_service.get_or_raise(db_session=db_session, ticket_id=ticket_id)
    messages = conversation_service.get_by_id_or_raise(db_session=db_session,
                                                       conversation_id=ticket.conversation_id).messages
    shopper = [index for index, message in enumerate(messages) if message.role == "shopper" and message.intent
               and message.intent not in NOT_TOPICS and message.intent != "human_handoff"]
    if not shopper:
        return None
    last = messages[shopper[-1]]
    reply = canned_service.for_intent(db_session=db_session, intent=last.intent)
    if reply is not None:
        try:
            rendered = render_for_ticket(db_session=db_session, ticket=ticket, reply=reply, order_id=None,
                                               translator=translator)
        except MissingValue:
            rendered = None
        if rendered is not None:
            return {"kind": "canned_reply", "name": reply.name, "intent": last.intent, "text": rendered.text,
                    "text_en": rendered.text_en, "delivery": rendered.delivery}
    answer = next((m for m in messages[shopper[-1] + 1:] if m.role == "bot" and m.response_key
                   and not m.response_key.startswith(HANDOFF_RESPONSES)), None)
    if answer is None:
        return None
    return {"kind": "bot_response", "response": answer.response_key, "intent": last.intent, "text": answer.text,
            "text_en": answer.text_en, "delivery": "written"}
