from functools import lru_cache
from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = REPO_ROOT / "var" / "shopbot.db"


class DatabaseSettings(BaseSettings):
    """`DATABASE_URL` picks the database: a SQLite file by default, PostgreSQL for scale-out."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"

    @field_validator("database_url")
    @classmethod
    def use_psycopg3(cls, url: str) -> str:
        """Accept the common `postgres://` / `postgresql://` spellings and use the psycopg 3 driver."""
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url


@lru_cache
def get_settings() -> DatabaseSettings:
    return DatabaseSettings()
