"""Time helpers. The portal stores UTC and shows Asia/Tokyo (settings.TIME_ZONE)."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def local_today() -> date:
    return timezone.localdate()


def local(dt: datetime) -> datetime:
    return timezone.localtime(dt)
