"""Approvals of waivers, extensions and erasures by a privacy administrator (LW-5, LW-6.2,
LW-6.4).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import User
from portal.services import audit_record
from requests import workflow
from requests.errors import RequestError
from requests.models import Approval, ApprovalKind, ApprovalStatus, Status, TimelineEntry
from requests.services import common, erasure


def approval_ask(
    *, request_id: int, actor: User, kind: str, reason: str, days: int | None = None
) -> Approval:
    """Staff ask a privacy administrator to waive the fee, extend the deadline, or erase a
    whole account (LW-5: erasing an account is not one staff member's decision alone)."""
    if not actor.is_privacy_staff:
        raise RequestError(_("Only privacy staff can do this."))
    if kind not in (ApprovalKind.WAIVER, ApprovalKind.EXTENSION, ApprovalKind.ERASURE):
        raise RequestError(_("A decision goes to approval through the decision form."))
    reason = reason.strip()
    if not reason:
        raise RequestError(_("Give a reason."))
    with transaction.atomic():
        req = common.lock(request_id)
        if not req.is_open:
            raise RequestError(_("Request %(reference)s is closed.") % {"reference": req.reference})
        if kind == ApprovalKind.WAIVER and not req.fee_payable:
            raise RequestError(_("There is no fee waiting for payment to waive."))
        if kind == ApprovalKind.EXTENSION and (days is None or not 1 <= days <= 60):
            raise RequestError(_("An extension is between 1 and 60 days."))
        if kind == ApprovalKind.ERASURE:
            if not workflow.whole_account_deletion(req):
                raise RequestError(_("Only a request to delete the whole account needs this."))
            if req.status != Status.IN_REVIEW:
                raise RequestError(
                    _("Confirm the requester's identity before asking to erase the account.")
                )
        if req.approvals.filter(kind=kind, status=ApprovalStatus.PENDING).exists():
            raise RequestError(_("This is already waiting for approval."))
        approval = Approval.objects.create(
            request=req, kind=kind, asked_by=actor, reason=reason, days=days
        )
        TimelineEntry.objects.create(request=req, event=f"{kind}_ask", actor=actor, note=reason)
        audit_record(
            actor=actor,
            action=f"requests.approval.{kind}_asked",
            target=req,
            payload={"reference": req.reference, "approval": approval.pk, "days": days},
        )
    return approval


def approval_decide(*, approval_id: int, actor: User, approve: bool, comment: str = "") -> Approval:
    """A privacy administrator approves or returns what staff asked (LW-5). Nobody approves
    their own request. A decision is approved through the workflow (it closes the request);
    a waiver and an extension call the same workflow services as the admin actions."""
    if not actor.is_privacy_admin:
        raise RequestError(_("Only a privacy administrator can do this."))
    comment = comment.strip()
    if not approve and not comment:
        raise RequestError(_("Write a comment for the staff member who asked."))
    with transaction.atomic():
        approval = Approval.objects.select_for_update().get(pk=approval_id)
        if approval.status != ApprovalStatus.PENDING:
            raise RequestError(_("This was already decided by someone else."))
        if approval.asked_by_id == actor.pk:
            raise RequestError(
                _("You asked for this yourself; another privacy administrator must decide.")
            )
        req_id = approval.request_id
        if approval.kind == ApprovalKind.DECISION:
            if approve:
                workflow.request_approve(request_id=req_id, actor=actor)
            else:
                workflow.request_approval_return(request_id=req_id, actor=actor, comment=comment)
            approval.refresh_from_db()
            return approval
        if approval.kind == ApprovalKind.ERASURE and approve:
            # Recorded as approved first, in this transaction: the workflow checks it before
            # it closes the request as fulfilled. If the erasure is refused, all rolls back.
            approval.status = ApprovalStatus.APPROVED
            approval.decided_by, approval.decided_at = actor, timezone.now()
            approval.comment = comment
            approval.save(update_fields=["status", "decided_by", "decided_at", "comment"])
            audit_record(
                actor=actor,
                action="requests.approval.erasure_approved",
                target=approval.request,
                payload={"approval": approval.pk},
            )
            erasure.deletion_carry_out(request_id=req_id, actor=actor)
            return approval
        if approve and approval.kind == ApprovalKind.WAIVER:
            workflow.request_fee_waive(request_id=req_id, actor=actor, reason=approval.reason)
        elif approve and approval.kind == ApprovalKind.EXTENSION:
            workflow.request_extension_grant(
                request_id=req_id, actor=actor, days=approval.days or 0, reason=approval.reason
            )
        approval.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.RETURNED
        approval.decided_by, approval.decided_at = actor, timezone.now()
        approval.comment = comment
        approval.save(update_fields=["status", "decided_by", "decided_at", "comment"])
        if not approve:
            TimelineEntry.objects.create(
                request_id=req_id, event=f"{approval.kind}_return", actor=actor, note=comment
            )
            audit_record(
                actor=actor,
                action=f"requests.approval.{approval.kind}_returned",
                target=approval.request,
                payload={"approval": approval.pk},
            )
    return approval
