"""Accepting a platform message once, and remembering which shop customer a channel user is."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from channels.models import ChannelDelivery, ChannelLink


def accept_once(*, db_session: Session, channel: str, platform_message_id: str) -> bool:
    """Record a delivery; False when it was recorded before (the platform retried or sent it twice at once:
    the unique key lets exactly one insert commit)."""
    db_session.add(ChannelDelivery(channel=channel, platform_message_id=platform_message_id))
    try:
        db_session.commit()
    except IntegrityError:
        db_session.rollback()
        return False
    return True


def linked_customer_id(*, db_session: Session, channel: str, channel_user_id: str) -> int | None:
    query = select(ChannelLink.customer_id).where(ChannelLink.channel == channel,
                                                  ChannelLink.channel_user_id == channel_user_id)
    return db_session.scalar(query)


def link_customer(*, db_session: Session, channel: str, channel_user_id: str, customer_id: int) -> ChannelLink:
    """Remember the customer a channel user proved to be (in the caller's transaction)."""
    link = ChannelLink(channel=channel, channel_user_id=channel_user_id, customer_id=customer_id)
    db_session.add(link)
    return link
