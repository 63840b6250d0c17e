from pydantic import BaseModel, ConfigDict

from database.types import UtcDatetime


class MessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    role: str
    text: str
    text_en: str | None
    language: str
    intent: str | None
    confidence: float | None
    created_at: UtcDatetime
