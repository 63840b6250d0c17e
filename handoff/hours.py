"""Business hours: whether agents are working now, and when they next start."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from handoff.settings import HandoffSettings


def _window(settings: HandoffSettings) -> tuple[time, time]:
    start, end = settings.business_hours.split("-")
    return time.fromisoformat(start), time.fromisoformat(end)


def next_opening(now: datetime, settings: HandoffSettings) -> datetime | None:
    """None while agents are working; else when they next start, in the shop's time zone."""
    local = now.astimezone(ZoneInfo(settings.timezone))
    start, end = _window(settings)
    if local.weekday() in settings.business_days and start <= local.time() < end:
        return None
    for days in range(8):
        day = (local + timedelta(days=days)).date()
        opening = datetime.combine(day, start, tzinfo=local.tzinfo)
        if day.weekday() in settings.business_days and opening > local:
            return opening
    return None
