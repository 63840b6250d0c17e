from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from database.settings import REPO_ROOT


class LearningSettings(BaseSettings):
    """Where the training inputs live and how the inbox decides what was misunderstood (`LEARNING_*`)."""

    model_config = SettingsConfigDict(env_prefix="LEARNING_", extra="ignore")

    #: The Rasa project's YAML (domain and data); database examples are added to a copy at training time.
    domain_dir: Path = REPO_ROOT / "bot" / "domain"
    data_dir: Path = REPO_ROOT / "bot" / "data"
    #: Held-out rows {"text", "intent", "language"} every candidate is scored on before activation.
    heldout_path: Path = REPO_ROOT / "bot" / "tests" / "heldout.jsonl"
    #: A shopper message parsed below this confidence goes to the inbox.
    inbox_confidence_threshold: float = 0.6
    #: Messages whose sentence embeddings are at least this similar (cosine) form one inbox group.
    inbox_group_similarity: float = 0.5
    #: How many recent shopper messages the inbox looks through.
    inbox_scan_limit: int = 5000
    #: The Rasa server of live traffic (the gateway's own setting): a model it serves is scored there.
    live_rasa_url: str = Field(default="http://127.0.0.1:5005",
                               validation_alias=AliasChoices("GATEWAY_RASA_URL", "LEARNING_LIVE_RASA_URL"))


@lru_cache
def get_settings() -> LearningSettings:
    return LearningSettings()
