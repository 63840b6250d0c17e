"""The public API's request and response bodies (design.md, "Interfaces that others depend on")."""

from pydantic import BaseModel, ConfigDict, Field, field_validator


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


class ChatMessage(BaseModel):
    text: str
    text_en: str


class Handoff(BaseModel):
    ticket_id: str


class ChatResponse(BaseModel):
    language: str
    messages: list[ChatMessage]
    handoff: Handoff | None = None


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
