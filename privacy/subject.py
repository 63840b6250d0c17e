"""Whose data a request is about: the shopper's customer record (if any) and all of their conversations."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Subject:
    customer_id: int | None
    email: str | None
    #: The conversations' ids and sender ids (widget ids, `telegram:CHAT`, ...).
    conversation_ids: list[int] = field(default_factory=list)
    sender_ids: list[str] = field(default_factory=list)
    message_ids: list[int] = field(default_factory=list)
    #: Every text of those conversations, to find copies held elsewhere (translation memory, training examples).
    texts: list[str] = field(default_factory=list)
