from functools import lru_cache

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class HandoffSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HANDOFF_", extra="ignore")

    #: An order above this total (in its currency) makes a ticket high priority.
    high_order_value: float = 300.0
    #: Shop rule: cancelling, returning or refunding an order above this total goes to a person (off if unset).
    escalate_order_value: float | None = None
    #: This many conversations within `repeat_contact_days` make a ticket high priority.
    repeat_contacts: int = 3
    repeat_contact_days: int = 30
    #: Ticket events are POSTed here (HMAC-SHA256 signed with the secret) when set, e.g. to mirror tickets into
    #: Zendesk / Freshdesk / Chatwoot through a small adapter.
    #: When agents work, in the shop's time zone ("09:00-18:00", days Monday=0 as JSON, e.g. "[0,1,2,3,4]");
    #: outside them the shopper is told when to expect a reply. Default: always.
    business_hours: str = "00:00-23:59:59"
    business_days: list[int] = [0, 1, 2, 3, 4, 5, 6]
    timezone: str = "UTC"
    #: A ticket nobody claimed for this long gets a "still waiting" message to the shopper (once).
    unclaimed_notice_minutes: float = 10.0
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_max_backoff_seconds: int = 3600
    #: This many wrong passwords in a row lock an account for `lockout_minutes` (the right one is refused too).
    lockout_attempts: int = 5
    lockout_minutes: float = 15.0
    #: A console session ends after this long without a request, and at the latest `session_max_hours` after
    #: sign-in.
    session_idle_minutes: float = 120.0
    session_max_hours: float = 12.0


@lru_cache
def get_settings() -> HandoffSettings:
    return HandoffSettings()
