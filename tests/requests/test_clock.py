"""The deadline clock (LW-6.2): due dates across pauses, extensions, month ends and Japanese
holidays, checked by examples and by properties (hypothesis)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from requests import clock

TOKYO = clock.TOKYO
pytestmark = pytest.mark.clause("LW-6.2")

moments = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(TOKYO)
)
sla_days = st.integers(min_value=1, max_value=60)
pauses = st.lists(st.integers(min_value=0, max_value=40 * 86400), max_size=5)


def tokyo(*args) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


def test_default_is_fourteen_calendar_days():
    received = tokyo(2026, 3, 1, 10, 30)
    assert clock.due_at(received_at=received, days=14, mode="calendar") == tokyo(
        2026, 3, 15, 10, 30
    )


def test_calendar_days_cross_month_and_year_ends():
    assert clock.sla_deadline(tokyo(2026, 1, 31, 9), 14, "calendar") == tokyo(2026, 2, 14, 9)
    assert clock.sla_deadline(tokyo(2028, 2, 20, 9), 14, "calendar") == tokyo(2028, 3, 5, 9)
    assert clock.sla_deadline(tokyo(2026, 12, 25, 9), 14, "calendar") == tokyo(2027, 1, 8, 9)


def test_business_days_skip_golden_week():
    # 2026-04-28 is a Tuesday; 29 April (Showa Day) and 3-6 May are holidays, 2-3 May a
    # weekend: the third business day after is Thursday 7 May.
    received = tokyo(2026, 4, 28, 15, 0)
    assert clock.sla_deadline(received, 3, "business") == tokyo(2026, 5, 7, 15, 0)


def test_business_days_skip_new_year_and_the_weekend():
    # Friday 2026-12-25 + 5 business days: 28, 29, 30, 31 Dec are weekdays (not national
    # holidays), 1 Jan is a holiday, 2-3 Jan a weekend, so the fifth is Monday 4 Jan 2027.
    received = tokyo(2026, 12, 25, 11)
    assert clock.sla_deadline(received, 5, "business") == tokyo(2027, 1, 4, 11)


def test_business_mode_uses_tokyo_dates_not_utc():
    # 00:30 on Monday in Tokyo is still Sunday in UTC; counting starts from Monday.
    received = tokyo(2026, 6, 1, 0, 30)
    assert clock.sla_deadline(received.astimezone(TOKYO), 1, "business") == tokyo(2026, 6, 2, 0, 30)


def test_pause_and_extension_are_added():
    received = tokyo(2026, 1, 30, 12)
    due = clock.due_at(
        received_at=received,
        days=14,
        mode="calendar",
        paused_seconds=3 * 86400 + 3600,
        extension_days=7,
    )
    assert due == tokyo(2026, 2, 13, 12) + timedelta(days=10, hours=1)


@given(received=moments, days=sla_days, paused=pauses, extension=st.integers(0, 60))
@settings(max_examples=200, deadline=None)
def test_property_pauses_add_up_whatever_their_split(received, days, paused, extension):
    for mode in ("calendar", "business"):
        whole = clock.due_at(
            received_at=received,
            days=days,
            mode=mode,
            paused_seconds=sum(paused),
            extension_days=extension,
        )
        base = clock.sla_deadline(received, days, mode)
        step = base
        for seconds in paused:
            step += timedelta(seconds=seconds)
        assert whole == step + timedelta(days=extension)
        assert whole >= base >= received + timedelta(days=days)


@given(received=moments, days=sla_days)
@settings(max_examples=200, deadline=None)
def test_property_business_deadline_is_a_business_day_with_exactly_n_before(received, days):
    due = clock.sla_deadline(received, days, "business")
    local_due = due.astimezone(TOKYO)
    start = received.astimezone(TOKYO).date()
    japan = holidays.Japan(years=range(start.year, local_due.year + 1))
    assert local_due.weekday() < 5
    assert local_due.date() not in japan
    assert local_due.timetz().replace(tzinfo=None) == received.astimezone(TOKYO).time()
    counted = sum(
        1
        for n in range(1, (local_due.date() - start).days + 1)
        if (d := start + timedelta(days=n)).weekday() < 5 and d not in japan
    )
    assert counted == days


@given(received=moments, days=sla_days)
@settings(max_examples=100, deadline=None)
def test_property_longer_sla_never_ends_sooner(received, days):
    for mode in ("calendar", "business"):
        assert clock.sla_deadline(received, days + 1, mode) > clock.sla_deadline(
            received, days, mode
        )


def test_is_business_day_knows_substitute_holidays():
    assert not clock.is_business_day(date(2026, 5, 6))  # substitute for Sunday 3 May
    assert clock.is_business_day(date(2026, 5, 7))
