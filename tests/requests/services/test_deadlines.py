"""The deadline of a kind (LW-6.2): the SLA configured for it, copied to each request when it
is filed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from requests.models import DayMode, Kind, SLAConfig
from requests.services import filing

INQUIRY = {"subject": "件名", "message": "本文"}


@pytest.mark.clause("LW-6.2")
def test_the_sla_is_copied_so_a_later_change_affects_new_requests_only(customer, other_customer):
    SLAConfig.objects.create(kind=Kind.INQUIRY, days=5, day_mode=DayMode.BUSINESS)
    first = filing.request_file(customer=customer, kind=Kind.INQUIRY, details=INQUIRY)
    SLAConfig.objects.filter(kind=Kind.INQUIRY).update(days=30, day_mode=DayMode.CALENDAR)
    second = filing.request_file(customer=other_customer, kind=Kind.INQUIRY, details=INQUIRY)
    first.refresh_from_db()
    assert (first.sla_days, first.sla_day_mode) == (5, DayMode.BUSINESS)
    assert (second.sla_days, second.sla_day_mode) == (30, DayMode.CALENDAR)
    assert second.due_at == second.received_at + timedelta(days=30)
