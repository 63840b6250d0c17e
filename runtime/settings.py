from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from database.settings import REPO_ROOT


class RunSettings(BaseSettings):
    """Where the processes listen and where their files live (`SHOPBOT_*`)."""

    model_config = SettingsConfigDict(env_prefix="SHOPBOT_", extra="ignore")

    host: str = "127.0.0.1"
    rasa_port: int = 5005
    actions_port: int = 5055
    var_dir: Path = REPO_ROOT / "var"
    models_dir: Path = REPO_ROOT / "bot" / "models"
    rasa_venv: Path = REPO_ROOT / ".venv-rasa"
    startup_timeout_seconds: float = 300.0


@lru_cache
def get_settings() -> RunSettings:
    return RunSettings()
