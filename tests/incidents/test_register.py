"""The register (APPI-26, LW-5): recording, every change kept (who, when, what), a timeline,
and the audit log."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from incidents import services
from incidents.errors import IncidentError
from incidents.models import IncidentEvent
from portal.models import AuditEvent
from tests.incidents.factories import incident, processor, tokyo


@pytest.mark.clause("APPI-26", "LW-5")
def test_it_records_an_incident_with_a_timeline_and_an_audit_event(cast):
    partner = processor(name_ja="問合せ代行株式会社", name_en="Inquiry Desk Ltd.")
    inc = incident(actor=cast.agent, partners=[partner], at_processor=True)
    assert inc.reference == f"INC-{inc.pk:05d}"
    assert [p.name_en for p in inc.partners.all()] == ["Inquiry Desk Ltd."]
    assert list(inc.events.values_list("event", "actor__email")) == [
        ("recorded", "charlie@example.jp")
    ]
    event = AuditEvent.objects.get(action="incidents.incident.recorded")
    assert (event.actor, event.target_id) == (cast.agent, str(inc.pk))


@pytest.mark.clause("APPI-26", "LW-5")
def test_every_change_is_kept_with_who_when_and_what(cast):
    inc = incident(actor=cast.agent, cause="")
    diff = services.incident_update(
        incident_id=inc.pk,
        actor=cast.administrator,
        values={"cause": "設定ミスにより公開状態になっていた。", "title": inc.title},
    )
    assert diff == {"cause": ["", "設定ミスにより公開状態になっていた。"]}
    change = IncidentEvent.objects.get(incident=inc, event="changed")
    assert change.actor == cast.administrator
    assert change.changes == {"cause": ["", "設定ミスにより公開状態になっていた。"]}
    assert AuditEvent.objects.get(action="incidents.incident.changed").payload == {
        "fields": ["cause"]
    }
    # Nothing changed: no event.
    assert (
        services.incident_update(
            incident_id=inc.pk, actor=cast.agent, values={"cause": change.changes["cause"][1]}
        )
        == {}
    )
    assert IncidentEvent.objects.filter(incident=inc, event="changed").count() == 1


@pytest.mark.clause("APPI-26")
def test_a_change_of_awareness_is_kept_in_japan_time_and_moves_the_due_dates(cast):
    inc = incident(actor=cast.agent, aware_at=tokyo(2026, 11, 2, 10, 0))
    diff = services.incident_update(
        incident_id=inc.pk, actor=cast.agent, values={"aware_at": tokyo(2026, 11, 3, 9, 30)}
    )
    assert diff["aware_at"] == ["2026-11-02 10:00", "2026-11-03 09:30"]
    assert diff["preliminary_due_at"] == ["2026-11-07 10:00", "2026-11-08 09:30"]
    assert diff["final_due_at"] == ["2026-12-02 10:00", "2026-12-03 09:30"]


@pytest.mark.clause("APPI-26")
def test_awareness_before_discovery_is_refused_with_a_message(cast):
    with pytest.raises(IncidentError, match="before the incident was discovered"):
        incident(
            actor=cast.agent,
            aware_at=tokyo(2026, 11, 2, 10, 0),
            discovered_at=tokyo(2026, 11, 3, 10, 0),
        )


@pytest.mark.clause("APPI-26")
def test_awareness_in_the_future_is_refused(cast):
    with pytest.raises(IncidentError, match="future"):
        incident(actor=cast.agent, aware_at=timezone.now() + datetime.timedelta(days=1))


def test_a_closed_incident_cannot_be_changed(cast):
    inc = incident(actor=cast.agent)
    services.assessment_record(
        incident_id=inc.pk,
        actor=cast.agent,
        answers={},
        reasons={},
        note="暗号化済みで復号鍵は無事。",
    )
    services.assessment_confirm(assessment_id=inc.assessments.get().pk, actor=cast.administrator)
    services.incident_close(incident_id=inc.pk, actor=cast.agent, note="報告対象外と確認。")
    with pytest.raises(IncidentError, match="closed"):
        services.incident_update(incident_id=inc.pk, actor=cast.agent, values={"cause": "x"})


def test_an_open_reportable_incident_cannot_be_closed_before_its_final_report(cast):
    inc = incident(actor=cast.agent)
    with pytest.raises(IncidentError, match="final report"):
        services.incident_close(incident_id=inc.pk, actor=cast.agent, note="done")
