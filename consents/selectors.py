"""Reads of consents that other apps use. `partners` and `requests` read consents only here."""

from __future__ import annotations

from django.db.models import QuerySet

from consents.models import Purpose
from portal.models import User


def purposes_for_customer(*, customer: User) -> QuerySet[Purpose]:
    """The purposes that apply to a customer (LW-3), in policy order."""
    return Purpose.objects.filter(is_active=True).order_by("position", "code")
