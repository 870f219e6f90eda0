"""The statutory deadline of a kind of request (LW-6.2)."""

from __future__ import annotations

from requests.models import DEFAULT_SLA_DAYS, DayMode, SLAConfig


def sla_for(kind: str) -> tuple[int, str]:
    """(days, mode) configured for a kind; 14 calendar days when nothing is configured."""
    config = SLAConfig.objects.filter(kind=kind).first()
    if config is None:
        return DEFAULT_SLA_DAYS, DayMode.CALENDAR
    return config.days, config.day_mode
