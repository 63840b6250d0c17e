from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class PrivacySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PRIVACY_")

    #: Conversations inactive for more than this many days are erased on a schedule (None: kept).
    retention_days: int | None = None
    #: How often the gateway applies the retention setting.
    retention_interval_seconds: float = 3600.0


@lru_cache
def get_settings() -> PrivacySettings:
    return PrivacySettings()
