from functools import lru_cache

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class HandoffSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HANDOFF_", extra="ignore")

    #: An order above this total (in its currency) makes a ticket high priority.
    high_order_value: float = 300.0
    #: This many conversations within `repeat_contact_days` make a ticket high priority.
    repeat_contacts: int = 3
    repeat_contact_days: int = 30
    #: Ticket events are POSTed here (HMAC-SHA256 signed with the secret) when set, e.g. to mirror tickets into
    #: Zendesk / Freshdesk / Chatwoot through a small adapter.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_max_backoff_seconds: int = 3600


@lru_cache
def get_settings() -> HandoffSettings:
    return HandoffSettings()
