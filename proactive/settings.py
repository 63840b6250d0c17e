from functools import lru_cache

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ProactiveSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PROACTIVE_", extra="ignore")

    #: Signs `POST /api/v1/shop/events` (shared with the shop); without it the endpoint answers 404.
    shop_events_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SHOP_EVENTS_SECRET", "PROACTIVE_SHOP_EVENTS_SECRET"))
    cod_reminder_hours: float = 2.0
    cod_give_up_hours: float = 24.0
    timer_interval_seconds: float = 60.0
    #: The shipping updates the shop sends (a JSON list of event kinds).
    shipping_updates: list[str] = ["order.shipped", "order.delayed", "order.delivered"]


@lru_cache
def get_settings() -> ProactiveSettings:
    return ProactiveSettings()
