"""Whole-account deletion through a request needs a privacy administrator's approval (least
privilege, LW-5): staff cannot close it as fulfilled alone; they ask, and a privacy
administrator who is not the person who asked approves, which erases the account and closes."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from portal.models import Approval, ApprovalStatus, AuditEvent, User
from requests import workflow
from requests.errors import RequestError
from requests.models import Kind, Outcome, Status
from requests.services import approvals, erasure
from tests import factories
from tests.requests.factories import data_request

pytestmark = pytest.mark.django_db

WHOLE = {"scope": "account", "data_items": []}
NEEDS_APPROVAL = (
    "Deleting a whole account needs a privacy administrator's approval (someone other than "
    "who asked for it); nothing was deleted."
)


def _deletion(cast, **kwargs):
    return data_request(
        status=Status.IN_REVIEW, customer=cast.customer, kind=Kind.DELETION, **kwargs
    )


def _untouched(cast, req):
    customer = User.objects.get(pk=cast.customer.pk)
    req.refresh_from_db()
    return (
        customer.is_active,
        customer.email,
        customer.full_name,
        req.status,
    ) == (True, "alice@example.jp", "山田 アリス", Status.IN_REVIEW)


@pytest.mark.clause("LW-5", "LW-6.1")
@pytest.mark.parametrize("who", ["agent", "administrator"])
def test_staff_cannot_erase_a_whole_account_alone(cast, who):
    req = _deletion(cast, details=WHOLE)
    actor = getattr(cast, who)
    with translation.override("en"), pytest.raises(RequestError) as caught:
        erasure.deletion_carry_out(request_id=req.pk, actor=actor)
    assert str(caught.value) == NEEDS_APPROVAL
    # Nor through the generic close form, as "fulfilled", which would erase nothing.
    with translation.override("en"), pytest.raises(RequestError) as caught:
        workflow.request_close(
            request_id=req.pk, actor=actor, outcome=Outcome.FULFILLED, reason="削除しました。"
        )
    assert str(caught.value) == NEEDS_APPROVAL
    assert _untouched(cast, req)
    assert not AuditEvent.objects.filter(action="requests.account.erased").exists()


@pytest.mark.clause("LW-5", "LW-6.1")
def test_a_deletion_of_chosen_items_needs_no_approval(cast):
    req = _deletion(cast, details={"scope": "items", "data_items": ["phone"]})
    erasure.deletion_carry_out(request_id=req.pk, actor=cast.agent)
    req.refresh_from_db()
    assert (req.status, req.outcome) == (Status.CLOSED, Outcome.FULFILLED)


@pytest.mark.clause("LW-5", "LW-6.1")
def test_an_administrator_other_than_who_asked_approves_and_the_account_is_erased(cast):
    req = _deletion(cast, details=WHOLE)
    approval = approvals.approval_ask(
        request_id=req.pk, actor=cast.agent, kind="erasure", reason="本人確認済みです。"
    )
    assert approval.status == ApprovalStatus.PENDING
    # Still not erasable by staff while it waits.
    with pytest.raises(RequestError):
        erasure.deletion_carry_out(request_id=req.pk, actor=cast.agent)
    approvals.approval_decide(approval_id=approval.pk, actor=cast.administrator, approve=True)
    approval.refresh_from_db()
    req.refresh_from_db()
    erased = User.objects.get(pk=cast.customer.pk)
    assert (approval.status, approval.decided_by) == (ApprovalStatus.APPROVED, cast.administrator)
    assert (req.status, req.outcome) == (Status.CLOSED, Outcome.FULFILLED)
    assert not erased.is_active and erased.email.endswith("@erased.invalid")
    assert AuditEvent.objects.filter(
        action="portal.approval.approved", actor=cast.administrator
    ).exists()
    assert AuditEvent.objects.filter(
        action="requests.account.erased", actor=cast.administrator
    ).exists()


@pytest.mark.clause("LW-5")
def test_the_administrator_who_asked_cannot_approve_their_own_erasure(cast):
    req = _deletion(cast, details=WHOLE)
    approval = approvals.approval_ask(
        request_id=req.pk, actor=cast.administrator, kind="erasure", reason="至急。"
    )
    with translation.override("en"), pytest.raises(RequestError, match="another privacy admin"):
        approvals.approval_decide(approval_id=approval.pk, actor=cast.administrator, approve=True)
    assert _untouched(cast, req)
    # Another administrator can.
    second = factories.administrator(email="erin@example.jp")
    approvals.approval_decide(approval_id=approval.pk, actor=second, approve=True)
    req.refresh_from_db()
    assert req.status == Status.CLOSED


@pytest.mark.clause("LW-5")
def test_staff_who_are_not_administrators_cannot_approve(cast):
    req = _deletion(cast, details=WHOLE)
    approval = approvals.approval_ask(
        request_id=req.pk, actor=cast.administrator, kind="erasure", reason="確認済み。"
    )
    with pytest.raises(RequestError):
        approvals.approval_decide(approval_id=approval.pk, actor=cast.agent, approve=True)
    assert _untouched(cast, req)
    assert Approval.objects.get(pk=approval.pk).status == ApprovalStatus.PENDING


@pytest.mark.clause("LW-5")
def test_an_approval_asked_and_decided_by_the_same_person_cannot_exist(cast):
    """Not even written straight to the database: who decided must not be who asked."""
    from tests.requests.factories import erasure_approved

    req = _deletion(cast, details=WHOLE)
    with pytest.raises(IntegrityError), transaction.atomic():
        erasure_approved(req, asked_by=cast.administrator, decided_by=cast.administrator)
    with pytest.raises(RequestError):
        erasure.deletion_carry_out(request_id=req.pk, actor=cast.agent)
    assert _untouched(cast, req)


@pytest.mark.clause("LW-5")
def test_a_refused_erasure_rolls_the_approval_back(cast):
    """If the erasure cannot happen (another request is open), the approval stays pending."""
    other = data_request(status=Status.VERIFYING, customer=cast.customer, kind=Kind.INQUIRY)
    req = _deletion(cast, details=WHOLE)
    approval = approvals.approval_ask(
        request_id=req.pk, actor=cast.agent, kind="erasure", reason="確認済み。"
    )
    with pytest.raises(RequestError, match=other.reference):
        approvals.approval_decide(approval_id=approval.pk, actor=cast.administrator, approve=True)
    assert Approval.objects.get(pk=approval.pk).status == ApprovalStatus.PENDING
    assert _untouched(cast, req)


@pytest.mark.clause("LW-5")
def test_an_erasure_approval_is_only_for_a_whole_account_deletion(cast):
    req = _deletion(cast, details={"scope": "items", "data_items": ["phone"]})
    with pytest.raises(RequestError):
        approvals.approval_ask(request_id=req.pk, actor=cast.agent, kind="erasure", reason="x")
    assert not Approval.objects.exists()


@pytest.mark.clause("LW-5", "LW-6.1")
def test_the_pages_ask_then_approve(cast, client):
    req = _deletion(cast, details=WHOLE)
    client.force_login(cast.agent)
    detail = reverse("requests:staff_detail", kwargs={"pk": req.pk})
    page = client.get(detail).content.decode()
    assert 'data-testid="erasure-ask"' in page
    assert "name='deletion'" not in page and "/act/deletion/" not in page
    response = client.post(
        reverse("requests:staff_action", kwargs={"pk": req.pk, "name": "erasure_ask"}),
        {"erasure-reason": "本人確認済み、他の請求はありません。"},
    )
    assert response.status_code == 302
    assert 'data-testid="erasure-pending"' in client.get(detail).content.decode()
    # Staff cannot post the erasure directly either.
    client.post(reverse("requests:staff_action", kwargs={"pk": req.pk, "name": "deletion"}))
    assert _untouched(cast, req)

    approval = Approval.objects.get(request=req, kind="erasure")
    client.force_login(cast.administrator)
    url = reverse("requests:staff_approval", kwargs={"pk": approval.pk})
    assert 'data-testid="erasure-warning"' in client.get(url).content.decode()
    response = client.post(url, {"decision": "approve", "comment": ""})
    assert response.status_code == 302
    req.refresh_from_db()
    assert (req.status, req.outcome) == (Status.CLOSED, Outcome.FULFILLED)
    assert not User.objects.get(pk=cast.customer.pk).is_active
