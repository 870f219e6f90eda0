"""The deadline clock (LW-6.2), as pure functions so that the arithmetic can be tested alone.

due_at = deadline(received_at, SLA) + time paused + approved extension

- Calendar mode: the SLA is a number of whole days after `received_at` (same time of day).
- Business mode: the SLA counts Japanese business days (no Saturdays, Sundays or holidays of
  `holidays.Japan`); the request is due at the same Tokyo time of day on the last of them.
- Paused time is added in real seconds, and the extension in calendar days, in both modes:
  they are durations, not counts of working days (docs/decisions.md).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

TOKYO = ZoneInfo("Asia/Tokyo")


@lru_cache(maxsize=64)
def _japan_holidays(year: int) -> holidays.HolidayBase:
    return holidays.Japan(years=year)


def is_business_day(day: date) -> bool:
    """A weekday that is not a national holiday of Japan."""
    return day.weekday() < 5 and day not in _japan_holidays(day.year)


def add_business_days(start: date, days: int) -> date:
    """The `days`-th business day after `start` (`start` itself never counts)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_business_day(current):
            remaining -= 1
    return current


def sla_deadline(received_at: datetime, days: int, mode: str) -> datetime:
    """When the SLA alone runs out, before pauses and extensions."""
    if mode == "business":
        local = received_at.astimezone(TOKYO)
        day = add_business_days(local.date(), days)
        return datetime.combine(day, local.timetz()).astimezone(received_at.tzinfo)
    return received_at + timedelta(days=days)


def due_at(
    *,
    received_at: datetime,
    days: int,
    mode: str,
    paused_seconds: int = 0,
    extension_days: int = 0,
) -> datetime:
    """The due date of a request that is not paused right now."""
    return (
        sla_deadline(received_at, days, mode)
        + timedelta(seconds=paused_seconds)
        + timedelta(days=extension_days)
    )
