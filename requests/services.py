"""Every write of the requests app except status changes, which live in `workflow.py`.

Keyword-only, typed, each in one transaction; errors are `RequestError` with a message that
can be shown as it is.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import User
from portal.services import audit_record, mail_queue
from requests import clock, selectors, workflow
from requests.errors import DuplicateRequestError, RequestError
from requests.models import (
    CHARGEABLE_KINDS,
    DEFAULT_SLA_DAYS,
    DataRequest,
    DayMode,
    DeliveryMethod,
    DocumentPurpose,
    DocumentType,
    FeeSchedule,
    FeeStatus,
    Kind,
    ReferenceCounter,
    RequestDocument,
    RequestMessage,
    SLAConfig,
    Status,
    TimelineEntry,
)

# --- reference numbers ----------------------------------------------------------------------


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


# --- deadlines and fees ----------------------------------------------------------------------


def sla_for(kind: str) -> tuple[int, str]:
    """(days, mode) configured for a kind; 14 calendar days when nothing is configured."""
    config = SLAConfig.objects.filter(kind=kind).first()
    if config is None:
        return DEFAULT_SLA_DAYS, DayMode.CALENDAR
    return config.days, config.day_mode


def fee_for(*, kind: str, delivery_method: str) -> int | None:
    """The fee in yen that applies to a new request, or None (LW-6.4)."""
    if kind not in CHARGEABLE_KINDS:
        return None
    fee = FeeSchedule.objects.filter(kind=kind, delivery_method=delivery_method).first()
    return fee.amount_yen if fee and fee.amount_yen > 0 else None


# --- uploads --------------------------------------------------------------------------------

_SIGNATURES = (
    (b"%PDF-", DocumentType.PDF, "pdf"),
    (b"\xff\xd8\xff", DocumentType.JPEG, "jpg"),
    (b"\x89PNG\r\n\x1a\n", DocumentType.PNG, "png"),
)


def document_max_bytes() -> int:
    return int(getattr(settings, "REQUESTS_DOCUMENT_MAX_BYTES", 5 * 1024 * 1024))


def private_storage() -> FileSystemStorage:
    """Identity documents live outside any public root (settings.PRIVATE_STORAGE_ROOT)."""
    return FileSystemStorage(location=str(settings.PRIVATE_STORAGE_ROOT / "requests"))


def sniff_type(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the file's first bytes, or None if not accepted."""
    for magic, content_type, ext in _SIGNATURES:
        if head.startswith(magic):
            return content_type, ext
    return None


