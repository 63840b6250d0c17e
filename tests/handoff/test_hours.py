from datetime import UTC, datetime

from handoff.hours import next_opening
from handoff.settings import HandoffSettings

SHOP = HandoffSettings(business_hours="09:00-18:00", business_days=[0, 1, 2, 3, 4], timezone="Asia/Jakarta")


def test_agents_are_there_during_business_hours():
    assert next_opening(datetime(2026, 11, 25, 5, 0, tzinfo=UTC), SHOP) is None  # Wednesday 12:00 in Jakarta


def test_after_hours_the_shopper_learns_when_the_team_is_back():
    opening = next_opening(datetime(2026, 11, 25, 12, 0, tzinfo=UTC), SHOP)  # Wednesday 19:00 in Jakarta
    assert opening.isoformat() == "2026-11-26T09:00:00+07:00"
    weekend = next_opening(datetime(2026, 11, 28, 3, 0, tzinfo=UTC), SHOP)  # Saturday
    assert weekend.isoformat() == "2026-11-30T09:00:00+07:00"


def test_the_default_is_always_open():
    assert next_opening(datetime(2026, 11, 29, 23, 30, tzinfo=UTC), HandoffSettings()) is None
