"""Messages to shoppers on messaging channels go through an outbox table: queued in the same transaction as
the message they carry, sent by one background job per gateway, retried with backoff until the platform
accepts them, in order per recipient. A platform that is down loses nothing."""

import asyncio
import contextlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from anyio import to_thread
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from channels.base import Button, Platform
from channels.models import ChannelOutboxMessage
from channels.registry import PLATFORMS
from channels.settings import ChannelQueueSettings
from conversations.models import Conversation
from database.core import session_scope

logger = logging.getLogger(__name__)

#: A message being sent is not picked up by another worker for this long (it is retried after a crash).
LEASE_SECONDS = 60
#: Worth retrying: rate limits, timeouts, the platform's own errors, and a rejected (e.g. expired) token.
RETRYABLE = {401, 408, 429}

_wakeup: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None


def wake() -> None:
    """Let the delivery job send right away instead of at its next round (safe from any thread)."""
    if _wakeup is not None:
        loop, event = _wakeup
        if not loop.is_closed():  # the delivery job's loop has ended (its gateway stopped): nothing to wake
            loop.call_soon_threadsafe(event.set)


def enqueue(*, db_session: Session, channel: str, recipient: str, bodies: Sequence[dict[str, Any]]) -> None:
    now = datetime.now(UTC)
    for body in bodies:
        db_session.add(ChannelOutboxMessage(channel=channel, recipient=recipient, next_attempt_at=now,
                                            body=json.dumps(body, ensure_ascii=False)))
    if bodies:
        wake()


def enqueue_message(
    *, db_session: Session, conversation: Conversation, text: str, buttons: Sequence[Button] = ()
) -> None:
    """Queue a bot or agent message for the shopper if the conversation is on a messaging channel."""
    platform = PLATFORMS.get(conversation.channel)
    if platform is None:
        return
    recipient = conversation.sender_id.removeprefix(f"{conversation.channel}:")
    enqueue(db_session=db_session, channel=conversation.channel, recipient=recipient,
            bodies=platform.message_bodies(recipient, text, buttons))


def _retry_after(response: httpx.Response) -> int | None:
    value = response.headers.get("Retry-After", "")
    return int(value) if value.isdigit() else None


def _lease(db_session: Session, item: ChannelOutboxMessage, now: datetime) -> bool:
    """Take the message for this attempt, unless another worker already has."""
    taken = db_session.execute(
        update(ChannelOutboxMessage)
        .where(ChannelOutboxMessage.id == item.id, ChannelOutboxMessage.next_attempt_at <= now,
               ChannelOutboxMessage.delivered_at.is_(None))
        .values(next_attempt_at=now + timedelta(seconds=LEASE_SECONDS))
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    db_session.commit()
    return taken


@dataclass(frozen=True)
class Attempt:
    outcome: str  # delivered | retry | failed
    error: str | None = None
    #: Seconds the platform asked us to wait (Retry-After on 429).
    retry_after: int | None = None
    #: Unreachable or failing itself (5xx): its other messages are not tried in this round.
    platform_down: bool = False


def _attempt(platform: Platform, client: httpx.Client, item: ChannelOutboxMessage) -> Attempt:
    try:
        response = platform.send(client, json.loads(item.body))
    except httpx.TransportError as error:
        return Attempt("retry", f"{type(error).__name__}: {error}", platform_down=True)
    if response.is_success:
        return Attempt("delivered")
    error = f"HTTP {response.status_code}: {response.text[:300]}"
    if response.status_code >= 500:
        return Attempt("retry", error, platform_down=True)
    if response.status_code in RETRYABLE:
        return Attempt("retry", error, retry_after=_retry_after(response))
    return Attempt("failed", error)


def deliver_due(*, db_session: Session, client: httpx.Client, platforms: dict[str, Platform], max_backoff: int,
                limit: int = 200) -> int:
    """Send the pending messages whose time has come, oldest first; a recipient's later messages wait while an
    earlier one is pending, and a platform that is down is skipped for the rest of the round. Returns how many
    the platforms accepted."""
    now = datetime.now(UTC)
    due = (ChannelOutboxMessage.next_attempt_at <= now).label("due")
    pending = db_session.execute(
        select(ChannelOutboxMessage, due)
        .where(ChannelOutboxMessage.delivered_at.is_(None), ChannelOutboxMessage.failed_at.is_(None))
        .order_by(ChannelOutboxMessage.id).limit(limit)
    ).all()
    waiting: set[tuple[str, str]] = set()
    down: set[str] = set()
    delivered = 0
    for item, is_due in pending:
        key = (item.channel, item.recipient)
        platform = platforms.get(item.channel)
        if key in waiting or item.channel in down or platform is None or not is_due or \
                not _lease(db_session, item, now):
            waiting.add(key)
            continue
        attempt = _attempt(platform, client, item)
        values: dict[str, Any] = {"attempts": item.attempts + 1, "last_error": attempt.error}
        if attempt.outcome == "delivered":
            values["delivered_at"] = datetime.now(UTC)
            delivered += 1
        elif attempt.outcome == "failed":
            values["failed_at"] = datetime.now(UTC)
            logger.warning("%s refused outbox message %d for good: %s", item.channel, item.id, attempt.error)
        else:
            wait = min(attempt.retry_after or 2 ** (item.attempts + 1), max_backoff)
            values["next_attempt_at"] = datetime.now(UTC) + timedelta(seconds=wait)
            waiting.add(key)
            if attempt.platform_down:
                down.add(item.channel)
            logger.warning("%s outbox message %d not sent (attempt %d), retry in %d s: %s", item.channel, item.id,
                           item.attempts + 1, wait, attempt.error)
        db_session.execute(update(ChannelOutboxMessage).where(ChannelOutboxMessage.id == item.id).values(**values)
                           .execution_options(synchronize_session=False))
        db_session.commit()
    return delivered


async def run_delivery(platforms: dict[str, Platform], settings: ChannelQueueSettings) -> None:
    """Forever: send what is due, then wait for a new message (wake) or the next round."""
    global _wakeup
    event = asyncio.Event()
    _wakeup = (asyncio.get_running_loop(), event)

    def deliver() -> None:
        with session_scope() as db_session:
            deliver_due(db_session=db_session, client=client, platforms=platforms,
                        max_backoff=settings.max_backoff_seconds)

    with httpx.Client(timeout=settings.send_timeout_seconds) as client:
        while True:
            event.clear()
            try:
                await to_thread.run_sync(deliver)
            except SQLAlchemyError as error:
                logger.warning("channel outbox round failed, retrying: %s", error)
            except Exception:  # a bug must not stop delivery for good: log it and try again next round
                logger.exception("channel outbox round crashed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), settings.outbox_interval_seconds)
