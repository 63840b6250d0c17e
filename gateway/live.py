"""Live delivery of new conversation messages to connected web widgets and agent consoles, and of ticket
changes to the consoles' queues.

A commit that stores messages wakes the widgets and console transcripts of those conversations connected to
this process: a SQLAlchemy session event, so every writer (the message flow, an agent's reply, a ticket close,
a waiting notice, a messaging channel) is covered without calling anything. A commit that opens or changes a
ticket wakes the queues (`QUEUE`). With gateway replicas, the commit is also told to the others
(gateway/broadcast.py), which wake their own connections. One slow poll shared by all connections catches up
with the messages no one told (another kind of process, an event lost while Redis was away); a queue refreshes
itself now and then for the same reason. A woken connection reads what is new; idle, it holds one
`asyncio.Event`.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager

from anyio import to_thread
from sqlalchemy import event, inspect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from conversations import service as conversation_service
from conversations.models import Message
from database.core import session_scope
from handoff.models import Ticket

logger = logging.getLogger(__name__)

_SENDERS_KEY = "live_senders"
#: What the consoles' ticket queues wait for: not a possible sender id (they never hold "#").
QUEUE = "#tickets"


class LiveMessages:
    """Per sender id, the events of the connections waiting for that conversation's new messages (and under
    `QUEUE`, those waiting for ticket changes)."""

    def __init__(self) -> None:
        self._waiting: dict[str, set[asyncio.Event]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tell: Callable[[frozenset[str]], None] | None = None

    def start(self, tell: Callable[[frozenset[str]], None] | None = None) -> None:
        """On the gateway's event loop at start: this process's commits wake connections from now on, and
        are passed to `tell` (the other replicas)."""
        self._loop = asyncio.get_running_loop()
        self._tell = tell

    def subscribe(self, sender_id: str) -> asyncio.Event:
        self._loop = asyncio.get_running_loop()
        woken = asyncio.Event()
        self._waiting.setdefault(sender_id, set()).add(woken)
        return woken

    def unsubscribe(self, sender_id: str, woken: asyncio.Event) -> None:
        events = self._waiting.get(sender_id)
        if events is not None:
            events.discard(woken)
            if not events:
                del self._waiting[sender_id]

    def senders(self) -> set[str]:
        return set(self._waiting)

    def notify(self, sender_ids: Iterable[str]) -> None:
        """Wake the connections of these conversations and tell the other replicas; safe from any thread (sync
        routes commit in one)."""
        sender_ids = frozenset(sender_ids)
        if sender_ids and self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake_and_tell, sender_ids)

    def _wake_and_tell(self, sender_ids: frozenset[str]) -> None:
        self.wake(sender_ids)
        if self._tell is not None:
            self._tell(sender_ids)

    def wake(self, sender_ids: Iterable[str]) -> None:
        """Wake this process's connections of these conversations (on the event loop)."""
        for sender_id in sender_ids:
            for woken in self._waiting.get(sender_id, ()):
                woken.set()


#: This process's subscriptions.
live_messages = LiveMessages()


@asynccontextmanager
async def watching(key: str) -> AsyncIterator[Callable[[float | None], Awaitable[bool]]]:
    """Subscribed to `key` (a sender id or `QUEUE`): yields `woken(timeout)`, which waits for the next wake-up
    (True) or the timeout, if any (False). A wake-up between two waits is kept for the next one."""
    event = live_messages.subscribe(key)

    async def woken(timeout: float | None = None) -> bool:
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return False
        event.clear()
        return True

    try:
        yield woken
    finally:
        live_messages.unsubscribe(key, event)


def _remember_changes(session: Session, _flush_context) -> None:
    """New messages and new or changed tickets of a flush (after a flush the session still lists them)."""
    told = session.info.setdefault(_SENDERS_KEY, set())
    for obj in session.new:
        if isinstance(obj, Message):
            conversation = inspect(obj).attrs.conversation.loaded_value
            sender_id = getattr(conversation, "sender_id", None)
            if sender_id:  # (a message added by id only is found by the poll instead)
                told.add(sender_id)
    if any(isinstance(obj, Ticket) for obj in (*session.new, *session.dirty, *session.deleted)):
        told.add(QUEUE)


def _notify_after_commit(session: Session) -> None:
    senders = session.info.pop(_SENDERS_KEY, None)
    if senders:
        live_messages.notify(senders)


def _forget(session: Session) -> None:
    session.info.pop(_SENDERS_KEY, None)


def watch_commits() -> None:
    """Notify subscribers after every commit that stored messages or changed tickets (installed once, at
    gateway start)."""
    for name, listener in (("after_flush", _remember_changes), ("after_commit", _notify_after_commit),
                           ("after_rollback", _forget)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def _look(after_id: int | None) -> tuple[int, set[str]]:
    """The latest message id, and the conversations with messages after `after_id` (none on the first look)."""
    with session_scope() as db_session:
        latest = conversation_service.latest_message_id(db_session=db_session)
        if after_id is None:
            return latest, set()
        return latest, conversation_service.senders_with_messages_after(db_session=db_session, after_id=after_id)


async def poll_other_processes(interval: float) -> None:
    """Forever: wake the connections whose conversations got messages stored by another process (messages of
    this process wake them at once; a second wake-up finds nothing new and costs one small query)."""
    last_id: int | None = None
    while True:
        try:
            last_id, senders = await to_thread.run_sync(_look, last_id)
            live_messages.wake(senders & live_messages.senders())
        except SQLAlchemyError as error:
            logger.warning("live message poll failed, retrying: %s", error)
        await asyncio.sleep(interval)
