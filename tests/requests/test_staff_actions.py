"""Staff pages of one request (LW-5, LW-6): every action is one service call through the
page, writes an audit event, and a page posted after someone else moved the request says so
and changes nothing; every staff view of a customer's data is audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.models import Approval, AuditEvent
from requests.models import FeeStatus, Kind, Status
from tests.requests.factories import data_request


def _act(client, req, name, **data):
    url = reverse("requests:staff_action", kwargs={"pk": req.pk, "name": name})
    return client.post(url, {"expected_status": req.status, **data})


CASES = [
    # (action, state before, kind, form data, state after, audit action)
    (
        "verification_start",
        Status.SUBMITTED,
        Kind.INQUIRY,
        {},
        Status.VERIFYING,
        "requests.request.verification_start",
    ),
    (
        "identity_confirm",
        Status.VERIFYING,
        Kind.DISCLOSURE,
        {},
        Status.IN_REVIEW,
        "requests.request.identity_confirm",
    ),
    (
        "identity_fail",
        Status.VERIFYING,
        Kind.DISCLOSURE,
        {"fail-reason": "確認できませんでした。"},
        Status.CLOSED,
        "requests.request.identity_fail",
    ),
    (
        "customer_ask",
        Status.VERIFYING,
        Kind.DISCLOSURE,
        {"note": "本人確認書類をお送りください。"},
        Status.AWAITING_CUSTOMER,
        "requests.request.customer_ask",
    ),
    (
        "fee_quote",
        Status.IN_REVIEW,
        Kind.DISCLOSURE,
        {},
        Status.AWAITING_PAYMENT,
        "requests.request.fee_quote",
    ),
    (
        "payment_record",
        Status.AWAITING_PAYMENT,
        Kind.DISCLOSURE,
        {"method": "bank_transfer", "amount_yen": "1000", "paid_on": "2026-05-01"},
        Status.IN_REVIEW,
        "requests.request.payment_record",
    ),
    (
        "waiver_ask",
        Status.AWAITING_PAYMENT,
        Kind.DISCLOSURE,
        {"waiver-reason": "生活保護受給中"},
        Status.AWAITING_PAYMENT,
        "portal.approval.asked",
    ),
    (
        "extension_ask",
        Status.IN_REVIEW,
        Kind.DISCLOSURE,
        {"days": "14", "reason": "大量のため"},
        Status.IN_REVIEW,
        "portal.approval.asked",
    ),
    (
        "inquiry_answer",
        Status.IN_REVIEW,
        Kind.INQUIRY,
        {"answer": "回答です。"},
        Status.CLOSED,
        "requests.request.close",
    ),
    (
        "purpose_notice",
        Status.IN_REVIEW,
        Kind.PURPOSE_NOTICE,
        {},
        Status.CLOSED,
        "requests.request.close",
    ),
]


@pytest.mark.clause("LW-5", "LW-6.1", "LW-6.2", "LW-6.4")
@pytest.mark.parametrize(
    ("name", "before", "kind", "data", "after", "audit"), CASES, ids=[c[0] for c in CASES]
)
def test_each_action_moves_the_request_and_is_audited(
    cast, agent_client, name, before, kind, data, after, audit
):
    req = data_request(status=before, customer=cast.customer, kind=kind)
    response = _act(agent_client, req, name, **data)
    assert response.status_code == 302, response.content.decode()[:2000]
    req.refresh_from_db()
    assert req.status == after
    assert AuditEvent.objects.filter(action=audit, actor=cast.agent).exists()


def test_an_invalid_form_is_shown_again_with_its_error_and_nothing_moves(cast, agent_client):
    req = data_request(status=Status.AWAITING_PAYMENT, customer=cast.customer, kind=Kind.DISCLOSURE)
    response = _act(
        agent_client, req, "payment_record", method="card", amount_yen="abc", paid_on=""
    )
    assert response.status_code == 400
    req.refresh_from_db()
    assert (req.status, req.fee_status) == (Status.AWAITING_PAYMENT, FeeStatus.QUOTED)
    response = _act(
        agent_client, req, "payment_record", method="card", amount_yen="999", paid_on="2026-05-01"
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.AWAITING_PAYMENT  # the wrong amount is refused by the service


@pytest.mark.clause("LW-5")
def test_two_staff_on_one_page_the_second_is_told(cast, agent_client):
    req = data_request(status=Status.VERIFYING, customer=cast.customer, kind=Kind.DISCLOSURE)
    stale = req.status
    first = _act(agent_client, req, "identity_confirm")
    assert first.status_code == 302
    url = reverse("requests:staff_action", kwargs={"pk": req.pk, "name": "identity_fail"})
    response = agent_client.post(url, {"expected_status": stale, "fail-reason": "no"}, follow=True)
    page = response.content.decode()
    assert "他の操作により変更されました" in page
    req.refresh_from_db()
    assert req.status == Status.IN_REVIEW


@pytest.mark.clause("LW-5")
def test_every_staff_view_of_customer_data_is_audited(cast, client):
    req = data_request(
        status=Status.IN_REVIEW,
        customer=cast.customer,
        kind=Kind.DISCLOSURE,
        details={"scope": "all", "categories": ["profile"]},
    )
    client.force_login(cast.agent)
    for url in (
        reverse("requests:staff_detail", kwargs={"pk": req.pk}),
        reverse("requests:staff_decision", kwargs={"pk": req.pk}),
    ):
        before = AuditEvent.objects.filter(action="requests.request.viewed").count()
        assert client.get(url).status_code == 200
        assert AuditEvent.objects.filter(action="requests.request.viewed").count() == before + 1
    client.post(
        reverse("requests:staff_decision", kwargs={"pk": req.pk}),
        {
            "profile__withheld": "on",
            "profile__grounds": ["1"],
            "profile__reason": "r",
            "summary": "s",
            "expected_status": "in_review",
        },
    )
    approval = Approval.objects.get(request=req)
    client.force_login(cast.administrator)
    before = AuditEvent.objects.filter(action="requests.request.viewed").count()
    assert (
        client.get(reverse("requests:staff_approval", kwargs={"pk": approval.pk})).status_code
        == 200
    )
    assert AuditEvent.objects.filter(action="requests.request.viewed").count() == before + 1
    assert client.get(reverse("approvals")).status_code == 200
    shown = AuditEvent.objects.get(action="portal.approvals.viewed", actor=cast.administrator)
    assert shown.payload["subjects"] == [["requests.datarequest", req.pk]]


@pytest.mark.clause("LW-6.3")
def test_the_decision_page_refuses_a_withheld_item_without_ground(cast, agent_client):
    req = data_request(
        status=Status.IN_REVIEW,
        customer=cast.customer,
        kind=Kind.DISCLOSURE,
        details={"scope": "chosen", "categories": ["profile"]},
    )
    url = reverse("requests:staff_decision", kwargs={"pk": req.pk})
    response = agent_client.post(
        url, {"profile__withheld": "on", "profile__reason": "", "summary": ""}
    )
    assert response.status_code == 400
    req.refresh_from_db()
    assert req.status == Status.IN_REVIEW and not req.decision_items.exists()
    assert (
        agent_client.get(
            reverse(
                "requests:staff_decision",
                kwargs={
                    "pk": data_request(
                        status=Status.IN_REVIEW, customer=cast.customer, kind=Kind.DELETION
                    ).pk
                },
            )
        ).status_code
        == 404
    )


def test_the_timeline_names_each_event_in_words(cast, agent_client):
    from requests import workflow

    req = data_request(status=Status.SUBMITTED, customer=cast.customer, kind=Kind.DISCLOSURE)
    workflow.request_verification_start(request_id=req.pk, actor=cast.agent)
    agent_client.cookies["portal_language"] = "en"
    page = agent_client.get(reverse("requests:staff_detail", kwargs={"pk": req.pk}))
    text = page.content.decode()
    assert "Identity check started" in text and "<td>verification_start</td>" not in text
