"""Request and response bodies of the admin API (/api/v1/admin)."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from database.types import UtcDatetime
from gateway.schemas import RowId, StrictBody
from learning.inbox import InboxGroup


class ExampleBody(StrictBody):
    text: str = Field(min_length=1, max_length=500)
    language: str = Field(default="en", min_length=2, max_length=8)
    text_en: str | None = Field(default=None, max_length=500)


class ExamplesCreate(StrictBody):
    intent: str = Field(min_length=1, max_length=64)
    examples: list[ExampleBody] = Field(min_length=1, max_length=1000)


class IntentCreate(StrictBody):
    name: str = Field(min_length=1, max_length=64)
    description: str = Field(default="", max_length=500)
    #: The response by language; English is required, the others are used before machine translation.
    responses: dict[str, str] = Field(min_length=1)
    examples: list[ExampleBody] = Field(default_factory=list, max_length=1000)


class ReviewBody(StrictBody):
    message_ids: list[RowId] = Field(min_length=1, max_length=500)
    decision: Literal["intent", "ignored", "out_of_scope"]
    intent: str | None = Field(default=None, max_length=64)


class TrainBody(StrictBody):
    force: bool = False


class EvaluateBody(StrictBody):
    #: Rows {"text", "intent", "language"?}; the held-out set when omitted.
    rows: list[dict] | None = Field(default=None, max_length=20_000)
    source: str | None = Field(default=None, max_length=200)


class ActivateBody(StrictBody):
    #: Switch even if the candidate scores below the active model (or was never scored).
    override: bool = False


class ORMRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ExampleRead(ORMRead):
    id: int
    intent: str
    text: str
    language: str
    text_en: str | None
    message_id: int | None
    created_by: str
    created_at: UtcDatetime


class IntentRead(BaseModel):
    name: str
    created_by_admin: bool
    examples_added: int


class InboxRead(BaseModel):
    messages: int
    groups: list[InboxGroup]


class JobRead(ORMRead):
    id: int
    kind: str
    status: str
    progress: float
    stage: str
    error: str | None
    result: dict | None
    requested_by: str
    created_at: UtcDatetime
    started_at: UtcDatetime | None
    finished_at: UtcDatetime | None


class JobDetail(JobRead):
    log: str


class ModelRead(ORMRead):
    id: int
    name: str
    fingerprint: str
    trained_by: str
    training_seconds: float | None
    examples: int | None
    metrics: dict | None
    active: bool
    activated_at: UtcDatetime | None
    activated_by: str | None
    created_at: UtcDatetime
