from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, field_validator


class MessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    role: str
    text: str
    text_en: str | None
    language: str
    intent: str | None
    confidence: float | None
    created_at: datetime

    @field_validator("created_at")
    @classmethod
    def in_utc(cls, value: datetime) -> datetime:
        """SQLite gives back the stored UTC time without its offset; a client would read it as local time."""
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
