"""One shopper's channel data for a data-rights request: customer links, stored deliveries, the send outbox."""

import json
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from channels.models import ChannelDelivery, ChannelLink, ChannelOutboxMessage


def _chats(sender_ids: list[str]) -> list[tuple[str, str]]:
    """(channel, chat id) of the channel conversations among `sender_ids` (`telegram:123` → telegram, 123)."""
    return [tuple(sender.split(":", 1)) for sender in sender_ids if ":" in sender]


def _links(db_session: Session, customer_id: int | None, chats: list[tuple[str, str]]) -> list[ChannelLink]:
    conditions = [ChannelLink.customer_id == customer_id] if customer_id is not None else []
    conditions += [(ChannelLink.channel == channel) & (ChannelLink.channel_user_id == chat) for channel, chat in chats]
    return list(db_session.scalars(select(ChannelLink).where(or_(*conditions)))) if conditions else []


def _deliveries(db_session: Session, chats: list[tuple[str, str]]) -> list[ChannelDelivery]:
    wanted = set(chats)
    found = []
    for delivery in db_session.scalars(select(ChannelDelivery).where(
            ChannelDelivery.channel.in_({channel for channel, _ in chats}))):
        inbound = json.loads(delivery.inbound) if delivery.inbound else {}
        if (delivery.channel, str(inbound.get("chat_id"))) in wanted or \
                (delivery.channel, str(inbound.get("user_id"))) in wanted:
            found.append(delivery)
    return found


def _outbox(db_session: Session, chats: list[tuple[str, str]]) -> list[ChannelOutboxMessage]:
    conditions = [(ChannelOutboxMessage.channel == channel) & (ChannelOutboxMessage.recipient == chat)
                  for channel, chat in chats]
    return list(db_session.scalars(select(ChannelOutboxMessage).where(or_(*conditions)))) if conditions else []


def export(*, db_session: Session, customer_id: int | None, sender_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    chats = _chats(sender_ids)
    return {
        "links": [{"channel": link.channel, "channel_user_id": link.channel_user_id,
                   "created_at": link.created_at.isoformat() if link.created_at else None}
                  for link in _links(db_session, customer_id, chats)],
        "deliveries": [{"channel": d.channel, "platform_message_id": d.platform_message_id,
                        "inbound": json.loads(d.inbound) if d.inbound else None}
                       for d in _deliveries(db_session, chats)],
        "outbox": [{"channel": o.channel, "body": json.loads(o.body),
                    "delivered_at": o.delivered_at.isoformat() if o.delivered_at else None}
                   for o in _outbox(db_session, chats)],
    }


def erase(*, db_session: Session, customer_id: int | None, sender_ids: list[str]) -> dict[str, int]:
    chats = _chats(sender_ids)
    counts = {}
    for name, rows in (("channel_links", _links(db_session, customer_id, chats)),
                       ("channel_deliveries", _deliveries(db_session, chats)),
                       ("channel_outbox", _outbox(db_session, chats))):
        for row in rows:
            db_session.delete(row)
        counts[name] = len(rows)
    db_session.flush()
    return counts


