"""Disclosure decisions (LW-6.3): items withheld on grounds with reasons, the approval rule,
the refund and lapse rules (LW-6.4), and the closing notice with grounds and reasons in the
customer's language, previewed before it is sent (APPI-36)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from portal.models import Approval, ApprovalStatus, AuditEvent, OutboundMail
from requests import workflow
from requests.errors import RequestError
from requests.models import (
    ApprovalKind,
    DecisionItem,
    FeePayment,
    FeeStatus,
    Ground,
    Kind,
    Outcome,
    PaymentKind,
    Status,
)
from requests.services import approvals, decisions
from tests.factories import administrator
from tests.requests.factories import data_request

ALL = ["access_log", "consents", "profile", "provisions", "requests"]


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


def _disclosure(cast, **kwargs):
    kwargs.setdefault("details", {"scope": "all", "categories": ALL})
    return data_request(
        status=Status.IN_REVIEW, customer=cast.customer, kind=Kind.DISCLOSURE, **kwargs
    )


def _items(withheld: dict[str, list[int]]):
    return {
        c: {"withheld": c in withheld, "grounds": withheld.get(c, []), "reason": f"reason {c}"}
        for c in ALL
    }


@pytest.mark.clause("LW-6.3")
def test_a_withheld_item_needs_a_ground_and_a_reason(cast):
    req = _disclosure(cast)
    with pytest.raises(RequestError, match="ground"):
        decisions.decision_draft(
            request_id=req.pk,
            actor=cast.agent,
            items={"profile": {"withheld": True, "grounds": [], "reason": "x"}},
            summary="s",
        )
    with pytest.raises(RequestError, match="ground"):
        decisions.decision_draft(
            request_id=req.pk,
            actor=cast.agent,
            items={"profile": {"withheld": True, "grounds": [1], "reason": " "}},
            summary="s",
        )
    assert not DecisionItem.objects.exists()
    req.refresh_from_db()
    assert req.status == Status.IN_REVIEW


@pytest.mark.clause("LW-6.3", "LW-5")
def test_partial_decision_goes_to_approval_and_nobody_closes_it_without(cast):
    req = _disclosure(cast)
    result = decisions.decision_draft(
        request_id=req.pk,
        actor=cast.agent,
        items=_items({"access_log": [1]}),
        summary="Part of the access log would reveal another person.",
    )
    assert (result.status, result.outcome) == (
        Status.AWAITING_APPROVAL,
        Outcome.PARTIALLY_FULFILLED,
    )
    approval = Approval.objects.get(request=req)
    assert (approval.kind, approval.asked_by, approval.status) == (
        ApprovalKind.DECISION,
        cast.agent,
        ApprovalStatus.PENDING,
    )
    # Staff cannot close it themselves, neither as partial nor as fulfilled.
    for outcome in (Outcome.PARTIALLY_FULFILLED, Outcome.FULFILLED):
        with pytest.raises(RequestError):
            workflow.request_close(request_id=req.pk, actor=cast.agent, outcome=outcome, reason="r")
    with pytest.raises(RequestError, match="administrator"):
        approvals.approval_decide(approval_id=approval.pk, actor=cast.agent, approve=True)
    approvals.approval_decide(approval_id=approval.pk, actor=cast.administrator, approve=True)
    req.refresh_from_db()
    assert (req.status, req.outcome) == (Status.CLOSED, Outcome.PARTIALLY_FULFILLED)
    approval.refresh_from_db()
    assert (approval.status, approval.decided_by) == (ApprovalStatus.APPROVED, cast.administrator)
    assert AuditEvent.objects.filter(action="requests.decision.drafted", actor=cast.agent).exists()
    assert AuditEvent.objects.filter(
        action="requests.request.approved", actor=cast.administrator
    ).exists()


@pytest.mark.clause("LW-6.3", "LW-5")
def test_an_administrator_cannot_approve_their_own_draft(cast):
    req = _disclosure(cast)
    decisions.decision_draft(
        request_id=req.pk,
        actor=cast.administrator,
        items=_items({key: [2] for key in ALL}),
        summary="s",
    )
    approval = Approval.objects.get(request=req)
    with pytest.raises(RequestError, match="another privacy administrator"):
        approvals.approval_decide(approval_id=approval.pk, actor=cast.administrator, approve=True)
    with pytest.raises(RequestError, match="another privacy administrator"):
        workflow.request_approve(request_id=req.pk, actor=cast.administrator)
    req.refresh_from_db()
    assert req.status == Status.AWAITING_APPROVAL
    approvals.approval_decide(
        approval_id=approval.pk, actor=administrator(email="erin@example.jp"), approve=True
    )
    req.refresh_from_db()
    assert (req.status, req.outcome) == (Status.CLOSED, Outcome.REFUSED)


@pytest.mark.clause("LW-6.3")
def test_a_returned_draft_comes_back_with_the_comment_and_can_be_redrafted(cast):
    req = _disclosure(cast)
    decisions.decision_draft(
        request_id=req.pk, actor=cast.agent, items=_items({"profile": [3]}), summary="s"
    )
    approval = Approval.objects.get(request=req)
    with pytest.raises(RequestError, match="comment"):
        approvals.approval_decide(approval_id=approval.pk, actor=cast.administrator, approve=False)
    approvals.approval_decide(
        approval_id=approval.pk,
        actor=cast.administrator,
        approve=False,
        comment="Ground (3) does not fit; which law?",
    )
    req.refresh_from_db()
    approval.refresh_from_db()
    assert (req.status, req.outcome, req.decision_drafted_by) == (Status.IN_REVIEW, "", None)
    assert (approval.status, approval.comment) == (
        ApprovalStatus.RETURNED,
        "Ground (3) does not fit; which law?",
    )
    assert req.timeline.filter(event="approval_return", note__contains="which law").exists()
    # Redrafted with nothing withheld: no approval needed, the request waits for closing.
    result = decisions.decision_draft(
        request_id=req.pk, actor=cast.agent, items=_items({}), summary=""
    )
    assert result.status == Status.IN_REVIEW
    assert not DecisionItem.objects.filter(request=req, withheld=True).exists()


@pytest.mark.clause("LW-6.3", "LW-6.4")
def test_a_full_refusal_on_grounds_1_to_3_refunds_a_paid_fee(cast):
    req = _disclosure(cast, fee_yen=1000, fee_status=FeeStatus.PAID)
    FeePayment.objects.create(
        request=req,
        kind=PaymentKind.PAYMENT,
        method="card",
        amount_yen=1000,
        paid_on=date(2026, 5, 1),
        recorded_by=cast.agent,
    )
    decisions.decision_draft(
        request_id=req.pk,
        actor=cast.agent,
        items=_items(
            {
                "access_log": [1],
                "consents": [2],
                "profile": [3],
                "provisions": [1, 2],
                "requests": [2],
            }
        ),
        summary="We cannot disclose.",
    )
    workflow.request_approve(request_id=req.pk, actor=cast.administrator)
    req.refresh_from_db()
    assert (req.outcome, req.fee_status) == (Outcome.REFUSED, FeeStatus.REFUNDED)
    refund = req.payments.get(kind=PaymentKind.REFUND)
    assert (refund.amount_yen, refund.method) == (1000, "card")
    assert AuditEvent.objects.filter(action="requests.fee.refunded").exists()
    notice = OutboundMail.objects.filter(to=cast.customer.email).latest("id")
    assert "1,000円" in notice.body  # the customer's language is Japanese: whole yen


@pytest.mark.clause("LW-6.4")
def test_the_refund_setting_can_be_turned_off(cast, settings):
    settings.REQUESTS_REFUND_ON_REFUSAL = False
    req = _disclosure(cast, fee_yen=1000, fee_status=FeeStatus.PAID)
    decisions.decision_draft(
        request_id=req.pk, actor=cast.agent, items=_items({key: [1] for key in ALL}), summary="No."
    )
    workflow.request_approve(request_id=req.pk, actor=cast.administrator)
    req.refresh_from_db()
    assert req.fee_status == FeeStatus.PAID
    assert not req.payments.filter(kind=PaymentKind.REFUND).exists()


@pytest.mark.clause("LW-6.4")
def test_a_partial_decision_refunds_nothing(cast):
    req = _disclosure(cast, fee_yen=1000, fee_status=FeeStatus.PAID)
    decisions.decision_draft(
        request_id=req.pk, actor=cast.agent, items=_items({"profile": [1]}), summary="Part."
    )
    workflow.request_approve(request_id=req.pk, actor=cast.administrator)
    req.refresh_from_db()
    assert req.fee_status == FeeStatus.PAID


@pytest.mark.clause("LW-6.4")
def test_a_lapse_for_non_payment_refunds_nothing(cast):
    req = data_request(status=Status.AWAITING_PAYMENT, customer=cast.customer, kind=Kind.DISCLOSURE)
    workflow.request_lapse(request_id=req.pk, actor=None, reason="No payment within 30 days.")
    req.refresh_from_db()
    assert (req.outcome, req.fee_status) == (Outcome.LAPSED, FeeStatus.LAPSED)
    assert not req.payments.exists()


@pytest.mark.clause("LW-6.3", "APPI-36")
def test_a_failed_identity_check_refuses_a_disclosure_on_ground_4(cast):
    req = data_request(
        status=Status.VERIFYING,
        customer=cast.customer,
        kind=Kind.DISCLOSURE,
        details={"scope": "chosen", "categories": ["profile", "access_log"]},
    )
    workflow.request_identity_fail(
        request_id=req.pk, actor=cast.agent, reason="ご本人であることを確認できませんでした。"
    )
    req.refresh_from_db()
    assert (req.status, req.outcome) == (Status.CLOSED, Outcome.REFUSED)
    items = list(req.decision_items.order_by("category"))
    assert [(i.category, i.withheld, i.grounds) for i in items] == [
        ("access_log", True, [4]),
        ("profile", True, [4]),
    ]
    notice = OutboundMail.objects.filter(to=cast.customer.email).latest("id")
    assert "(4)" in notice.body and "ご本人であることを確認できませんでした。" in notice.body


@pytest.mark.clause("APPI-36", "LW-6.3")
@pytest.mark.parametrize("who", ["customer", "other_customer"])
def test_the_notice_states_grounds_and_reasons_in_the_customers_language(cast, who):
    customer = getattr(cast, who)
    req = data_request(
        status=Status.IN_REVIEW,
        customer=customer,
        kind=Kind.DISCLOSURE,
        details={"scope": "all", "categories": ALL},
    )
    decisions.decision_draft(
        request_id=req.pk,
        actor=cast.agent,
        items=_items({"access_log": [1, 2]}),
        summary="SUMMARY-TEXT",
    )
    req.refresh_from_db()
    preview_subject, preview_body = workflow.closing_notice_preview(
        req, outcome=req.outcome, reason=req.outcome_reason
    )
    workflow.request_approve(request_id=req.pk, actor=cast.administrator)
    notice = OutboundMail.objects.filter(to=customer.email).latest("id")
    # What staff previewed is exactly what was sent.
    assert (notice.subject, notice.body) == (preview_subject, preview_body)
    assert "SUMMARY-TEXT" in notice.body and "reason access_log" in notice.body
    assert "(1)" in notice.body and "(2)" in notice.body
    with translation.override(customer.preferred_language):
        ground_1 = str(Ground.HARM.label)
        heading = translation.gettext("Your data, item by item:")
    assert ground_1 in notice.body and heading in notice.body
    if who == "customer":
        assert "第三者" in ground_1 and "Your data" not in notice.body  # Japanese
    else:
        assert "third party" in ground_1


@pytest.mark.clause("LW-5", "LW-6.2", "LW-6.4")
def test_waiver_and_extension_go_through_an_administrator(cast):
    req = data_request(status=Status.AWAITING_PAYMENT, customer=cast.customer, kind=Kind.DISCLOSURE)
    waiver = approvals.approval_ask(
        request_id=req.pk, actor=cast.agent, kind=ApprovalKind.WAIVER, reason="Hardship"
    )
    with pytest.raises(RequestError, match="already"):
        approvals.approval_ask(
            request_id=req.pk, actor=cast.agent, kind=ApprovalKind.WAIVER, reason="again"
        )
    extension = approvals.approval_ask(
        request_id=req.pk, actor=cast.agent, kind=ApprovalKind.EXTENSION, reason="Large", days=14
    )
    req.refresh_from_db()
    assert req.fee_status == FeeStatus.QUOTED  # nothing happens before approval
    approvals.approval_decide(approval_id=waiver.pk, actor=cast.administrator, approve=True)
    approvals.approval_decide(approval_id=extension.pk, actor=cast.administrator, approve=True)
    req.refresh_from_db()
    assert (req.fee_status, req.status, req.extension_days) == (
        FeeStatus.WAIVED,
        Status.IN_REVIEW,
        14,
    )
    with pytest.raises(RequestError, match="already decided"):
        approvals.approval_decide(approval_id=waiver.pk, actor=cast.administrator, approve=True)


@pytest.mark.clause("LW-5")
def test_an_administrator_cannot_approve_their_own_waiver(cast):
    req = data_request(status=Status.AWAITING_PAYMENT, customer=cast.customer, kind=Kind.DISCLOSURE)
    waiver = approvals.approval_ask(
        request_id=req.pk, actor=cast.administrator, kind=ApprovalKind.WAIVER, reason="Hardship"
    )
    with pytest.raises(RequestError, match="yourself"):
        approvals.approval_decide(approval_id=waiver.pk, actor=cast.administrator, approve=True)
    req.refresh_from_db()
    assert req.fee_status == FeeStatus.QUOTED


@pytest.mark.clause("APPI-36")
def test_the_close_form_shows_the_notice_before_sending(cast, client):
    req = data_request(status=Status.IN_REVIEW, customer=cast.customer, kind=Kind.INQUIRY)
    client.force_login(cast.agent)
    url = reverse("requests:staff_close", kwargs={"pk": req.pk})
    data = {"outcome": "no_data", "reason": "We hold no such data.", "expected_status": "in_review"}
    response = client.post(url, {**data, "preview": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "We hold no such data." in page and "notice-preview" in page
    req.refresh_from_db()
    assert req.status == Status.IN_REVIEW and not OutboundMail.objects.exists()
    response = client.post(url, {**data, "confirm": "1"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert (req.status, req.outcome) == (Status.CLOSED, Outcome.NO_DATA)
    assert "We hold no such data." in OutboundMail.objects.get(to=cast.customer.email).body


def test_a_close_form_posted_after_someone_else_closed_says_so(cast, client):
    req = data_request(status=Status.IN_REVIEW, customer=cast.customer, kind=Kind.INQUIRY)
    workflow.request_close(
        request_id=req.pk, actor=cast.administrator, outcome="fulfilled", reason="x"
    )
    client.force_login(cast.agent)
    response = client.post(
        reverse("requests:staff_close", kwargs={"pk": req.pk}),
        {"outcome": "no_data", "reason": "y", "expected_status": "in_review", "confirm": "1"},
    )
    assert response.status_code == 400
    assert "他の操作により変更されました" in response.content.decode()  # the page is Japanese
    req.refresh_from_db()
    assert req.outcome == Outcome.FULFILLED
