"""The public API's request and response bodies (design.md, "Interfaces that others depend on")."""

from typing import Annotated, Literal

from annotated_types import Ge, Le
from pydantic import BaseModel, ConfigDict, Field, field_validator

from conversations.schemas import MessageRead

#: A row id in a request: larger numbers cannot be stored by the databases (64-bit integers), so they are
#: refused with a 422 instead of failing in the query.
RowId = Annotated[int, Ge(0), Le(2**63 - 1)]


class StrictBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ChatRequest(StrictBody):
    sender_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@\-]+$")
    text: str = Field(min_length=1)
    language: str | None = Field(default=None, max_length=16)
    customer_token: str | None = Field(default=None, max_length=512)


class ParseRequest(StrictBody):
    text: str = Field(min_length=1)
    language: str | None = Field(default=None, max_length=16)

    @field_validator("language")
    @classmethod
    def lower(cls, value: str | None) -> str | None:
        return value.lower() if value else value


class Button(BaseModel):
    """A quick reply: `payload` is what the client sends as the shopper's message when it is clicked."""

    title: str
    payload: str


class ChatMessage(BaseModel):
    text: str
    text_en: str
    buttons: list[Button] = []


class Handoff(BaseModel):
    ticket_id: str


class ChatResponse(BaseModel):
    language: str
    messages: list[ChatMessage]
    handoff: Handoff | None = None
    #: The conversation's secret, in the answer to its first message only: later turns, the history and the
    #: socket need it (`X-Conversation-Token`).
    conversation_token: str | None = None


class Intent(BaseModel):
    name: str
    confidence: float


class Entity(BaseModel):
    entity: str
    value: str


class ParseResponse(BaseModel):
    language: str
    language_confidence: float
    text_en: str | None
    intent: Intent
    entities: list[Entity]


class ConversationMessage(MessageRead):
    """A stored message as the web clients show it: with the quick replies of the question it asks, and
    whether it opens or closes a handoff (so a client knows a person is answering without asking)."""

    buttons: list[Button] = []
    handoff: Literal["opened", "closed"] | None = None
