"""The channels by name. Their message formats are always known (messages for a conversation on a channel
are queued even while it is switched off); their API clients exist only when configured."""

from channels.base import Platform
from channels.messenger import Messenger
from channels.settings import get_messenger_settings, get_telegram_settings, get_whatsapp_settings
from channels.telegram import Telegram
from channels.whatsapp import WhatsApp

PLATFORMS: dict[str, type[Platform]] = {"telegram": Telegram, "whatsapp": WhatsApp, "messenger": Messenger}


def configured_platforms() -> dict[str, Platform]:
    candidates = ((Telegram, get_telegram_settings()), (WhatsApp, get_whatsapp_settings()),
                  (Messenger, get_messenger_settings()))
    return {kind.name: kind(settings) for kind, settings in candidates if settings.configured}


def get_platform(name: str) -> Platform | None:
    return configured_platforms().get(name)
