"""Is it reportable? The four triggers of APPI Art. 26(1) / Rule 7, each with its reason,
confirmed by a privacy administrator (APPI-26)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from incidents import services
from incidents.errors import IncidentError
from incidents.models import AffectedPerson, Assessment, Incident
from tests.incidents.factories import incident

REASONS = {
    "special_care": "病歴が含まれる。",
    "financial_loss": "カード番号とセキュリティコードが含まれる。",
    "unauthorised_purpose": "外部からの攻撃による。",
    "over_thousand": "1,000人を超えるおそれがある。",
}


def _assess(inc, actor, **answers):
    may_exceed = answers.pop("over_thousand", False)
    return services.assessment_record(
        incident_id=inc.pk,
        actor=actor,
        answers=answers,
        reasons=REASONS,
        may_exceed_thousand=may_exceed,
        note="" if (answers or may_exceed) else "いずれにも当たらない。",
    )


@pytest.mark.clause("APPI-26")
@pytest.mark.parametrize(
    ("answers", "reportable"),
    [
        ({"special_care": True}, True),
        ({"financial_loss": True}, True),
        ({"unauthorised_purpose": True}, True),
        ({"over_thousand": True}, True),
        ({}, False),
    ],
    ids=["special-care", "financial-loss", "unauthorised-purpose", "over-1000", "none"],
)
def test_each_trigger_alone_makes_it_reportable(cast, answers, reportable):
    inc = incident(actor=cast.agent)
    a = _assess(inc, cast.agent, **answers)
    assert a.reportable is reportable
    inc.refresh_from_db()
    assert inc.reportable is reportable
    assert inc.reportable_confirmed_at is None


@pytest.mark.clause("APPI-26")
def test_more_than_1000_people_scoped_is_trigger_four_by_itself(cast):
    inc = incident(actor=cast.agent)
    AffectedPerson.objects.bulk_create(
        AffectedPerson(incident=inc, customer_reference=f"ref-{n}", source="upload")
        for n in range(1001)
    )
    Incident.objects.filter(pk=inc.pk).update(affected_count=1001)
    a = services.assessment_record(
        incident_id=inc.pk, actor=cast.agent, answers={}, reasons={}, note=""
    )
    assert (a.over_thousand, a.reportable, a.people_counted) == (True, True, 1001)
    assert "1,001 people were scoped" in a.over_thousand_reason


@pytest.mark.clause("APPI-26")
def test_exactly_1000_people_is_not_trigger_four(cast):
    inc = incident(actor=cast.agent)
    Incident.objects.filter(pk=inc.pk).update(affected_count=1000)
    a = services.assessment_record(
        incident_id=inc.pk, actor=cast.agent, answers={}, reasons={}, note="1,000人ちょうど。"
    )
    assert (a.over_thousand, a.reportable) == (False, False)


@pytest.mark.clause("APPI-26")
def test_a_trigger_without_its_reason_is_refused(cast):
    inc = incident(actor=cast.agent)
    with pytest.raises(IncidentError, match="reason"):
        services.assessment_record(
            incident_id=inc.pk, actor=cast.agent, answers={"special_care": True}, reasons={}
        )
    assert not Assessment.objects.exists()


@pytest.mark.clause("APPI-26")
def test_not_reportable_needs_a_note_saying_why(cast):
    inc = incident(actor=cast.agent)
    with pytest.raises(IncidentError, match="none of the four"):
        services.assessment_record(incident_id=inc.pk, actor=cast.agent, answers={}, reasons={})


@pytest.mark.clause("APPI-26", "LW-5")
def test_a_privacy_administrator_confirms_and_staff_cannot(cast):
    inc = incident(actor=cast.agent)
    a = _assess(inc, cast.agent, special_care=True)
    with pytest.raises(IncidentError, match="privacy administrator"):
        services.assessment_confirm(assessment_id=a.pk, actor=cast.agent)
    services.assessment_confirm(assessment_id=a.pk, actor=cast.administrator)
    a.refresh_from_db()
    assert a.confirmed_by == cast.administrator
    inc.refresh_from_db()
    assert inc.reportable_confirmed_at == a.confirmed_at
    # A new assessment needs its own confirmation; the old one cannot stand in.
    newer = _assess(inc, cast.agent, financial_loss=True)
    inc.refresh_from_db()
    assert inc.reportable_confirmed_at is None
    with pytest.raises(IncidentError, match="newer"):
        services.assessment_confirm(assessment_id=a.pk, actor=cast.administrator)
    services.assessment_confirm(assessment_id=newer.pk, actor=cast.administrator)


@pytest.mark.clause("APPI-26")
def test_the_database_refuses_an_answer_that_is_not_the_triggers(cast):
    inc = incident(actor=cast.agent)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(incident=inc, reportable=True, assessed_by=cast.agent)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(
            incident=inc, reportable=False, special_care=True, assessed_by=cast.agent
        )
