"""The misunderstood inbox: what goes in, how it is grouped, and what a review turns into."""

from datetime import UTC, datetime, timedelta

import pytest

from conversations.models import Conversation, Message
from handoff.models import Ticket
from learning.exceptions import InvalidTrainingData
from learning.inbox import group, misunderstood, review
from learning.models import TrainingExample


def conversation(db, sender: str, *turns: tuple) -> list[Message]:
    """turns: (role, text, intent, confidence[, response_key]) in order, one second apart."""
    chat = Conversation(sender_id=sender, channel="api", language="en")
    db.add(chat)
    db.flush()
    start = datetime.now(UTC) - timedelta(hours=1)
    messages = []
    for n, (role, text, intent, confidence, *key) in enumerate(turns):
        message = Message(conversation_id=chat.id, role=role, text=text, language="en", intent=intent,
                          confidence=confidence, response_key=key[0] if key else None,
                          created_at=start + timedelta(seconds=n))
        db.add(message)
        messages.append(message)
    db.flush()
    return messages


def test_fallbacks_low_confidence_corrections_and_handoffs_go_to_the_inbox(fresh_db):
    fallback, _ = conversation(fresh_db, "a", ("shopper", "is the moon made of cheese", "out_of_scope", 0.3),
                               ("bot", "Sorry, I can't help with that.", None, None))
    unsure, _, _ = conversation(fresh_db, "b", ("shopper", "parcel thing??", "order_status", 0.41),
                                ("bot", "Your order...", None, None), ("shopper", "thanks", "thank_you", 0.99))
    corrected, _, _ = conversation(fresh_db, "c", ("shopper", "I want my money back", "refund_policy", 0.9),
                                   ("bot", "Our refund policy...", None, None, "utter_refund_policy"),
                                   ("shopper", "no that's not what I meant", "deny", 0.95))
    answered, _, _ = conversation(fresh_db, "d", ("shopper", "cancel order 1000123", "cancel_order", 0.97),
                                  ("bot", "Cancel it?", None, None, "utter_confirm_cancel"),
                                  ("shopper", "no", "deny", 0.99))
    before_handoff, asked, _ = conversation(fresh_db, "e",
                                            ("shopper", "my parcel came crushed", "delivery_options", 0.7),
                                            ("shopper", "let me talk to a human", "human_handoff", 0.99),
                                            ("bot", "Connecting you...", None, None))
    fresh_db.add(Ticket(id="t1", conversation_id=asked.conversation_id, status="open", reason="shopper_request",
                        language="en", priority="normal", summary="", package="{}",
                        created_at=asked.created_at + timedelta(seconds=1)))
    fresh_db.flush()
    found = {item.message_id: item.reasons for item in misunderstood(fresh_db)}
    assert found == {fallback.id: ["fallback"], unsure.id: ["low_confidence"], corrected.id: ["corrected"],
                     before_handoff.id: ["handoff"]}
    assert answered.id not in found


def test_similar_messages_in_different_languages_form_one_group_most_frequent_first(fresh_db):
    texts = ["what's the weather like tomorrow", "¿qué tiempo hará mañana?", "wie wird das Wetter morgen",
             "do you sell dog sunscreen", "sunscreen for dogs?"]
    messages = conversation(fresh_db, "f", *[("shopper", t, "out_of_scope", 0.2) for t in texts])
    groups = group(misunderstood(fresh_db))
    assert [g.count for g in groups] == [3, 2]
    assert {m.message_id for m in groups[0].items} == {m.id for m in messages[:3]}


def test_a_review_turns_messages_into_examples_once_and_empties_the_inbox(fresh_db):
    first, _, second = conversation(fresh_db, "g", ("shopper", "wrap it as a gift pls", "out_of_scope", 0.3),
                                    ("bot", "Sorry", None, None),
                                    ("shopper", "gift wrap?", "out_of_scope", 0.3))
    with pytest.raises(InvalidTrainingData):
        review(db_session=fresh_db, message_ids=[first.id], decision="intent", intent=None, reviewed_by="ana")
    assert review(db_session=fresh_db, message_ids=[first.id, first.id], decision="out_of_scope", intent=None,
                  reviewed_by="ana") == 1
    assert review(db_session=fresh_db, message_ids=[second.id], decision="ignored", intent=None,
                  reviewed_by="ana") == 1
    assert misunderstood(fresh_db) == []
    examples = fresh_db.query(TrainingExample).all()
    assert [(e.intent, e.text, e.message_id, e.created_by) for e in examples] == [
        ("out_of_scope", "wrap it as a gift pls", first.id, "ana")]
