"""What every channel shares: an incoming message, quick-reply buttons, and webhook authentication."""

import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from channels.settings import MetaAppSettings
from handoff.webhooks import signature as hmac_sha256_signature


@dataclass(frozen=True)
class Inbound:
    """One shopper message read from a platform's webhook."""

    channel: str
    #: The platform's id of the delivery (Telegram update_id, WhatsApp wamid, Messenger mid): duplicates share it.
    message_id: str
    #: Where replies go (Telegram chat, WhatsApp number, Messenger PSID), and who wrote.
    chat_id: str
    user_id: str
    #: None for what the assistant cannot read (image, sticker, voice, location, ...); `kind` says what it was.
    text: str | None
    kind: str = "text"
    #: The language the user's app is set to, if the platform says (Telegram does).
    language_hint: str | None = None
    #: Telegram: the callback query of a pressed inline button, to be answered.
    callback_id: str | None = None

    def __post_init__(self) -> None:
        """A webhook whose ids or text are not what the platform documents is refused (ValueError), never stored."""
        for name in ("message_id", "chat_id", "user_id"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value or len(value) > 256:
                raise ValueError(f"{name} must be a non-empty string, not {value!r:.40}")
        for name in ("text", "language_hint", "callback_id"):
            if not isinstance(getattr(self, name), str | None):
                raise ValueError(f"{name} must be a string")

    @property
    def sender_id(self) -> str:
        return f"{self.channel}:{self.chat_id}"

    @property
    def one_to_one(self) -> bool:
        """A private chat: only then is the chat's verified customer the writer's."""
        return self.chat_id == self.user_id


@dataclass(frozen=True)
class Button:
    title: str
    #: Sent back as the shopper's text when pressed.
    payload: str


class Platform(Protocol):
    """A messaging platform: reads its webhooks, formats and sends messages."""

    name: str

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool: ...

    def challenge(self, params: Mapping[str, str]) -> str | None: ...

    def parse(self, payload: dict[str, Any]) -> list[Inbound]: ...

    def send(self, client: httpx.Client, body: dict[str, Any]) -> httpx.Response: ...

    @staticmethod
    def message_bodies(recipient: str, text: str, buttons: Sequence[Button] = ()) -> list[dict[str, Any]]:
        """The API request bodies that carry one message (no credentials: those are added by `send`)."""

    @staticmethod
    def receipt_bodies(inbound: Inbound) -> list[dict[str, Any]]:
        """Requests to make on receiving a message (e.g. answering a pressed Telegram button)."""


def secrets_match(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def hub_signature_valid(body: bytes, header: str | None, app_secret: str) -> bool:
    """Meta's `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body with the app secret>`."""
    return secrets_match(header, hmac_sha256_signature(body, app_secret))


def hub_challenge(params: Mapping[str, str], verify_token: str) -> str | None:
    """The subscription handshake: echo `hub.challenge` when the mode and the verify token are right."""
    if params.get("hub.mode") == "subscribe" and secrets_match(params.get("hub.verify_token"), verify_token):
        return params.get("hub.challenge")
    return None


class MetaPlatform:
    """WhatsApp Cloud API and Messenger authenticate webhooks the same way (Meta apps)."""

    SIGNATURE_HEADER = "X-Hub-Signature-256"

    def __init__(self, settings: MetaAppSettings) -> None:
        self.settings = settings

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        return hub_signature_valid(body, headers.get(self.SIGNATURE_HEADER),
                                   self.settings.app_secret.get_secret_value())

    def challenge(self, params: Mapping[str, str]) -> str | None:
        return hub_challenge(params, self.settings.verify_token.get_secret_value())

    @staticmethod
    def receipt_bodies(inbound: Inbound) -> list[dict[str, Any]]:
        return []


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at a line break or space where possible."""
    pieces = []
    while len(text) > limit:
        cut = max(text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        cut = cut if cut > limit // 2 else limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return pieces + [text] if text else pieces


def short_title(title: str, limit: int = 20) -> str:
    """WhatsApp and Messenger cut button titles at 20 characters."""
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"
