from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text, false, func
from sqlalchemy import text as sql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from database.core import Base


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(128), unique=True, index=True)
    channel: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    #: Chosen by the shopper (client setting or "answer in Spanish"): detection no longer switches it.
    language_pinned: Mapped[bool] = mapped_column(default=False, server_default=false())
    customer_id: Mapped[int | None] = mapped_column(Integer, index=True)
    #: SHA-256 of the conversation's secret (widget and API conversations; None for messaging channels, which
    #: are reached only through their signed webhooks, and for conversations from before secrets existed).
    token_hash: Mapped[str | None] = mapped_column(String(64))
    #: Shopper turns in Rasa's current session (the gateway starts a new one past a bound; see flows.py).
    rasa_session_turns: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    messages: Mapped[list["Message"]] = relationship(back_populates="conversation", order_by="Message.id")


class Message(Base):
    __tablename__ = "messages"
    #: The shopper messages stored while the assistant was down, looked for every few seconds.
    __table_args__ = (Index("ix_messages_stored", "id", sqlite_where=sql("delivered = 0"),
                            postgresql_where=sql("delivered = false")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # shopper | bot | agent
    text: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    intent: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float | None] = mapped_column(Float)
    #: The values the NLU extracted from a shopper message: [{"entity": "order_id", "value": "1000003"}, ...].
    entities: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    response_key: Mapped[str | None] = mapped_column(String(64))
    #: How the other-language text was made: "localized" (a team translation), an MT backend, or None.
    translation_backend: Mapped[str | None] = mapped_column(String(32))
    translation_ms: Mapped[float | None] = mapped_column(Float)
    delivered: Mapped[bool] = mapped_column(default=True)  # False: stored while the assistant was down
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    conversation: Mapped[Conversation] = relationship(back_populates="messages")
