"""The clock (APPI Rule 8): preliminary 5 days, final 30 days, or 60 when the cause was an
unauthorised purpose, counted from awareness; configurable in the admin."""

from __future__ import annotations

import pytest

from incidents import services
from incidents.models import IncidentSettings
from tests.incidents.factories import incident, tokyo


def _local(dt) -> str:
    from django.utils import timezone

    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M")


@pytest.mark.clause("APPI-26")
def test_defaults_are_5_and_30_days_from_awareness(cast):
    inc = incident(actor=cast.agent, aware_at=tokyo(2026, 10, 30, 18, 15))
    assert _local(inc.preliminary_due_at) == "2026-11-04 18:15"
    assert _local(inc.final_due_at) == "2026-11-29 18:15"
    assert inc.final_days == 30


@pytest.mark.clause("APPI-26")
def test_a_deliberate_cause_gives_the_final_report_60_days(cast):
    inc = incident(actor=cast.agent, aware_at=tokyo(2026, 10, 30, 18, 15), deliberate=True)
    assert _local(inc.preliminary_due_at) == "2026-11-04 18:15"
    assert _local(inc.final_due_at) == "2026-12-29 18:15"
    assert inc.final_days == 60


@pytest.mark.clause("APPI-26")
def test_assessing_an_unauthorised_purpose_moves_the_final_report_to_60_days(cast):
    inc = incident(actor=cast.agent, aware_at=tokyo(2026, 10, 1, 9, 0))
    assert _local(inc.final_due_at) == "2026-10-31 09:00"
    services.assessment_record(
        incident_id=inc.pk,
        actor=cast.agent,
        answers={"unauthorised_purpose": True},
        reasons={"unauthorised_purpose": "ランサムウェア攻撃。"},
    )
    inc.refresh_from_db()
    assert _local(inc.final_due_at) == "2026-11-30 09:00"
    assert _local(inc.preliminary_due_at) == "2026-10-06 09:00"


@pytest.mark.clause("APPI-26")
def test_the_days_come_from_the_admin_row(cast):
    IncidentSettings(preliminary_days=3, final_days=20, final_days_unauthorised=45).save()
    plain = incident(actor=cast.agent, aware_at=tokyo(2026, 10, 1, 9, 0))
    attack = incident(actor=cast.agent, aware_at=tokyo(2026, 10, 1, 9, 0), deliberate=True)
    assert _local(plain.preliminary_due_at) == "2026-10-04 09:00"
    assert _local(plain.final_due_at) == "2026-10-21 09:00"
    assert _local(attack.final_due_at) == "2026-11-15 09:00"
