"""Data-rights requests: find one shopper in every store, export everything held about them, erase it.

Each store's package knows its own tables (`<package>/privacy.py`); this module composes them, writes the audit
record and, on SQLite, makes sure erased rows do not linger in the database file (secure_delete, WAL truncated).
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from audit import service as audit
from channels import privacy as channel_privacy
from conversations import privacy as conversation_privacy
from conversations import service as conversation_service
from conversations.models import Conversation
from csat import privacy as csat_privacy
from handoff import privacy as ticket_privacy
from learning import privacy as learning_privacy
from privacy import tracker
from privacy.exceptions import SubjectNotFound
from privacy.subject import Subject
from proactive import privacy as proactive_privacy
from shop import privacy as shop_privacy
from translation import privacy as translation_privacy


def _subject(conversations: list[Conversation], *, customer_id: int | None, email: str | None) -> Subject:
    return Subject(customer_id=customer_id, email=email, conversation_ids=[c.id for c in conversations],
                   sender_ids=[c.sender_id for c in conversations],
                   message_ids=conversation_privacy.message_ids(conversations),
                   texts=conversation_privacy.texts(conversations))


def find_subject(
    *, db_session: Session, email: str | None = None, customer_id: int | None = None, sender_id: str | None = None
) -> Subject:
    """The shopper named by exactly one of an e-mail, a customer id or a conversation's sender id; a sender id
    linked to a customer brings in that customer's other conversations too."""
    if sum(value is not None for value in (email, customer_id, sender_id)) != 1:
        raise ValueError("name the shopper by exactly one of email, customer_id, sender_id")
    if email is not None:
        customer_id = shop_privacy.customer_id_for_email(db_session=db_session, email=email)
        if customer_id is None:
            raise SubjectNotFound("no customer with that e-mail")
    conversations = conversation_privacy.find(db_session=db_session, customer_id=customer_id, sender_id=sender_id)
    if sender_id is not None:
        if not conversations:
            raise SubjectNotFound("no conversation with that sender id")
        customer_id = conversations[0].customer_id
        if customer_id is not None:
            conversations = conversation_privacy.find(db_session=db_session, customer_id=customer_id,
                                                      sender_id=sender_id)
    elif not conversations and not shop_privacy.customer_exists(db_session=db_session, customer_id=customer_id):
        raise SubjectNotFound(f"no customer {customer_id}")
    return _subject(conversations, customer_id=customer_id, email=email)


def export(*, db_session: Session, subject: Subject) -> dict[str, Any]:
    """Everything held about the shopper, as one JSON-ready document."""
    conversations = [conversation_service.get_by_id_or_raise(db_session=db_session, conversation_id=i)
                     for i in subject.conversation_ids]
    shop = shop_privacy.export(db_session=db_session, customer_id=subject.customer_id) \
        if subject.customer_id is not None else {"profile": None, "orders": []}
    return {
        "exported_at": datetime.now(UTC).isoformat(),
        "subject": {"customer_id": subject.customer_id, "sender_ids": subject.sender_ids},
        "profile": shop["profile"],
        "orders": shop["orders"],
        "conversations": conversation_privacy.export(conversations),
        "rasa_tracker_events": tracker.export(db_session=db_session, sender_ids=subject.sender_ids),
        "tickets": ticket_privacy.export(db_session=db_session, customer_id=subject.customer_id,
                                         conversation_ids=subject.conversation_ids),
        "channels": channel_privacy.export(db_session=db_session, customer_id=subject.customer_id,
                                           sender_ids=subject.sender_ids),
        "training_examples": learning_privacy.export(db_session=db_session, message_ids=subject.message_ids,
                                                     texts=subject.texts),
        "satisfaction": csat_privacy.export(db_session=db_session, conversation_ids=subject.conversation_ids),
        "proactive": proactive_privacy.export(db_session=db_session, customer_id=subject.customer_id,
                                              sender_ids=subject.sender_ids),
    }


def record_export(*, db_session: Session, subject: Subject, actor=None, actor_name: str | None = None) -> None:
    """Audit who exported whose data."""
    audit.record(db_session=db_session, action="privacy.exported", actor=actor, actor_name=actor_name,
                 subject_type="customer" if subject.customer_id is not None else "conversation",
                 subject_id=_audit_subject(subject), details={"conversations": len(subject.conversation_ids)})


def _audit_subject(subject: Subject) -> int | None:
    if subject.customer_id is not None:
        return subject.customer_id
    return subject.conversation_ids[0] if subject.conversation_ids else None


def erase(*, db_session: Session, subject: Subject, actor=None, actor_name: str | None = None) -> dict[str, int]:
    """Delete or anonymise the shopper's data in every store, in the caller's transaction, with an audit record
    (which names the customer id and the counts, nothing the erasure removed). Call `purge_freed_pages` after
    committing."""
    conversations = [conversation_service.get_by_id_or_raise(db_session=db_session, conversation_id=i)
                     for i in subject.conversation_ids]
    counts: dict[str, int] = {"conversations": len(conversations)}
    counts |= tracker.erase(db_session=db_session, sender_ids=subject.sender_ids)
    counts |= ticket_privacy.erase(db_session=db_session, customer_id=subject.customer_id,
                                   conversation_ids=subject.conversation_ids)
    counts |= channel_privacy.erase(db_session=db_session, customer_id=subject.customer_id,
                                    sender_ids=subject.sender_ids)
    counts |= learning_privacy.erase(db_session=db_session, message_ids=subject.message_ids, texts=subject.texts)
    counts |= translation_privacy.erase(db_session=db_session, texts=subject.texts)
    counts |= csat_privacy.erase(db_session=db_session, conversation_ids=subject.conversation_ids)
    counts |= proactive_privacy.erase(db_session=db_session, sender_ids=subject.sender_ids)
    counts["messages"] = conversation_privacy.anonymise(db_session=db_session, conversations=conversations)
    if subject.customer_id is not None:
        counts |= shop_privacy.anonymise(db_session=db_session, customer_id=subject.customer_id)
    audit.record(db_session=db_session, action="privacy.erased", actor=actor, actor_name=actor_name,
                 subject_type="customer" if subject.customer_id is not None else "conversation",
                 subject_id=_audit_subject(subject),
                 details=counts)
    return counts


def erase_older_than(*, db_session: Session, days: int, actor_name: str = "retention") -> int:
    """The retention rule: erase every conversation inactive for more than `days` days; how many."""
    old = conversation_privacy.older_than(db_session=db_session, before=datetime.now(UTC) - timedelta(days=days))
    for conversation in old:
        subject = _subject([conversation], customer_id=None, email=None)
        erase(db_session=db_session, subject=subject, actor_name=actor_name)
    return len(old)


def purge_freed_pages(db_session: Session) -> None:
    """SQLite: erased rows were zeroed in the file (PRAGMA secure_delete, set on every connection); old copies
    in the write-ahead log go with a truncating checkpoint. PostgreSQL: VACUUM is left to autovacuum."""
    if db_session.get_bind().dialect.name == "sqlite":
        db_session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
