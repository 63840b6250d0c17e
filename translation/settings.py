from functools import lru_cache
from typing import Annotated

from pydantic import field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from translation.languages import LAUNCH_LANGUAGES


class TranslationSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRANSLATION_", extra="ignore")

    #: The languages shoppers may use (comma-separated in the environment); English is always included.
    languages: Annotated[list[str], NoDecode] = LAUNCH_LANGUAGES
    #: Below this detector confidence a message keeps the conversation's language.
    min_detection_confidence: float = 0.6
    #: Machine-translation backends tried in order for each language pair (those with a model installed).
    backends: Annotated[list[str], NoDecode] = ["bergamot", "ctranslate2", "marian", "apertium"]
    #: Languages whose shopper messages reach Rasa as their English machine translation (measured to help,
    #: bench/translation_quality.py); the others reach it as written and the multilingual encoder reads them.
    mt_input_languages: Annotated[list[str], NoDecode] = ["pt"]

    @field_validator("languages", "backends", "mt_input_languages", mode="before")
    @classmethod
    def split(cls, value):
        if isinstance(value, str):
            value = [part.strip().lower() for part in value.split(",") if part.strip()]
        return value

    @field_validator("languages")
    @classmethod
    def include_english(cls, value: list[str]) -> list[str]:
        return value if "en" in value else ["en", *value]


@lru_cache
def get_settings() -> TranslationSettings:
    return TranslationSettings()
