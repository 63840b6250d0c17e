from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class CsatSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CSAT_")

    #: Also ask after a conversation the assistant resolved alone (the shopper said goodbye or thanks).
    after_bot_resolution: bool = False
    #: An answer counts only this long after the question; later, a "5" is an ordinary message.
    answer_window_minutes: int = 24 * 60


@lru_cache
def get_settings() -> CsatSettings:
    return CsatSettings()
