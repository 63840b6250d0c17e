"""One settings class per channel; a channel is on only when all of its credentials are in the environment."""

from functools import lru_cache

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

GRAPH_API = "https://graph.facebook.com/v21.0"


class ChannelQueueSettings(BaseSettings):
    """The queues of every channel: accepted messages in, the outbox out."""

    model_config = SettingsConfigDict(env_prefix="CHANNELS_", extra="ignore")

    #: How often the outbox is checked for messages due for a retry (new messages are sent at once).
    outbox_interval_seconds: float = 1.0
    #: Failed sends are retried after 2, 4, 8, ... seconds, at most this long (or the platform's Retry-After).
    max_backoff_seconds: int = 300
    send_timeout_seconds: float = 10.0
    #: An accepted message not handled this long after a process took it on is taken on by another one (or by
    #: the same process after a restart), at most `max_handling_attempts` times.
    handling_lease_seconds: float = 120.0
    max_handling_attempts: int = 3
    unfinished_check_seconds: float = 30.0


class TelegramSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TELEGRAM_", extra="ignore")

    bot_token: SecretStr | None = None
    #: The `secret_token` given to setWebhook; Telegram sends it back in X-Telegram-Bot-Api-Secret-Token.
    webhook_secret: SecretStr | None = None
    api_base_url: str = "https://api.telegram.org"

    @property
    def configured(self) -> bool:
        return bool(self.bot_token and self.webhook_secret)


class MetaAppSettings(BaseSettings):
    """What WhatsApp Cloud API and Messenger share: the app secret signing webhooks, the verify token of the
    subscription handshake, and the Graph API."""

    app_secret: SecretStr | None = None
    verify_token: SecretStr | None = None
    api_base_url: str = GRAPH_API


class WhatsAppSettings(MetaAppSettings):
    model_config = SettingsConfigDict(env_prefix="WHATSAPP_", extra="ignore")

    access_token: SecretStr | None = None
    phone_number_id: str | None = None

    @property
    def configured(self) -> bool:
        return bool(self.access_token and self.phone_number_id and self.app_secret and self.verify_token)


class MessengerSettings(MetaAppSettings):
    model_config = SettingsConfigDict(env_prefix="MESSENGER_", extra="ignore")

    page_access_token: SecretStr | None = None

    @property
    def configured(self) -> bool:
        return bool(self.page_access_token and self.app_secret and self.verify_token)


@lru_cache
def get_channel_queue_settings() -> ChannelQueueSettings:
    return ChannelQueueSettings()


@lru_cache
def get_telegram_settings() -> TelegramSettings:
    return TelegramSettings()


@lru_cache
def get_whatsapp_settings() -> WhatsAppSettings:
    return WhatsAppSettings()


@lru_cache
def get_messenger_settings() -> MessengerSettings:
    return MessengerSettings()
