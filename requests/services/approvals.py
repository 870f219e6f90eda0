"""Approvals about a request by a privacy administrator (LW-5, LW-6.2, LW-6.3, LW-6.4):
staff ask for a fee waiver, an extension or an erasure here (a decision is asked through the
workflow), and `approval_decided` carries out what the one approval service
(`portal.approvals`) decided.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from portal import approvals
from portal.models import Approval, ApprovalStatus, User
from requests import workflow
from requests.errors import RequestError
from requests.models import ApprovalKind, TimelineEntry
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
            if not workflow.can_decide(req):
                raise RequestError(
                    _("Confirm the requester's identity before asking to erase the account.")
                )
        try:
            approval = approvals.ask(kind=kind, subject=req, actor=actor, reason=reason, days=days)
        except approvals.ApprovalError as exc:
            raise RequestError(str(exc)) from None
        TimelineEntry.objects.create(request=req, event=f"{kind}_ask", actor=actor, note=reason)
    return approval


def approval_decide(*, approval_id: int, actor: User, approve: bool, comment: str = "") -> Approval:
    """A privacy administrator approves or returns what staff asked about a request (LW-5),
    through the one approval service; `approval_decided` below carries the decision out."""
    try:
        return approvals.decide(
            approval_id=approval_id, actor=actor, approve=approve, comment=comment
        )
    except approvals.ApprovalError as exc:
        raise RequestError(str(exc)) from None


def approval_decided(approval: Approval, actor: User) -> None:
    """What a decided approval of a request does, in the decision's transaction (registered
    as the `on_decided` of the request kinds in requests/apps.py). A decision is approved
    or returned through the workflow (approving closes the request); an approved erasure is
    carried out (the workflow checks the approval, recorded just before); a waiver and an
    extension call the same workflow services as the admin actions."""
    req_id = approval.subject_id
    approve = approval.status == ApprovalStatus.APPROVED
    if approval.kind == ApprovalKind.DECISION:
        if approve:
            workflow.request_approve(request_id=req_id, actor=actor)
        else:
            workflow.request_approval_return(
                request_id=req_id, actor=actor, comment=approval.comment
            )
        return
    if approve and approval.kind == ApprovalKind.ERASURE:
        erasure.deletion_carry_out(request_id=req_id, actor=actor)
    elif approve and approval.kind == ApprovalKind.WAIVER:
        workflow.request_fee_waive(request_id=req_id, actor=actor, reason=approval.reason)
    elif approve and approval.kind == ApprovalKind.EXTENSION:
        workflow.request_extension_grant(
            request_id=req_id, actor=actor, days=approval.days or 0, reason=approval.reason
        )
    elif not approve:
        TimelineEntry.objects.create(
            request_id=req_id, event=f"{approval.kind}_return", actor=actor, note=approval.comment
        )
