from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from database.core import Base


class CsatSurvey(Base):
    """One question asked to a shopper, and their answer once given. `ticket_id` and `agent_id` are set when the
    question followed a ticket (the agent is the ticket's assignee); both are empty after a conversation the
    assistant resolved alone."""

    __tablename__ = "csat_surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    ticket_id: Mapped[str | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent_users.id"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(32))
    rating: Mapped[int | None] = mapped_column(Integer)  # 1-5; None while unanswered
    comment: Mapped[str | None] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    rated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
