"""Time left on a request, as staff read it in the queue (LW-6.2).

One unit, the largest that fits: "due in 13 days" rather than Django's "1 week, 6 days";
hours under a day, minutes under an hour. Whole units, rounded down, never zero.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import ngettext

SOON_DAYS = 3  # "due soon": due within this many days (amber in the queue)

OVERDUE = "overdue"
SOON = "soon"
PAUSED = "paused"
ON_TRACK = ""


def _unit(seconds: float) -> tuple[str, int]:
    if seconds >= 86400:
        return "days", int(seconds // 86400)
    if seconds >= 3600:
        return "hours", int(seconds // 3600)
    return "minutes", max(1, int(seconds // 60))


def time_left_text(due_at: datetime, now: datetime) -> str:
    """ "due in 13 days" / 「あと13日」, or "overdue by 2 days" / 「2日超過」."""
    seconds = (due_at - now).total_seconds()
    unit, n = _unit(abs(seconds))
    if seconds >= 0:
        if unit == "days":
            return ngettext("due in %(n)d day", "due in %(n)d days", n) % {"n": n}
        if unit == "hours":
            return ngettext("due in %(n)d hour", "due in %(n)d hours", n) % {"n": n}
        return ngettext("due in %(n)d minute", "due in %(n)d minutes", n) % {"n": n}
    if unit == "days":
        return ngettext("overdue by %(n)d day", "overdue by %(n)d days", n) % {"n": n}
    if unit == "hours":
        return ngettext("overdue by %(n)d hour", "overdue by %(n)d hours", n) % {"n": n}
    return ngettext("overdue by %(n)d minute", "overdue by %(n)d minutes", n) % {"n": n}


def urgency(*, due_at: datetime, paused: bool, now: datetime) -> str:
    """overdue, soon (due within SOON_DAYS days), paused, or on track (""). A paused
    request is never overdue: its due date moves while the clock waits."""
    if paused:
        return PAUSED
    seconds = (due_at - now).total_seconds()
    if seconds < 0:
        return OVERDUE
    if seconds < SOON_DAYS * 86400:
        return SOON
    return ON_TRACK
