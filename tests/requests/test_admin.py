"""The admin: SLA and fee configuration, and actions that move requests through the same
workflow services as everything else (docs/architecture.md)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.models import AuditEvent
from requests.models import DataRequest, Kind, SLAConfig, Status
from tests.requests.factories import data_request


@pytest.mark.clause("LW-6.2", "LW-5")
def test_an_admin_action_moves_the_request_through_the_workflow(cast, admin_client_):
    ready = data_request(status=Status.VERIFYING, customer=cast.customer)
    wrong = data_request(status=Status.SUBMITTED, customer=cast.other_customer)
    response = admin_client_.post(
        reverse("admin:requests_datarequest_changelist"),
        {"action": "confirm_identity", "_selected_action": [ready.pk, wrong.pk]},
        follow=True,
    )
    assert response.status_code == 200
    ready.refresh_from_db()
    wrong.refresh_from_db()
    assert ready.status == Status.IN_REVIEW
    assert wrong.status == Status.SUBMITTED  # refused by the table, with a message
    assert wrong.reference in response.content.decode()
    event = AuditEvent.objects.get(action="requests.request.identity_confirmed")
    assert event.actor == cast.administrator
    assert ready.timeline.get().event == "identity_confirm"


def test_the_admin_cannot_edit_a_request_directly(cast, admin_client_):
    req = data_request(status=Status.VERIFYING, customer=cast.customer)
    url = reverse("admin:requests_datarequest_change", args=[req.pk])
    page = admin_client_.get(url)
    assert page.status_code == 200
    admin_client_.post(url, {"status": Status.CLOSED})
    assert DataRequest.objects.get(pk=req.pk).status == Status.VERIFYING
    assert admin_client_.get(reverse("admin:requests_datarequest_add")).status_code == 403


@pytest.mark.clause("LW-6.2")
def test_sla_is_configured_in_the_admin(admin_client_):
    response = admin_client_.post(
        reverse("admin:requests_slaconfig_add"),
        {"kind": Kind.DISCLOSURE, "days": "10", "day_mode": "business"},
    )
    assert response.status_code == 302
    assert SLAConfig.objects.get(kind=Kind.DISCLOSURE).day_mode == "business"
    bad = admin_client_.post(
        reverse("admin:requests_slaconfig_add"),
        {"kind": Kind.INQUIRY, "days": "0", "day_mode": "calendar"},
    )
    assert bad.status_code == 200
    assert not SLAConfig.objects.filter(kind=Kind.INQUIRY).exists()


def test_privacy_staff_cannot_configure_fees(cast, client):
    client.force_login(cast.agent)
    assert client.get(reverse("admin:requests_feeschedule_add")).status_code == 302


def test_staff_home_links_to_the_queue_and_administrators_to_the_approvals(cast, client):
    queue, overview = reverse("requests:staff_queue"), reverse("requests:staff_overview")
    approvals = reverse("approvals")
    client.force_login(cast.administrator)
    page = client.get(reverse("staff_home")).content.decode()
    assert queue in page and overview in page and approvals in page
    client.force_login(cast.agent)
    page = client.get(reverse("staff_home")).content.decode()
    assert queue in page and overview in page and approvals not in page


@pytest.mark.clause("LW-5", "LW-6.3")
def test_admin_approval_action_uses_the_service_not_your_own(cast, client):
    from portal.models import Approval, ApprovalStatus
    from requests.models import ApprovalKind, FeeStatus
    from requests.services import approvals as request_approvals
    from tests.requests.factories import data_request as make_request

    req = make_request(status="awaiting_payment", customer=cast.customer, kind="disclosure")
    own = request_approvals.approval_ask(
        request_id=req.pk, actor=cast.administrator, kind=ApprovalKind.WAIVER, reason="Hardship"
    )
    client.force_login(cast.administrator)
    url = reverse("admin:portal_approval_changelist")
    client.post(url, {"action": "approval_approve", "_selected_action": [own.pk]})
    own.refresh_from_db()
    assert own.status == ApprovalStatus.PENDING  # refused: an administrator's own waiver
    Approval.objects.filter(pk=own.pk).update(asked_by=cast.agent)
    client.post(url, {"action": "approval_approve", "_selected_action": [own.pk]})
    own.refresh_from_db()
    req.refresh_from_db()
    assert own.status == ApprovalStatus.APPROVED and req.fee_status == FeeStatus.WAIVED


def test_the_admin_finds_a_request_by_the_requester_without_an_account(cast, admin_client_):
    found = data_request(
        customer=None,
        kind=Kind.INQUIRY,
        requester_name="郵送 太郎",
        requester_email="yuso@example.jp",
        channel="post",
        filed_by=cast.agent,
    )
    other = data_request(customer=cast.customer, kind=Kind.INQUIRY)
    url = reverse("admin:requests_datarequest_changelist")
    for query in ("yuso@example.jp", "郵送"):
        rows = admin_client_.get(url, {"q": query}).content.decode().split('id="result_list"')[1]
        assert found.reference in rows and other.reference not in rows
