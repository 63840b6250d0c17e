"""Accepting a platform message once and keeping it until it is handled, and remembering which shop customer a
channel user is."""

import json
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from channels.base import Inbound
from channels.models import ChannelDelivery, ChannelLink


def accept_once(*, db_session: Session, inbound: Inbound) -> int | None:
    """Record a delivery with its message, taken on by this process; its id, or None when it was recorded before
    (the platform retried or sent it twice at once: the unique key lets exactly one insert commit)."""
    delivery = ChannelDelivery(channel=inbound.channel, platform_message_id=inbound.message_id,
                               inbound=json.dumps(asdict(inbound), ensure_ascii=False), claimed_at=datetime.now(UTC))
    db_session.add(delivery)
    try:
        db_session.commit()
    except IntegrityError:
        db_session.rollback()
        return None
    return delivery.id


def mark_handled(*, db_session: Session, delivery_id: int) -> None:
    db_session.execute(update(ChannelDelivery).where(ChannelDelivery.id == delivery_id)
                       .values(handled_at=datetime.now(UTC), attempts=ChannelDelivery.attempts + 1))
    db_session.commit()


def mark_failed_attempt(*, db_session: Session, delivery_id: int) -> None:
    """The handling failed: it is tried again once the lease has run out."""
    db_session.execute(update(ChannelDelivery).where(ChannelDelivery.id == delivery_id)
                       .values(attempts=ChannelDelivery.attempts + 1))
    db_session.commit()


def claim_unhandled(*, db_session: Session, lease_seconds: float, max_attempts: int,
                    limit: int = 50) -> list[tuple[int, Inbound]]:
    """Deliveries that no process finished within the lease (the gateway stopped or failed while handling
    them), oldest first, taken on by this process. Rows another replica is claiming are skipped (SKIP LOCKED),
    and each claim is a conditional update, so two processes never take the same delivery."""
    now = datetime.now(UTC)
    expired = now - timedelta(seconds=lease_seconds)
    rows = db_session.execute(
        select(ChannelDelivery.id, ChannelDelivery.inbound)
        .where(ChannelDelivery.handled_at.is_(None), ChannelDelivery.inbound.is_not(None),
               ChannelDelivery.attempts < max_attempts, ChannelDelivery.claimed_at < expired)
        .order_by(ChannelDelivery.id).limit(limit).with_for_update(skip_locked=True)
    ).all()
    claimed = []
    for delivery_id, inbound in rows:
        taken = db_session.execute(
            update(ChannelDelivery)
            .where(ChannelDelivery.id == delivery_id, ChannelDelivery.handled_at.is_(None),
                   ChannelDelivery.claimed_at < expired)
            .values(claimed_at=now).execution_options(synchronize_session=False)
        ).rowcount == 1
        db_session.commit()
        if taken:
            claimed.append((delivery_id, Inbound(**json.loads(inbound))))
    return claimed


def linked_customer_id(*, db_session: Session, channel: str, channel_user_id: str) -> int | None:
    query = select(ChannelLink.customer_id).where(ChannelLink.channel == channel,
                                                  ChannelLink.channel_user_id == channel_user_id)
    return db_session.scalar(query)


def link_customer(*, db_session: Session, channel: str, channel_user_id: str, customer_id: int) -> ChannelLink:
    """Remember the customer a channel user proved to be (in the caller's transaction)."""
    link = ChannelLink(channel=channel, channel_user_id=channel_user_id, customer_id=customer_id)
    db_session.add(link)
    return link


def latest_link_of_customer(*, db_session: Session, customer_id: int) -> ChannelLink | None:
    """The channel user most recently identified as the customer (where a message to them goes)."""
    query = select(ChannelLink).where(ChannelLink.customer_id == customer_id).order_by(ChannelLink.id.desc())
    return db_session.scalars(query.limit(1)).first()
