"""The one approval mechanism (portal.approvals, LW-5): every kind of "someone else must
approve" — request decisions, fee waivers, extensions, erasures and exceptions B-F — is one
model with one status set, one audit vocabulary and one inbox, and nobody decides what they
asked for, in the service or in the database."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partners.models import Basis, DataItem
from partners.services import exceptions as partner_exceptions
from portal import approval_kinds, approvals
from portal.models import Approval, ApprovalStatus, AuditEvent
from requests.services import approvals as request_approvals
from tests import factories as people
from tests.consents import factories as cf
from tests.partners import factories as pf
from tests.requests.factories import data_request

# Every kind the apps register, with the model it is about (the oracle, written out).
KINDS = {
    "decision": "requests.datarequest",
    "waiver": "requests.datarequest",
    "extension": "requests.datarequest",
    "erasure": "requests.datarequest",
    "exception": "partners.exceptionrequest",
}


def _exception(customer, actor, code="approvals-test"):
    purpose = cf.provision_purpose(code=code)
    return partner_exceptions.exception_request(
        customer=customer,
        partner=pf.partner_with(purpose=purpose, items=[DataItem.PREFECTURE]),
        purpose=purpose,
        items=[DataItem.PREFECTURE],
        basis=Basis.EXCEPTION_C,
        justification="救急隊が本人を探すため、都道府県が今すぐ必要です。",
        actor=actor,
    )


def _waiver(cast, actor=None):
    req = data_request(status="awaiting_payment", customer=cast.customer, kind="disclosure")
    return request_approvals.approval_ask(
        request_id=req.pk, actor=actor or cast.agent, kind="waiver", reason="生活保護受給中"
    )


def test_the_registered_kinds_are_exactly_these(db):
    registered = {k.code: k.subject.lower() for k in approval_kinds.kinds()}
    assert registered == KINDS


def test_one_status_set():
    assert [value for value, _ in ApprovalStatus.choices] == ["pending", "approved", "returned"]


@pytest.mark.clause("LW-5")
@pytest.mark.parametrize("kind", KINDS)
def test_the_database_refuses_a_decision_by_the_person_who_asked(cast, kind):
    app_label, model = KINDS[kind].split(".")
    with pytest.raises(IntegrityError), transaction.atomic():
        Approval.objects.create(
            kind=kind,
            subject_type=ContentType.objects.get_by_natural_key(app_label, model),
            subject_id=1,
            asked_by=cast.administrator,
            reason="x",
            status=ApprovalStatus.APPROVED,
            decided_by=cast.administrator,
            decided_at=timezone.now(),
        )


@pytest.mark.clause("LW-5")
def test_the_service_refuses_your_own_request_and_a_second_decision(cast):
    own = _waiver(cast, actor=cast.administrator)
    with pytest.raises(approvals.ApprovalError):
        approvals.decide(approval_id=own.pk, actor=cast.administrator, approve=True)
    own.refresh_from_db()
    assert own.status == ApprovalStatus.PENDING
    # Staff without the administrator role cannot decide either.
    theirs = _exception(cast.customer, cast.agent)
    pending = approvals.of(theirs).get()
    with pytest.raises(approvals.ApprovalError):
        approvals.decide(approval_id=pending.pk, actor=cast.agent, approve=True)
    approvals.decide(approval_id=pending.pk, actor=cast.administrator, approve=True)
    with pytest.raises(approvals.ApprovalError):
        approvals.decide(
            approval_id=pending.pk, actor=cast.administrator, approve=False, comment="x"
        )


@pytest.mark.clause("LW-5")
def test_one_audit_vocabulary_for_every_kind(cast):
    waiver = _waiver(cast)
    exception = approvals.of(_exception(cast.customer, cast.agent)).get()
    request_approvals.approval_decide(approval_id=waiver.pk, actor=cast.administrator, approve=True)
    partner_exceptions.exception_reject(
        exception=exception.subject, actor=cast.administrator, note="法的根拠がありません。"
    )
    actions = list(
        AuditEvent.objects.filter(action__startswith="portal.approval.")
        .order_by("id")
        .values_list("action", "payload__kind")
    )
    assert actions == [
        ("portal.approval.asked", "waiver"),
        ("portal.approval.asked", "exception"),
        ("portal.approval.approved", "waiver"),
        ("portal.approval.returned", "exception"),
    ]


def _inbox_queries(client) -> tuple[int, str]:
    from django.db import connection

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("approvals"))
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.clause("LW-5")
def test_one_inbox_lists_every_kind_in_a_fixed_number_of_queries(cast, admin_client_):
    _waiver(cast)
    _exception(cast.customer, cast.agent, code="inbox-1")
    few, page = _inbox_queries(admin_client_)
    assert "Fee waiver" in page or "手数料の免除" in page
    assert "exception" in page.lower() or "例外" in page
    for i in range(6):
        customer = people.customer(email=f"inbox{i}@example.jp")
        req = data_request(status="awaiting_payment", customer=customer, kind="disclosure")
        request_approvals.approval_ask(
            request_id=req.pk, actor=cast.agent, kind="waiver", reason="生活保護受給中"
        )
        _exception(customer, cast.agent, code=f"inbox-more-{i}")
    many, page = _inbox_queries(admin_client_)
    assert page.count(reverse("partners:staff_exception", kwargs={"pk": 1})[:-2]) >= 7
    # Session, user, second-factor device, permissions, cookie decision (5), then the
    # approvals with who asked, their requests with customers, their exceptions with
    # customers and partners, and one audit event for all that was shown (LW-5).
    assert few == many == 5 + 4
    shown = AuditEvent.objects.filter(action="portal.approvals.viewed").latest("id")
    assert len(shown.payload["approvals"]) == 14


def test_staff_without_the_administrator_role_get_a_403(agent_client):
    assert agent_client.get(reverse("approvals")).status_code == 403


def test_the_old_address_of_the_requests_approvals_leads_to_the_one_inbox(admin_client_):
    response = admin_client_.get("/staff/requests/approvals/")
    assert (response.status_code, response["Location"]) == (301, "/staff/approvals/")
