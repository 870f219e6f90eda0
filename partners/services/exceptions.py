"""Exceptions B-F to the consent rule (LW-4.1): asked, approved or rejected once."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consents.models import Purpose
from consents.services import consent_lock
from partners.errors import PartnerError
from partners.models import (
    Basis,
    DataItem,
    ExceptionRequest,
    ExceptionStatus,
    Partner,
    ProvisionRecord,
)
from partners.services import records
from portal.models import User
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
    return request


@transaction.atomic
def exception_approve(
    *, exception: ExceptionRequest, actor: User, note: str = ""
) -> ProvisionRecord:
    """A privacy administrator other than the requester approves: the provision is made
    and recorded in the same transaction (LW-4.1)."""
    # The customer's consent lock first, as every provision takes it (no lock-order
    # inversion with provision_record, which takes it before the exception's row).
    customer_id = ExceptionRequest.objects.values_list("customer_id", flat=True).get(
        pk=exception.pk
    )
    if customer_id is not None:
        consent_lock(customer=customer_id)
    locked = ExceptionRequest.objects.select_for_update().get(pk=exception.pk)
    if locked.status != ExceptionStatus.PENDING:
        raise PartnerError(_("This exception has already been decided."))
    if not actor.is_privacy_admin:
        raise PartnerError(_("Only a privacy administrator can approve an exception."))
    if actor.pk == locked.requested_by_id:
        raise PartnerError(_("Another administrator must approve your own request."))
    locked.status = ExceptionStatus.PROVIDED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_note = note.strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    record = records.provision_record(
        customer=locked.customer,
        partner=locked.partner,
        purpose=locked.purpose,
        items=locked.data_items,
        actor=actor,
        exception=locked,
    )
    audit_record(
        actor=actor,
        action="partners.exception.approved",
        target=locked,
        payload={"record": record.pk, "basis": locked.basis},
    )
    exception.status, exception.decided_by = locked.status, locked.decided_by
    exception.decided_at, exception.decision_note = locked.decided_at, locked.decision_note
    return record


@transaction.atomic
def exception_reject(*, exception: ExceptionRequest, actor: User, note: str) -> ExceptionRequest:
    """A privacy administrator refuses an exception; nothing is provided."""
    locked = ExceptionRequest.objects.select_for_update().get(pk=exception.pk)
    if locked.status != ExceptionStatus.PENDING:
        raise PartnerError(_("This exception has already been decided."))
    if not actor.is_privacy_admin:
        raise PartnerError(_("Only a privacy administrator can decide an exception."))
    if not note.strip():
        raise PartnerError(_("Say why the exception is rejected."))
    locked.status = ExceptionStatus.REJECTED
    locked.decided_by = actor if actor.pk != locked.requested_by_id else None
    locked.decided_at = timezone.now()
    locked.decision_note = note.strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        actor=actor,
        action="partners.exception.rejected",
        target=locked,
        payload={"basis": locked.basis},
    )
    return locked


def exception_view_record(*, viewer: User, exception: ExceptionRequest) -> None:
    """Staff opened an exception provision, which names a customer (LW-5)."""
    audit_record(
        actor=viewer,
        action="partners.exception.viewed",
        target=exception,
        payload={"customer": exception.customer_id},
    )
