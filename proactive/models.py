"""Tables of the proactive package: the shop events received, and the COD confirmations asked for."""

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from database.core import Base


class ShopEventRecord(Base):
    """A shop event, kept by its id: a repeated id fails to insert, so an event is acted on once."""

    __tablename__ = "shop_events"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    type: Mapped[str] = mapped_column(String(32))
    order_number: Mapped[str] = mapped_column(String(40), index=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    data: Mapped[str] = mapped_column(Text)  # JSON
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CodConfirmation(Base):
    """A cash-on-delivery order the shopper was asked to confirm, and where the question went."""

    __tablename__ = "cod_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_number: Mapped[str] = mapped_column(String(40), unique=True)
    #: The conversation the question was sent in (`whatsapp:...`, `telegram:...`): answers there are read as
    #: answers to it.
    sender_id: Mapped[str] = mapped_column(String(128), index=True)
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|confirmed|cancelled|unconfirmed
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OptOut(Base):
    """A shopper who said "stop": no proactive message reaches them, on any channel of the same customer."""

    __tablename__ = "proactive_opt_outs"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(128), unique=True)
    customer_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
