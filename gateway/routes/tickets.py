"""Agents' ticket endpoints (console session or API token; role agent or admin). Changes are audited."""

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sse_starlette import EventSourceResponse

from audit import service as audit
from canned import service as canned_service
from channels import outbox as channel_outbox
from conversations import service as conversation_service
from conversations.models import Conversation
from conversations.schemas import MessageRead
from database.core import get_session_factory
from gateway import csat_flows
from gateway.blocking import in_thread
from gateway.canned_flow import render_for_ticket
from gateway.deps import CurrentAdmin, CurrentAgent, ResponsesDep, SessionDep, TranslatorDep
from gateway.live import QUEUE, watching
from gateway.replies import send_reply
from gateway.schemas import RowId
from handoff import service as handoff_service
from handoff.models import AgentUser, Ticket
from proactive import channel_rules
from translation.responses import BOT_LANGUAGE
from translation.service import TranslationService

router = APIRouter(prefix="/api/v1/tickets", tags=["tickets"])

#: A console's queue reloads at least this often, for ticket changes no replica told (Redis away).
QUEUE_REFRESH_SECONDS = 30.0


class TicketRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    status: str
    reason: str
    language: str
    priority: str
    summary: str
    customer_id: int | None
    assignee_id: int | None


class AgentText(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: str = Field(min_length=1, max_length=4000)


class AgentReply(BaseModel):
    """Either the agent's own English text, or a canned reply filled from one of the shopper's orders (by
    default the order in question)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: str | None = Field(default=None, min_length=1, max_length=4000)
    canned_reply: str | None = Field(default=None, min_length=1, max_length=80)
    order_id: str | None = Field(default=None, min_length=1, max_length=40)

    @model_validator(mode="after")
    def _one_kind(self) -> "AgentReply":
        if (self.text is None) == (self.canned_reply is None):
            raise ValueError("send either text or canned_reply")
        if self.order_id is not None and self.canned_reply is None:
            raise ValueError("order_id goes with canned_reply")
        return self


def _outgoing(db_session, ticket: Ticket, body: AgentReply, translator: TranslationService) -> dict[str, Any]:
    """What the shopper receives for the reply: text, its English, and how it was made."""
    if body.canned_reply is not None:
        reply = canned_service.get_by_name_or_raise(db_session=db_session, name=body.canned_reply)
        rendered = render_for_ticket(db_session=db_session, ticket=ticket, reply=reply,
                                           order_id=body.order_id, translator=translator)
        return {"text": rendered.text, "text_en": rendered.text_en, "delivery": rendered.delivery,
                "backend": rendered.backend, "milliseconds": rendered.milliseconds}
    shown = translator.translate(body.text, src_lang=BOT_LANGUAGE, tgt_lang=ticket.language)
    translated = shown is not None and shown.backend != "identity"
    return {"text": shown.text if shown else body.text, "text_en": body.text,
            "delivery": "machine_translation" if translated else "english",
            "backend": shown.backend if shown else None, "milliseconds": shown.milliseconds if shown else None}


def _record(db_session, action: str, agent: AgentUser, ticket: Ticket, **details: Any) -> None:
    audit.record(db_session=db_session, action=action, actor=agent, subject_type="ticket", subject_id=ticket.id,
                 details=details)


def _conversation(db_session, ticket: Ticket) -> Conversation:
    return conversation_service.get_by_id_or_raise(db_session=db_session, conversation_id=ticket.conversation_id)


@router.get("", response_model=list[TicketRead])
def list_tickets(
    db_session: SessionDep, agent: CurrentAgent, status: str | None = Query(default=None),
    language: str | None = Query(default=None), priority: str | None = Query(default=None),
) -> list[Ticket]:
    return handoff_service.get_all(db_session=db_session, status=status, language=language, priority=priority)


@router.get("/stream")
async def stream_queue(agent: CurrentAgent) -> EventSourceResponse:
    """`data: {"kind": "tickets"}` (server-sent events) at once, then whenever a ticket is opened or changes on
    any gateway replica: the console reloads its queue then, instead of polling it."""

    async def events() -> AsyncIterator[dict[str, str]]:
        async with watching(QUEUE) as woken:
            while True:
                yield {"data": json.dumps({"kind": "tickets"})}
                await woken(QUEUE_REFRESH_SECONDS)

    return _event_stream(events())


@router.get("/{ticket_id}")
def get_ticket(ticket_id: str, db_session: SessionDep, agent: CurrentAgent) -> dict[str, Any]:
    """The ticket with its package (profile, purchase history, inquiry history) and the live transcript."""
    ticket = handoff_service.get_or_raise(db_session=db_session, ticket_id=ticket_id)
    conversation = _conversation(db_session, ticket)
    messages = conversation_service.list_messages(db_session=db_session, sender_id=conversation.sender_id)
    notes = handoff_service.notes(db_session=db_session, ticket=ticket)
    return {**TicketRead.model_validate(ticket).model_dump(), "sender_id": conversation.sender_id,
            "package": json.loads(ticket.package),
            "messages": [MessageRead.model_validate(m).model_dump(mode="json") for m in messages],
            "notes": [{"id": n.id, "author_id": n.author_id, "text": n.text,
                       "created_at": n.created_at.isoformat() if n.created_at else None} for n in notes]}


@router.post("/{ticket_id}/notes", status_code=201)
def add_note(ticket_id: str, body: AgentText, db_session: SessionDep, agent: CurrentAgent) -> dict[str, Any]:
    """An internal note for the team; the shopper never sees it."""
    ticket = handoff_service.get_or_raise(db_session=db_session, ticket_id=ticket_id)
    note = handoff_service.add_note(db_session=db_session, ticket=ticket, author_id=agent.id, text=body.text)
    _record(db_session, "ticket.note_added", agent, ticket)
    db_session.commit()
    return {"id": note.id, "text": note.text}


@router.post("/{ticket_id}/claim", response_model=TicketRead)
def claim_ticket(ticket_id: str, db_session: SessionDep, agent: CurrentAgent) -> Ticket:
    ticket = handoff_service.get_or_raise(db_session=db_session, ticket_id=ticket_id)
    handoff_service.claim(db_session=db_session, ticket=ticket, agent_id=agent.id)
    _record(db_session, "ticket.claimed", agent, ticket)
    db_session.commit()
    return ticket


class Assignment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agent_id: RowId


@router.post("/{ticket_id}/assign", response_model=TicketRead)
def assign_ticket(ticket_id: str, body: Assignment, db_session: SessionDep, admin: CurrentAdmin) -> Ticket:
    """Admins hand a ticket to a given agent (agents claim tickets for themselves)."""
    ticket = handoff_service.get_or_raise(db_session=db_session, ticket_id=ticket_id)
    handoff_service.claim(db_session=db_session, ticket=ticket, agent_id=handoff_service.agent_or_raise(
        db_session=db_session, agent_id=body.agent_id).id)
    _record(db_session, "ticket.assigned", admin, ticket, agent_id=body.agent_id)
    db_session.commit()
    return ticket


@router.post("/{ticket_id}/preview")
def preview_reply(
    ticket_id: str, body: AgentReply, db_session: SessionDep, agent: CurrentAgent, translator: TranslatorDep
) -> dict[str, Any]:
    """What the shopper would receive, how it is made (`delivery`: written, machine_translation or english)
    and its machine translation back into English, before sending."""
    ticket = handoff_service.get_or_raise(db_session=db_session, ticket_id=ticket_id)
    out = _outgoing(db_session, ticket, body, translator)
    translated = out["delivery"] == "machine_translation"
    back = translator.translate(out["text"], src_lang=ticket.language, tgt_lang=BOT_LANGUAGE) if translated else None
    return {"language": ticket.language, "translated": translated, "delivery": out["delivery"],
            "text": out["text"], "text_en": out["text_en"], "back_translation": back.text if back else None}


@router.post("/{ticket_id}/messages", response_model=MessageRead)
def reply_to_shopper(
    ticket_id: str, body: AgentReply, db_session: SessionDep, agent: CurrentAgent, translator: TranslatorDep
):
    """The agent's reply, translated into the shopper's language (order numbers protected); without a
    translation model for that language the shopper receives the English text. A canned reply arrives as
    written for the shopper's language, its values filled from the order and formatted for their locale."""
    ticket = handoff_service.get_or_raise(db_session=db_session, ticket_id=ticket_id)
    if ticket.status == "closed":
        raise handoff_service.TicketClosed(ticket.id)
    channel_rules.check_agent_reply(db_session=db_session, conversation=_conversation(db_session, ticket))
    out = _outgoing(db_session, ticket, body, translator)
    message = conversation_service.add_message(
        db_session=db_session, conversation=_conversation(db_session, ticket), role="agent",
        text=out["text"], text_en=out["text_en"], language=ticket.language,
        translation_backend=out["backend"], translation_ms=out["milliseconds"],
    )
    channel_outbox.enqueue_message(db_session=db_session, conversation=message.conversation, text=message.text)
    db_session.flush()
    _record(db_session, "ticket.replied", agent, ticket, message_id=message.id,
            **({"canned_reply": body.canned_reply} if body.canned_reply else {}))
    db_session.commit()
    return message


@router.post("/{ticket_id}/close", response_model=TicketRead)
def close_ticket(
    ticket_id: str, db_session: SessionDep, agent: CurrentAgent, responses: ResponsesDep, translator: TranslatorDep
) -> Ticket:
    """Hand the conversation back to the assistant, which tells the shopper so."""
    ticket = handoff_service.get_or_raise(db_session=db_session, ticket_id=ticket_id)
    handoff_service.close(db_session=db_session, ticket=ticket)
    conversation = _conversation(db_session, ticket)
    send_reply(db_session=db_session, conversation=conversation, payload={"response": "utter_handoff_closed"},
               responses=responses, translator=translator)
    csat_flows.ask_flow(db_session=db_session, conversation=conversation, ticket=ticket,
                        agent_id=ticket.assignee_id or agent.id, responses=responses, translator=translator)
    _record(db_session, "ticket.closed", agent, ticket)
    db_session.commit()
    return ticket


def _event_stream(events: AsyncIterator[dict[str, str]]) -> EventSourceResponse:
    """Server-sent events: a comment every 15 s keeps proxies from closing an idle stream; the stream ends when
    the console goes away or the gateway shuts down (sse-starlette)."""
    return EventSourceResponse(events, sep="\n", headers={"Cache-Control": "no-store"})


def _sender_of_ticket(db_session, ticket_id: str) -> str:
    return _conversation(db_session, handoff_service.get_or_raise(db_session=db_session, ticket_id=ticket_id)).sender_id


def _messages_after(sender_id: str, after_id: int) -> list[dict[str, Any]]:
    with get_session_factory()() as session:
        messages = conversation_service.list_messages(db_session=session, sender_id=sender_id, after_id=after_id)
        return [MessageRead.model_validate(m).model_dump(mode="json") for m in messages]


@router.get("/{ticket_id}/stream")
async def stream_messages(
    ticket_id: str, db_session: SessionDep, agent: CurrentAgent, after: Annotated[RowId, Query()] = 0
) -> EventSourceResponse:
    """New messages of the ticket's conversation as server-sent events (`data: {message}`), for the console:
    read when a commit on any gateway replica stored some (gateway/live.py)."""
    sender_id = await in_thread(_sender_of_ticket, db_session, ticket_id)

    async def events() -> AsyncIterator[dict[str, str]]:
        last = after
        async with watching(sender_id) as woken:
            while True:
                for payload in await in_thread(_messages_after, sender_id, last):
                    last = payload["id"]
                    yield {"data": json.dumps(payload, ensure_ascii=False)}
                await woken(None)

    return _event_stream(events())