def safe_display_name(name: str) -> str:
    """The last part of a client-supplied file name, for display only: no folders, no
    control characters, at most 120 characters."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"/\\|?*')
    base = base.strip(". ") or "document"
    return base[-120:]


def _validate_upload(upload: UploadedFile) -> tuple[bytes, str, str]:
    limit = document_max_bytes()
    if upload.size is not None and upload.size > limit:
        raise RequestError(
            _("The file is too large: at most %(limit)s.") % {"limit": filesizeformat(limit)}
        )
    data = b"".join(upload.chunks())
    if len(data) > limit:
        raise RequestError(
            _("The file is too large: at most %(limit)s.") % {"limit": filesizeformat(limit)}
        )
    if not data:
        raise RequestError(_("The file is empty."))
    sniffed = sniff_type(data[:16])
    if sniffed is None:
        raise RequestError(
            _("Upload a PDF, JPEG or PNG file. This file's content is not one of them.")
        )
    return data, sniffed[0], sniffed[1]


def _document_store(
    *, request: DataRequest, uploaded_by: User, upload: UploadedFile, purpose: str
) -> RequestDocument:
    """Check and store one upload; the caller is inside a transaction and removes the file if
    that transaction fails (see `_discard_on_error`)."""
    data, content_type, ext = _validate_upload(upload)
    # A random name: the client's file name never reaches the file system.
    stored_name = f"{secrets.token_hex(16)}.{ext}"
    saved = private_storage().save(stored_name, ContentFile(data))
    try:
        return RequestDocument.objects.create(
            request=request,
            purpose=purpose,
            uploaded_by=uploaded_by,
            stored_name=saved,
            display_name=safe_display_name(upload.name or ""),
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
    except Exception:
        private_storage().delete(saved)
        raise


def _discard_files(names: list[str]) -> None:
    storage = private_storage()
    for name in names:
        if storage.exists(name):
            storage.delete(name)


# --- filing --------------------------------------------------------------------------------


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
) -> DataRequest:
    """File a request for a signed-in customer (LW-6.1, LW-10), or for someone they act for
    with a power of attorney. Copies the SLA and the fee that apply now, gives the request
    its reference and sends the receipt. An open request of the same kind (for the same
    person) is refused with a link to it."""
    if kind not in Kind.values:
        raise RequestError(_("Choose what kind of request this is."))
    if delivery_method not in DeliveryMethod.values:
        raise RequestError(_("Choose how you want to receive the answer."))
    principal_name = principal_name.strip()
    if on_behalf and (not principal_name or power_of_attorney is None):
        raise RequestError(
            _("An agent must name the person they act for and attach a power of attorney.")
        )
    stored: list[str] = []
    try:
        with transaction.atomic():
            # Filings of one customer are serialised, so the duplicate check holds.
            User.objects.select_for_update().filter(pk=customer.pk).first()
            _refuse_duplicate(customer=customer, kind=kind, principal_name=principal_name)
            received_at = timezone.now()
            days, mode = sla_for(kind)
            fee = fee_for(kind=kind, delivery_method=delivery_method)
            req = DataRequest(
                reference=reference_allocate(at=received_at),
                kind=kind,
                customer=customer,
                on_behalf=on_behalf,
                principal_name=principal_name if on_behalf else "",
                principal_relationship=principal_relationship.strip() if on_behalf else "",
                details=dict(details),
                delivery_method=delivery_method,
                received_at=received_at,
                sla_days=days,
                sla_day_mode=mode,
                due_at=clock.due_at(received_at=received_at, days=days, mode=mode),
                fee_yen=fee,
                fee_status=FeeStatus.NONE,
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
                doc = _document_store(
                    request=req,
                    uploaded_by=customer,
                    upload=power_of_attorney,
                    purpose=DocumentPurpose.POWER_OF_ATTORNEY,
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
                    "url": reverse("requests:detail", kwargs={"reference": req.reference}),
                },
            )
    except Exception:
        _discard_files(stored)
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


# --- messages ------------------------------------------------------------------------------


def message_post(*, request: DataRequest, author: User, body: str) -> RequestMessage:
    """A message on a request, from the customer or from privacy staff, with a mail notice to
    the other side. A customer's reply while we wait on them starts the clock again (LW-6.2).
    A staff message is a staff action and is audited (LW-5)."""
    body = body.strip()
    if not body:
        raise RequestError(_("Write a message."))
    if len(body) > 5000:
        raise RequestError(_("A message is at most 5,000 characters."))
    from_staff = author.pk != request.customer_id
    if from_staff and not author.is_privacy_staff:
        raise RequestError(_("Only privacy staff can write to the customer."))
    with transaction.atomic():
        locked = DataRequest.objects.select_for_update().get(pk=request.pk)
        if not from_staff and not locked.is_open:
            raise RequestError(
                _("This request is closed. Please file a new request or an inquiry.")
            )
        message = RequestMessage.objects.create(
            request=locked, author=author, from_staff=from_staff, body=body
        )
        TimelineEntry.objects.create(
            request=locked,
            event="message_from_staff" if from_staff else "message_from_customer",
            actor=author,
        )
        if from_staff:
            audit_record(
                actor=author,
                action="requests.message.sent",
                target=locked,
                payload={"reference": locked.reference, "message": message.pk},
            )
            customer = request.customer
            mail_queue(
                to=customer.email,
                language=customer.preferred_language,
                template="requests/message_to_customer",
                context={
                    "request": locked,
                    "url": reverse("requests:detail", kwargs={"reference": locked.reference}),
                },
            )
        else:
            _notify_staff(locked, template="requests/message_to_staff")
            if locked.status == Status.AWAITING_CUSTOMER:
                workflow.request_customer_respond(request_id=locked.pk, actor=author)
    return message


def _notify_staff(req: DataRequest, *, template: str) -> None:
    """Tell the assignee, or every privacy staff member while nobody is assigned."""
    recipients = [req.assignee] if req.assignee_id else list(selectors.privacy_staff())
    url = reverse("requests:staff_detail", kwargs={"pk": req.pk})
    for person in recipients:
        if person is None or not person.is_active:
            continue
        mail_queue(
            to=person.email,
            language=person.preferred_language,
            template=template,
            context={"request": req, "url": url},
        )


# --- identity documents --------------------------------------------------------------------


def document_upload(
    *,
    request: DataRequest,
    uploaded_by: User,
    upload: UploadedFile,
    purpose: str = DocumentPurpose.IDENTITY,
) -> RequestDocument:
    """The customer uploads an identity document (LW-6.3 ground 4): PDF, JPEG or PNG by its
    content, within the size limit, stored privately under a random name. Staff are told; if
    we were waiting on the customer, the clock runs again."""
    if uploaded_by.pk != request.customer_id:
        raise RequestError(_("Only the customer who filed a request can upload to it."))
    if purpose not in DocumentPurpose.values:
        raise RequestError(_("Choose what the document is."))
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = DataRequest.objects.select_for_update().get(pk=request.pk)
            if not locked.is_open:
                raise RequestError(_("This request is closed; nothing can be added to it."))
            doc = _document_store(
                request=locked, uploaded_by=uploaded_by, upload=upload, purpose=purpose
            )
            stored.append(doc.stored_name)
            TimelineEntry.objects.create(
                request=locked, event="document_uploaded", actor=uploaded_by
            )
            _notify_staff(locked, template="requests/document_to_staff")
            if locked.status == Status.AWAITING_CUSTOMER:
                workflow.request_customer_respond(request_id=locked.pk, actor=uploaded_by)
    except Exception:
        _discard_files(stored)
        raise
    return doc


def document_open(*, document: RequestDocument, viewer: User):
    """Open a stored document for its owner or privacy staff, with an audit event for every
    opening (LW-5). The caller has checked access; this refuses anyone else as well."""
    if viewer.pk != document.request.customer_id and not viewer.is_privacy_staff:
        raise RequestError(_("You cannot open this document."))
    if document.deleted_at is not None:
        raise RequestError(_("This document was deleted after its retention period."))
    audit_record(
        actor=viewer,
        action="requests.document.viewed",
        target=document,
        payload={
            "reference": document.request.reference,
            "by_owner": viewer.pk == document.request.customer_id,
        },
    )
    return private_storage().open(document.stored_name, "rb")


def request_staff_view_record(*, request: DataRequest, viewer: User) -> None:
    """A staff view of a customer's request is itself audited (LW-5)."""
    audit_record(
        actor=viewer,
        action="requests.request.viewed",
        target=request,
        payload={"reference": request.reference},
    )
