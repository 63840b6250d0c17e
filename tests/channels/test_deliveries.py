"""Accepted channel messages are kept until handled: a message a gateway took on but never finished (it stopped
or crashed) is taken on again by exactly one process once its lease has run out."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from channels import service as channel_service
from channels.base import Inbound
from channels.models import ChannelDelivery


@pytest.fixture
def delivery_of(seeded_database, db_session):
    """Accept a message (as if `claimed_minutes_ago` by some process); afterwards all of them count as handled,
    so that no running gateway answers them."""
    created = []

    def accept(message_id: str, *, claimed_minutes_ago: float = 0) -> int:
        inbound = Inbound(channel="telegram", message_id=message_id, chat_id="77", user_id="77", text="olá",
                          language_hint="pt-br")
        delivery_id = channel_service.accept_once(db_session=db_session, inbound=inbound)
        claimed = datetime.now(UTC) - timedelta(minutes=claimed_minutes_ago)
        db_session.execute(update(ChannelDelivery).where(ChannelDelivery.id == delivery_id).values(claimed_at=claimed))
        db_session.commit()
        created.append(delivery_id)
        return delivery_id

    yield accept
    for delivery_id in created:
        channel_service.mark_handled(db_session=db_session, delivery_id=delivery_id)


def claim(db_session) -> list[tuple[int, Inbound]]:
    return channel_service.claim_unhandled(db_session=db_session, lease_seconds=60, max_attempts=3)


def test_a_duplicate_delivery_is_not_accepted(delivery_of, db_session):
    delivery_of("dup-1")
    inbound = Inbound(channel="telegram", message_id="dup-1", chat_id="77", user_id="77", text="olá")
    assert channel_service.accept_once(db_session=db_session, inbound=inbound) is None


def test_an_abandoned_message_is_taken_on_again_once_with_its_content(delivery_of, db_session):
    in_progress = delivery_of("live-1")
    abandoned = delivery_of("dead-1", claimed_minutes_ago=5)
    claimed = dict(claim(db_session))
    assert in_progress not in claimed and claimed[abandoned] == Inbound(
        channel="telegram", message_id="dead-1", chat_id="77", user_id="77", text="olá", language_hint="pt-br")
    assert abandoned not in dict(claim(db_session))  # the claim is renewed: no second process takes it


def test_handled_messages_and_ones_that_failed_too_often_are_left_alone(delivery_of, db_session):
    handled, failing = delivery_of("done-1", claimed_minutes_ago=5), delivery_of("bad-1", claimed_minutes_ago=5)
    channel_service.mark_handled(db_session=db_session, delivery_id=handled)
    for _ in range(3):
        channel_service.mark_failed_attempt(db_session=db_session, delivery_id=failing)
    claimed = dict(claim(db_session))
    assert handled not in claimed and failing not in claimed
