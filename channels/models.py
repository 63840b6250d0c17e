from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from database.core import Base


class ChannelDelivery(Base):
    """A platform message the gateway accepted, kept until it has been handled. The unique key makes a retried
    or concurrent duplicate delivery of the same webhook fail to insert, so it is answered once; the stored
    message is handled again if the gateway stopped before answering it."""

    __tablename__ = "channel_deliveries"
    __table_args__ = (UniqueConstraint("channel", "platform_message_id", name="uq_channel_deliveries_message"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    #: Telegram update_id, WhatsApp `wamid...`, Messenger `mid`.
    platform_message_id: Mapped[str] = mapped_column(String(255))
    #: The message as read from the webhook (channels.base.Inbound as JSON).
    inbound: Mapped[str | None] = mapped_column(Text)
    #: When a gateway process took it on; after the handling lease another process may take it over.
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ChannelOutboxMessage(Base):
    """A message to a shopper on a messaging channel (the platform's request body), written in the same
    transaction as the message it carries and kept until the platform accepted it."""

    __tablename__ = "channel_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(128), index=True)
    body: Mapped[str] = mapped_column(Text)  # JSON, without credentials (they are added when sending)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    #: Set when the platform refused the message for good (e.g. the shopper blocked the bot).
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ChannelLink(Base):
    """A channel user whose order number + e-mail check identified them as a shop customer."""

    __tablename__ = "channel_links"
    __table_args__ = (UniqueConstraint("channel", "channel_user_id", name="uq_channel_links_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    channel_user_id: Mapped[str] = mapped_column(String(128))
    customer_id: Mapped[int] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
