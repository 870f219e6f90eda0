"""Filing a request: the reference number, the duplicate check, the first documents."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import User
from portal.services import audit_record, mail_queue
from requests import clock, principals, selectors
from requests.errors import DuplicateRequestError, RequestError
from requests.models import (
    DataRequest,
    DeliveryMethod,
    FeeStatus,
    Kind,
    ReferenceCounter,
    Representation,
    Status,
    TimelineEntry,
)
from requests.services import deadlines, documents, fees


def reference_allocate(*, at: datetime) -> str:
    """The next reference of the year in Tokyo, e.g. `DR-2026-000123`.

    The year's counter row is created if missing (a conflict-free insert), then locked with
    SELECT ... FOR UPDATE, so two filings at once get different numbers; a rolled-back filing
    may leave a gap, never a duplicate (the column is unique as well)."""
    year = at.astimezone(clock.TOKYO).year
    with transaction.atomic():
        ReferenceCounter.objects.bulk_create([ReferenceCounter(year=year)], ignore_conflicts=True)
        counter = ReferenceCounter.objects.select_for_update().get(year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"DR-{year}-{counter.last:06d}"


def filing_terms(*, kind: str, delivery_method: str, received_at) -> dict[str, Any]:
    """What a request takes from the configuration when it is filed, however it reached us:
    the kind's SLA copied (a later change affects new requests only, LW-6.2), the due date
    from it, and the schedule's fee, not yet quoted (LW-6.4)."""
    days, mode = deadlines.sla_for(kind)
    return {
        "received_at": received_at,
        "sla_days": days,
        "sla_day_mode": mode,
        "due_at": clock.due_at(received_at=received_at, days=days, mode=mode),
        "fee_yen": fees.fee_for(kind=kind, delivery_method=delivery_method),
        "fee_status": FeeStatus.NONE,
    }


def request_file(
    *,
    customer: User,
    kind: str,
    details: Mapping[str, Any],
    delivery_method: str = DeliveryMethod.ELECTRONIC,
    on_behalf: bool = False,
    principal_name: str = "",
    principal_relationship: str = "",
    power_of_attorney: UploadedFile | None = None,
    representation: str = Representation.AGENT,
) -> DataRequest:
    """File a request for a signed-in customer (LW-6.1, LW-10), or for someone they act for
    with a power of attorney. Copies the SLA and the fee that apply now, gives the request
    its reference and sends the receipt. An open request of the same kind (for the same
    person) is refused with a link to it."""
    if kind not in Kind.values:
        raise RequestError(_("Choose what kind of request this is."))
    if delivery_method not in DeliveryMethod.values:
        raise RequestError(_("Choose how you want to receive the answer."))
    # A name posted without the agent box ticked is not an agent's filing: it must not
    # steer the duplicate check towards agent filings (the index would then refuse it).
    principal_name = principal_name.strip() if on_behalf else ""
    if on_behalf and (not principal_name or power_of_attorney is None):
        raise RequestError(
            _("An agent must name the person they act for and attach a power of attorney.")
        )
    if on_behalf and representation not in Representation.values:
        raise RequestError(_("Choose how you act for the person."))
    stored: list[str] = []
    try:
        with transaction.atomic():
            # Filings of one customer are serialised, so the duplicate check holds.
            User.objects.select_for_update().filter(pk=customer.pk).first()
            _refuse_duplicate(customer=customer, kind=kind, principal_name=principal_name)
            received_at = timezone.now()
            req = DataRequest(
                reference=reference_allocate(at=received_at),
                kind=kind,
                customer=customer,
                on_behalf=on_behalf,
                principal_name=principal_name if on_behalf else "",
                principal_relationship=principal_relationship.strip() if on_behalf else "",
                representation=representation if on_behalf else "",
                details=dict(details),
                delivery_method=delivery_method,
                **filing_terms(kind=kind, delivery_method=delivery_method, received_at=received_at),
            )
            try:
                with transaction.atomic():
                    req.save()
            except IntegrityError:
                # The partial unique index caught a duplicate filed at the same moment.
                _refuse_duplicate(customer=customer, kind=kind, principal_name=principal_name)
                raise
            TimelineEntry.objects.create(
                request=req, event="submitted", to_status=Status.SUBMITTED, actor=customer
            )
            if on_behalf and power_of_attorney is not None:
                doc = documents.document_store(
                    request=req,
                    uploaded_by=customer,
                    upload=power_of_attorney,
                    purpose=principals.authority_document(req),
                )
                stored.append(doc.stored_name)
            audit_record(
                actor=customer,
                action="requests.request.filed",
                target=req,
                payload={"reference": req.reference, "kind": kind, "on_behalf": on_behalf},
            )
            mail_queue(
                to=customer.email,
                language=customer.preferred_language,
                template="requests/receipt",
                context={
                    "request": req,
                    "recipient": principals.filer_addressee(req),
                    "url": reverse("requests:detail", kwargs={"reference": req.reference}),
                },
            )
    except Exception:
        documents.discard_files(stored)
        raise
    return req


def _refuse_duplicate(*, customer: User, kind: str, principal_name: str) -> None:
    existing = selectors.open_request_of_kind(
        customer=customer, kind=kind, principal_name=principal_name
    )
    if existing is not None:
        raise DuplicateRequestError(
            _("You already have an open request of this kind: %(reference)s.")
            % {"reference": existing.reference},
            existing=existing,
        )
