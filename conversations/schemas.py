from pydantic import BaseModel, ConfigDict, computed_field

from conversations.intent_names import human_name
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
    entities: list[dict[str, str]] | None = None
    created_at: UtcDatetime

    @computed_field
    @property
    def intent_name(self) -> str | None:
        """The intent's human name in English, what agents read."""
        return human_name(self.intent)
