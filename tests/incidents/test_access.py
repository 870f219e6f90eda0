"""Access table of the incidents app (LW-5): the register and its actions are staff pages
(403 without the role), approvals and confirmations are for privacy administrators, a notice
is its person's own (another customer: 404), the announcements are public."""

from __future__ import annotations

import datetime

import pytest

from incidents import notices, reports, services
from incidents.models import AffectedPerson
from tests.access import (
    Case,
    admin_only,
    cases_params,
    check_case,
    everyone,
    owner_only,
    staff_only,
)
from tests.incidents.factories import NOTICE_TEXTS, incident, notices_sent


def _incident(cast):
    """An incident with the customer on it and told, an assessment, a drafted preliminary
    report and an approved final report (made once per test)."""
    inc = getattr(cast, "_incident", None)
    if inc is None:
        inc = incident(actor=cast.agent, **NOTICE_TEXTS)
        AffectedPerson.objects.create(
            incident=inc,
            customer=cast.customer,
            customer_reference="ref-alice",
            source="upload",
        )
        notices_sent(incident_id=inc.pk, actor=cast.agent, expected=1)
        notices.announcement_publish(incident_id=inc.pk, actor=cast.agent)
        cast._assessment = services.assessment_record(
            incident_id=inc.pk,
            actor=cast.agent,
            answers={"unauthorised_purpose": True},
            reasons={"unauthorised_purpose": "攻撃"},
        )
        reports.report_draft(incident_id=inc.pk, kind="preliminary", actor=cast.agent)
        final = reports.report_draft(incident_id=inc.pk, kind="final", actor=cast.agent)
        reports.report_approve(report_id=final.pk, actor=cast.administrator)
        cast._incident = inc
    return inc


def pk(cast):
    return {"pk": _incident(cast).pk}


def report(kind):
    return lambda cast: {**pk(cast), "kind": kind}


def _new_incident(cast):
    return {
        "title": "誤送信",
        "kind": "leak",
        "discovered_at": "2026-11-01T09:00",
        "aware_at": "2026-11-01T10:00",
        "summary": "メールの誤送信。",
    }


CASES = [
    Case("incidents:announcements", everyone(200)),
    Case("incidents:announcement", everyone(200), kwargs=pk),
    Case("incidents:notice", owner_only(200), kwargs=pk),
    Case("incidents:staff_list", staff_only(200)),
    Case("incidents:staff_new", staff_only(200)),
    Case("incidents:staff_new", staff_only(302), method="post", data=_new_incident),
    Case("incidents:staff_detail", staff_only(200), kwargs=pk),
    Case("incidents:staff_edit", staff_only(200), kwargs=pk),
    Case(
        "incidents:staff_assess",
        staff_only(302),
        kwargs=pk,
        method="post",
        data=lambda cast: {"special_care": "on", "special_care_reason": "病歴"},
    ),
    Case(
        "incidents:staff_assess",
        {**staff_only(405), "customer": 403, "other_customer": 403},
        kwargs=pk,
        id="get:incidents:staff_assess",
    ),
    Case(
        "incidents:staff_assessment_confirm",
        admin_only(302),
        kwargs=lambda cast: {**pk(cast), "assessment_id": cast._assessment.pk},
        method="post",
    ),
    Case("incidents:staff_scope", staff_only(200), kwargs=pk),
    Case(
        "incidents:staff_scope",
        staff_only(200),
        kwargs=pk,
        method="post",
        data=lambda cast: {"source": "accounts", "created_before": "2030-01-01"},
    ),
    Case(
        "incidents:staff_close",
        staff_only(302),
        kwargs=pk,
        method="post",
        data=lambda cast: {"note": "x"},
    ),
    Case("incidents:staff_notices", staff_only(200), kwargs=pk),
    Case("incidents:staff_notices_progress", staff_only(200), kwargs=pk),
    Case(
        "incidents:staff_notices",
        staff_only(200),  # everyone was told: the page says so
        kwargs=pk,
        method="post",
        data=lambda cast: {"expected": "0"},
    ),
    Case("incidents:staff_announcement", staff_only(302), kwargs=pk, method="post"),
    Case("incidents:staff_report", staff_only(200), kwargs=report("preliminary")),
    Case(
        "incidents:staff_report_draft",
        staff_only(302),
        kwargs=report("preliminary"),
        method="post",
    ),
    Case(
        "incidents:staff_report_approve",
        admin_only(302),
        kwargs=report("preliminary"),
        method="post",
    ),
    Case(
        "incidents:staff_report_submitted",
        staff_only(302),
        kwargs=report("final"),
        method="post",
        data=lambda cast: {"submitted_on": datetime.date.today().isoformat()},
    ),
    Case("incidents:staff_report_pdf", staff_only(200), kwargs=report("final")),
]

params, ids = cases_params(CASES)


@pytest.mark.clause("LW-5", "APPI-26")
@pytest.mark.parametrize(("case", "role"), params, ids=ids)
def test_access(client, cast, case, role):
    check_case(client, cast, case, role)


@pytest.mark.clause("LW-5")
@pytest.mark.parametrize(
    "url",
    [
        "/staff/incidents/999999/",
        "/staff/incidents/999999/scope/",
        "/staff/incidents/999999/reports/final/",
        "/incidents/999999/",
        "/incidents/999999/notice/",
    ],
)
def test_an_unknown_incident_is_a_404(admin_client_, url):
    assert admin_client_.get(url).status_code == 404


def test_an_unknown_report_kind_is_a_404(admin_client_, cast):
    assert (
        admin_client_.get(f"/staff/incidents/{_incident(cast).pk}/reports/interim/").status_code
        == 404
    )
    assert (
        admin_client_.get(
            f"/staff/incidents/{_incident(cast).pk}/reports/preliminary/report.pdf"
        ).status_code
        == 404
    )


def test_a_draft_has_no_pdf_yet(agent_client, cast):
    url = f"/staff/incidents/{_incident(cast).pk}/reports/preliminary/report.pdf"
    assert agent_client.get(url).status_code == 404


def test_the_approved_pdf_is_served_as_pdf(agent_client, cast):
    response = agent_client.get(f"/staff/incidents/{_incident(cast).pk}/reports/final/report.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
