"""Time left as the queue says it: one unit, the largest that fits, rounded down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from requests.timeleft import time_left_text, urgency

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("delta", "english", "japanese"),
    [
        (timedelta(days=13, hours=23), "due in 13 days", "あと13日"),
        (timedelta(days=1), "due in 1 day", "あと1日"),
        (timedelta(hours=23, minutes=59), "due in 23 hours", "あと23時間"),
        (timedelta(minutes=59), "due in 59 minutes", "あと59分"),
        (timedelta(seconds=20), "due in 1 minute", "あと1分"),
        (-timedelta(days=2, hours=3), "overdue by 2 days", "2日超過"),
        (-timedelta(hours=1), "overdue by 1 hour", "1時間超過"),
        (-timedelta(minutes=5), "overdue by 5 minutes", "5分超過"),
    ],
)
def test_time_left_in_one_unit(delta, english, japanese):
    with translation.override("en"):
        assert time_left_text(NOW + delta, NOW) == english
    with translation.override("ja"):
        assert time_left_text(NOW + delta, NOW) == japanese


@pytest.mark.parametrize(
    ("delta", "paused", "expected"),
    [
        (-timedelta(minutes=1), False, "overdue"),
        (-timedelta(days=3), True, "paused"),  # a paused request is never overdue
        (timedelta(days=2, hours=23), False, "soon"),
        (timedelta(days=3), False, ""),
    ],
)
def test_urgency(delta, paused, expected):
    assert urgency(due_at=NOW + delta, paused=paused, now=NOW) == expected
