"""The requests app's kinds of approval (portal.approvals), registered at start-up from
requests/apps.py: a partial or refused decision, a fee waiver, a deadline extension and the
erasure of a whole account. What approving each does is `services.approvals.approval_decided`."""

from __future__ import annotations

from django.urls import reverse

from portal import approval_kinds
from portal.models import Approval
from requests.models import ApprovalKind, DataRequest
from requests.services import approvals


def _describe(approval: Approval) -> dict:
    req: DataRequest = approval.subject
    detail = ""
    if approval.kind == ApprovalKind.DECISION and req.outcome:
        detail = req.get_outcome_display()
    return {
        "reference": req.reference,
        "customer": str(req.customer) if req.customer_id else "",
        "detail": detail,
        "url": reverse("requests:staff_approval", kwargs={"pk": approval.pk}),
    }


def _subjects():
    return DataRequest.objects.select_related("customer")


def register() -> None:
    for code, label in ApprovalKind.choices:
        approval_kinds.register(
            approval_kinds.Kind(
                code=code,
                label=label,
                subject="requests.DataRequest",
                on_decided=approvals.approval_decided,
                describe=_describe,
                subjects=_subjects,
            )
        )
