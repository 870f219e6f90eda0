"""The reports to the Commission (APPI-26): drafted in Japanese from the register with the
form's items, approved by a privacy administrator who did not draft them (the database
refuses self-approval), kept as a PDF, with the submission date recorded."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from incidents import reports
from incidents.errors import IncidentError
from incidents.models import Report
from tests import factories
from tests.incidents.factories import incident


@pytest.fixture
def second_admin(db):
    return factories.administrator(email="erin@example.jp", full_name="高橋 エリン")


@pytest.mark.clause("APPI-26")
def test_the_draft_has_the_items_of_the_commissions_form_in_japanese(cast):
    inc = incident(
        actor=cast.agent,
        cause="委託先の管理画面の認証情報が窃取された。",
        deliberate=True,
        secondary_harm="現時点で二次被害は確認されていない。",
        recurrence_measures="多要素認証を必須にする。",
        data_items=["name", "email"],
    )
    report = reports.report_draft(incident_id=inc.pk, kind="preliminary", actor=cast.agent)
    c = report.content
    assert set(c) == {
        "summary",
        "data_items",
        "people",
        "cause",
        "secondary_harm",
        "response_to_people",
        "public_announcement",
        "recurrence_measures",
        "other_matters",
        "triggers",
    }
    assert c["data_items"] == "氏名、メールアドレス"
    assert c["people"] == "0人"
    assert c["cause"].startswith("委託先の管理画面の認証情報が窃取された。")
    assert "不正の目的" in c["cause"]
    assert c["secondary_harm"] == "現時点で二次被害は確認されていない。"
    assert c["public_announcement"] == "公表していません。"
    assert c["response_to_people"] == "（未定。確報で報告します。）"  # noqa: RUF001
    html = reports.report_html(report)
    for label in ("概要", "本人の数", "原因", "二次被害", "本人への対応", "公表", "再発防止"):
        assert label in html
    assert "速報" in html


@pytest.mark.clause("APPI-26", "LW-5")
def test_whoever_drafted_it_cannot_approve_it(cast, second_admin):
    inc = incident(actor=cast.agent)
    report = reports.report_draft(incident_id=inc.pk, kind="preliminary", actor=cast.administrator)
    with pytest.raises(IncidentError, match="another privacy administrator"):
        reports.report_approve(report_id=report.pk, actor=cast.administrator)
    with pytest.raises(IncidentError, match="privacy administrator"):
        reports.report_approve(report_id=report.pk, actor=cast.agent)
    report.refresh_from_db()
    assert (report.status, report.approved_by) == ("draft", None)

    approved = reports.report_approve(report_id=report.pk, actor=second_admin)
    assert (approved.status, approved.approved_by) == ("approved", second_admin)
    assert bytes(approved.pdf).startswith(b"%PDF-")
    assert list(inc.events.values_list("event", flat=True)) == [
        "recorded",
        "report_drafted",
        "report_approved",
    ]


@pytest.mark.clause("APPI-26", "LW-5")
def test_the_database_refuses_self_approval(cast):
    inc = incident(actor=cast.agent)
    report = reports.report_draft(incident_id=inc.pk, kind="final", actor=cast.administrator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.filter(pk=report.pk).update(
            status="approved", approved_by=cast.administrator, approved_at=timezone.now()
        )


@pytest.mark.clause("APPI-26")
def test_an_approved_report_is_not_drafted_again_and_its_submission_is_recorded(cast):
    inc = incident(actor=cast.agent)
    report = reports.report_draft(incident_id=inc.pk, kind="preliminary", actor=cast.agent)
    with pytest.raises(IncidentError, match="approved"):
        reports.report_submission_record(
            report_id=report.pk, actor=cast.agent, submitted_on=timezone.localdate()
        )
    reports.report_approve(report_id=report.pk, actor=cast.administrator)
    with pytest.raises(IncidentError, match="approved already"):
        reports.report_draft(incident_id=inc.pk, kind="preliminary", actor=cast.agent)
    with pytest.raises(IncidentError, match="future"):
        reports.report_submission_record(
            report_id=report.pk,
            actor=cast.agent,
            submitted_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    done = reports.report_submission_record(
        report_id=report.pk, actor=cast.agent, submitted_on=timezone.localdate()
    )
    assert (done.status, done.submitted_on) == ("submitted", timezone.localdate())
