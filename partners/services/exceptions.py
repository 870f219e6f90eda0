"""Exceptions B-F to the consent rule (LW-4.1): asked, approved or rejected once, through the
one approval service (portal.approvals, kind "exception")."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from consents.models import Purpose
from consents.services import consent_lock
from partners.errors import PartnerError
from partners.models import (
    EXCEPTION_APPROVAL,
    Basis,
    DataItem,
    ExceptionRequest,
    Partner,
    ProvisionRecord,
)
from partners.services import records
from portal import approvals
from portal.models import ApprovalStatus, User
from portal.services import audit_record


@transaction.atomic
def exception_request(
    *,
    customer: User,
    partner: Partner,
    purpose: Purpose,
    items: Sequence[str],
    basis: str,
    justification: str,
    actor: User,
) -> ExceptionRequest:
    """Staff ask to provide data under an exception B-F of LW-4.1, with a written
    justification; nothing leaves until another privacy administrator approves."""
    if basis not in {b.value for b in Basis if b.value.startswith("exception_")}:
        raise PartnerError(_("Choose one of the exceptions B to F."))
    if len(justification.strip()) < 20:
        raise PartnerError(_("Write the justification in a few sentences (20 characters or more)."))
    if not items or set(items) - set(DataItem.values):
        raise PartnerError(_("Name one or more known data items."))
    request = ExceptionRequest.objects.create(
        customer=customer,
        partner=partner,
        purpose=purpose,
        data_items=sorted(set(items)),
        basis=basis,
        justification=justification.strip(),
        requested_by=actor,
    )
    audit_record(
        actor=actor,
        action="partners.exception.requested",
        target=request,
        payload={"basis": basis, "partner": partner.pk, "customer": customer.pk},
    )
    try:
        approvals.ask(
            kind=EXCEPTION_APPROVAL, subject=request, actor=actor, reason=request.justification
        )
    except approvals.ApprovalError as exc:
        raise PartnerError(str(exc)) from None
    return request


def _pending_approval(exception: ExceptionRequest):
    approval = (
        approvals.of(exception, kind=EXCEPTION_APPROVAL)
        .filter(status=ApprovalStatus.PENDING)
        .first()
    )
    if approval is None:
        raise PartnerError(_("This exception has already been decided."))
    return approval


@transaction.atomic
def exception_approve(
    *, exception: ExceptionRequest, actor: User, note: str = ""
) -> ProvisionRecord:
    """A privacy administrator other than the requester approves, through the one approval
    service: the provision is made and recorded in the same transaction (LW-4.1), by
    `exception_decided` below."""
    # The customer's consent lock first, as every provision takes it (no lock-order
    # inversion with provision_record, which takes it before the exception's row).
    customer_id = ExceptionRequest.objects.values_list("customer_id", flat=True).get(
        pk=exception.pk
    )
    if customer_id is not None:
        consent_lock(customer=customer_id)
    approval = _pending_approval(exception)
    try:
        approvals.decide(approval_id=approval.pk, actor=actor, approve=True, comment=note)
    except approvals.ApprovalError as exc:
        raise PartnerError(str(exc)) from None
    return ProvisionRecord.objects.get(exception_id=exception.pk)


def exception_decided(approval, actor: User) -> None:
    """What a decided exception approval does, in the decision's transaction (registered in
    partners/apps.py): approved, the provision it describes is made and recorded; returned,
    nothing is provided."""
    if approval.status != ApprovalStatus.APPROVED:
        return
    locked = ExceptionRequest.objects.select_for_update().get(pk=approval.subject_id)
    if locked.customer_id is not None:
        consent_lock(customer=locked.customer_id)
    records.provision_record(
        customer=locked.customer,
        partner=locked.partner,
        purpose=locked.purpose,
        items=locked.data_items,
        actor=actor,
        exception=locked,
    )


@transaction.atomic
def exception_reject(*, exception: ExceptionRequest, actor: User, note: str) -> ExceptionRequest:
    """A privacy administrator refuses an exception; nothing is provided."""
    if not note.strip():
        raise PartnerError(_("Say why the exception is rejected."))
    approval = _pending_approval(exception)
    try:
        approvals.decide(approval_id=approval.pk, actor=actor, approve=False, comment=note)
    except approvals.ApprovalError as exc:
        raise PartnerError(str(exc)) from None
    return ExceptionRequest.objects.get(pk=exception.pk)


def exception_view_record(*, viewer: User, exception: ExceptionRequest) -> None:
    """Staff opened an exception provision, which names a customer (LW-5)."""
    audit_record(
        actor=viewer,
        action="partners.exception.viewed",
        target=exception,
        payload={"customer": exception.customer_id},
    )
