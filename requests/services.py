"""Every write of the requests app except status changes, which live in `workflow.py`.

Keyword-only, typed, each in one transaction; errors are `RequestError` with a message that
can be shown as it is.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import selectors as portal_selectors
from portal.models import User
from portal.services import audit_record, mail_queue
from portal.signals import account_erased
from requests import clock, principals, selectors, uploads, workflow
from requests.errors import DuplicateRequestError, RequestError
from requests.models import (
    CHARGEABLE_KINDS,
    DEFAULT_SLA_DAYS,
    OPEN_STATUSES,
    Approval,
    ApprovalKind,
    ApprovalStatus,
    DataRequest,
    DayMode,
    DecisionItem,
    DeliveryMethod,
    DisclosurePackage,
    DocumentPurpose,
    FeePayment,
    FeeSchedule,
    FeeStatus,
    Ground,
    Kind,
    Outcome,
    PackageStatus,
    ReferenceCounter,
    Representation,
    RequestDocument,
    RequestMessage,
    SLAConfig,
    Status,
    TimelineEntry,
)

logger = logging.getLogger(__name__)

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


def document_max_bytes() -> int:
    return uploads.document_max_bytes()


def private_storage() -> FileSystemStorage:
    """Identity documents live outside any public root (settings.PRIVATE_STORAGE_ROOT)."""
    return FileSystemStorage(location=str(settings.PRIVATE_STORAGE_ROOT / "requests"))


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
    sniffed = uploads.accepted_type(data)
    if sniffed is None:
        raise RequestError(
            _("Upload a PDF, JPEG or PNG file. This file's content is not one of them.")
        )
    if uploads.carries_another(data, sniffed[0]):
        raise RequestError(
            _(
                "This file carries something besides the document, such as a web page or a "
                "script. Save it again as a plain PDF, JPEG or PNG and upload that."
            )
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
            days, mode = sla_for(kind)
            fee = fee_for(kind=kind, delivery_method=delivery_method)
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


def message_post(
    *, request: DataRequest, author: User, body: str, client_token: uuid.UUID | None = None
) -> RequestMessage:
    """A message on a request, from the customer or from privacy staff, with a mail notice to
    the other side. A customer's reply while we wait on them starts the clock again (LW-6.2).
    A staff message is a staff action and is audited (LW-5). A second post with the same
    `client_token` (a double submit of one form) returns the first message and does nothing."""
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
        if client_token is not None:
            # Under the request's lock, so of two submits at once the second finds the first.
            posted = RequestMessage.objects.filter(
                request=locked, client_token=client_token
            ).first()
            if posted is not None:
                return posted
        if not from_staff and not locked.is_open:
            raise RequestError(
                _("This request is closed. Please file a new request or an inquiry.")
            )
        message = RequestMessage.objects.create(
            request=locked,
            author=author,
            from_staff=from_staff,
            body=body,
            client_token=client_token,
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
    recipients = [req.assignee] if req.assignee_id else list(portal_selectors.privacy_staff())
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


# --- the back-office (issue 5) ------------------------------------------------------------------


def _lock(request_id: int) -> DataRequest:
    return DataRequest.objects.select_for_update().select_related("customer").get(pk=request_id)


def request_assign(
    *,
    request_id: int,
    actor: User,
    assignee: User | None,
    expected_assignee_id: int | None,
) -> DataRequest:
    """Claim, assign or reassign an open request (LW-5). `expected_assignee_id` is who the
    actor saw as the assignee: if someone changed it meanwhile, nothing is done and the actor
    is told, so that of two people claiming at once one wins and the other knows."""
    if not actor.is_privacy_staff:
        raise RequestError(_("Only privacy staff can do this."))
    if assignee is not None and not assignee.is_privacy_staff:
        raise RequestError(_("Requests can be assigned to privacy staff only."))
    with transaction.atomic():
        req = _lock(request_id)
        if not req.is_open:
            raise RequestError(_("Request %(reference)s is closed.") % {"reference": req.reference})
        if req.assignee_id != expected_assignee_id:
            raise RequestError(
                _(
                    "Request %(reference)s was assigned to someone else meanwhile; nothing "
                    "was changed. Please look at it again."
                )
                % {"reference": req.reference}
            )
        old = req.assignee_id
        req.assignee = assignee
        req.save(update_fields=["assignee", "updated_at"])
        # No staff name in the note: the timeline is part of the customer's disclosure package.
        TimelineEntry.objects.create(request=req, event="assign", actor=actor)
        audit_record(
            actor=actor,
            action="requests.request.assign",
            target=req,
            payload={
                "reference": req.reference,
                "from": old,
                "to": assignee.pk if assignee else None,
            },
        )
    return req


@dataclass(frozen=True)
class AssignOutcome:
    assigned: list[str]  # references now assigned as asked
    refused: list[str]  # the reason for each one left alone (changed meanwhile, closed)


def request_assign_many(
    *,
    actor: User,
    assignee: User | None,
    picks: list[tuple[int, int | None]],
) -> AssignOutcome:
    """Assign several requests to one person from the queue (issue 16, LW-5). Each pick is
    (request id, the assignee the page showed) and goes through `request_assign` on its own,
    with its own row lock and the same "changed meanwhile" check: a row someone else changed
    is left alone and reported, the others are assigned. Separate transactions, so that two
    people assigning overlapping selections never wait on each other's whole selection."""
    assigned: list[str] = []
    refused: list[str] = []
    for request_id, expected in picks:
        try:
            req = request_assign(
                request_id=request_id,
                actor=actor,
                assignee=assignee,
                expected_assignee_id=expected,
            )
        except DataRequest.DoesNotExist:
            continue  # a request that no longer exists was not on anyone's page
        except RequestError as exc:
            refused.append(str(exc))
        else:
            assigned.append(req.reference)
    return AssignOutcome(assigned=assigned, refused=refused)


def principal_link(
    *,
    request_id: int,
    actor: User,
    principal_email: str = "",
    no_account: bool = False,
    expected_status: str | None = None,
) -> DataRequest:
    """Staff checked the agent's power of attorney (or a legal representative's proof of the
    relationship) and link the request to the account of the person represented, or record
    that the person has no account (LW-6.1, APPI Art. 37). From then on every fulfilment
    step acts on that person; until then none can. Not a state change: the clock runs on."""
    if not actor.is_privacy_staff:
        raise RequestError(_("Only privacy staff can do this."))
    principal_email = principal_email.strip()
    if no_account == bool(principal_email):
        raise RequestError(
            _("Give the email address of the person's account, or record that they have none.")
        )
    with transaction.atomic():
        req = _lock(request_id)
        if expected_status is not None and req.status != expected_status:
            raise RequestError(
                _("Request %(reference)s changed meanwhile; nothing was done.")
                % {"reference": req.reference}
            )
        if not req.on_behalf:
            raise RequestError(_("This request was not filed by an agent."))
        if not req.is_open:
            raise RequestError(_("Request %(reference)s is closed.") % {"reference": req.reference})
        if not req.documents.filter(
            purpose=principals.authority_document(req), deleted_at__isnull=True
        ).exists():
            raise RequestError(
                _("No %(document)s is attached to this request: ask the agent for it first.")
                % {"document": principals.authority_document_label(req)}
            )
        principal = None
        if not no_account:
            principal = User.objects.filter(email__iexact=principal_email, is_active=True).first()
            if principal is None:
                raise RequestError(
                    _(
                        "No active account has the address %(email)s. Check the address, or "
                        "record that the person has no account."
                    )
                    % {"email": principal_email}
                )
            if principal.pk == req.customer_id:
                raise RequestError(
                    _("That is the agent's own account: an agent cannot act for themselves.")
                )
        req.principal = principal
        req.principal_no_account = no_account
        req.authority_confirmed_at = timezone.now()
        req.save(
            update_fields=[
                "principal",
                "principal_no_account",
                "authority_confirmed_at",
                "updated_at",
            ]
        )
        # No name in the note: the timeline is part of the agent's disclosure package.
        TimelineEntry.objects.create(request=req, event="principal_link", actor=actor)
        audit_record(
            actor=actor,
            action="requests.principal.linked",
            target=req,
            payload={
                "reference": req.reference,
                "principal": principal.pk if principal else None,
                "no_account": no_account,
                "document": principals.authority_document(req),
            },
        )
    return req


def queue_view_record(*, viewer: User, request_ids: list[int], page: int) -> None:
    """The queue shows customers' names and addresses: a staff view of personal data (LW-5)."""
    audit_record(
        actor=viewer,
        action="requests.queue.viewed",
        payload={"page": page, "requests": request_ids},
    )


def queue_download_record(*, viewer: User, request_ids: list[int], filters: dict) -> None:
    """A download of the queue as CSV carries the same personal data as the page, for every
    row that matched (LW-5): audited like a view, with the filters that chose the rows."""
    audit_record(
        actor=viewer,
        action="requests.queue.downloaded",
        payload={"filters": filters, "requests": request_ids},
    )


# --- approvals of waivers and extensions (LW-5, LW-6.2, LW-6.4) ----------------------------------


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
        req = _lock(request_id)
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
            deletion_carry_out(request_id=req_id, actor=actor)
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


# --- disclosure decisions (LW-6.3) --------------------------------------------------------------


def decision_draft(
    *,
    request_id: int,
    actor: User,
    items: Mapping[str, Mapping[str, Any]],
    summary: str,
    no_data: bool = False,
    expected_status: str | None = None,
) -> DataRequest:
    """Record the decision on each data item of a disclosure: disclosed, or withheld on one or
    more grounds (1)-(4) with the reason the customer reads (LW-6.3). A partial or full
    refusal goes to a privacy administrator's approval at once; a full disclosure (or no
    data held) waits for staff to close it with the notice previewed."""
    if not actor.is_privacy_staff:
        raise RequestError(_("Only privacy staff can do this."))
    summary = summary.strip()
    with transaction.atomic():
        req = _lock(request_id)
        if expected_status is not None and req.status != expected_status:
            raise RequestError(
                _("Request %(reference)s changed meanwhile; nothing was done.")
                % {"reference": req.reference}
            )
        if req.kind not in (Kind.DISCLOSURE, Kind.PROVISION_RECORDS):
            raise RequestError(_("Only disclosure requests take a decision per data item."))
        if req.status != Status.IN_REVIEW:
            raise RequestError(
                _("Request %(reference)s is “%(status)s”; this step is not possible now.")
                % {"reference": req.reference, "status": req.get_status_display()}
            )
        categories = workflow.requested_categories(req)
        rows = []
        for category in categories:
            item = items.get(category) or {}
            withheld = bool(item.get("withheld"))
            grounds = sorted({int(g) for g in item.get("grounds") or []})
            reason = str(item.get("reason") or "").strip()
            if any(g not in Ground.values for g in grounds):
                raise RequestError(_("Choose grounds (1) to (4) only."))
            if withheld and (not grounds or not reason):
                raise RequestError(
                    _("For every withheld item choose at least one ground and write the reason.")
                )
            rows.append(
                DecisionItem(
                    request=req,
                    category=category,
                    withheld=withheld,
                    grounds=grounds if withheld else [],
                    reason=reason if withheld else "",
                )
            )
        DecisionItem.objects.filter(request=req).delete()
        DecisionItem.objects.bulk_create(rows)
        withheld_count = sum(r.withheld for r in rows)
        audit_record(
            actor=actor,
            action="requests.decision.drafted",
            target=req,
            payload={
                "reference": req.reference,
                "withheld": [r.category for r in rows if r.withheld],
                "grounds": sorted({g for r in rows for g in r.grounds}),
            },
        )
        if withheld_count == 0:
            return req
        if not summary:
            raise RequestError(_("Give the reason the customer will read."))
        outcome = Outcome.REFUSED if withheld_count == len(rows) else Outcome.PARTIALLY_FULFILLED
        return workflow.request_approval_ask(
            request_id=req.pk, actor=actor, outcome=outcome, reason=summary
        )


# --- fulfilment (LW-6.1) ------------------------------------------------------------------------


def package_days() -> int:
    return int(getattr(settings, "REQUESTS_PACKAGE_DAYS", 14))


def package_prepare(*, request: DataRequest) -> DisclosurePackage:
    """Create the package row of a decided disclosure and build it in the background once
    the decision commits. Called by the workflow when a disclosure closes."""
    package, _created = DisclosurePackage.objects.get_or_create(request=request)

    def _queue() -> None:
        from requests.tasks import package_build_task

        try:
            package_build_task.delay(package.pk)
        except Exception:  # a dead broker: staff can start the build again from the page
            logger.warning("broker unavailable; package %s waits for a rebuild", package.pk)

    transaction.on_commit(_queue)
    return package


def package_storage() -> FileSystemStorage:
    return FileSystemStorage(location=str(settings.PRIVATE_STORAGE_ROOT / "requests" / "packages"))


def _value(obj, name: str, customer: User):
    """One field of one row, as the customer reads it."""
    f = obj._meta.get_field(name)
    if f.many_to_many:
        return [str(x) for x in getattr(obj, name).all()]
    if f.is_relation:
        if f.related_model is User:
            # Compared by id: no query per row, and no staff member's name in the package.
            person = getattr(obj, f.attname)
            if person is None:
                return None
            if person == customer.pk:
                return _("you")
            if name == "principal":
                return _("the person you act for")
            return _("privacy staff")
        rel = getattr(obj, name)
        if rel is None:
            return None
        if isinstance(rel, DataRequest):
            return rel.reference
        return str(rel)
    value = f.value_from_object(obj)
    if f.choices and value not in (None, ""):
        return str(getattr(obj, f"get_{name}_display")())
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return value
    return str(value)


_ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


def _cell(value) -> str | None:
    """A value of the JSON package as the readable page shows it."""
    if value is None or value == "" or value == [] or value == {}:
        return None
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(_cell(v) or "—") for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_cell(v) or '—'}" for k, v in value.items())
    if isinstance(value, str) and _ISO_TIME.match(value):
        return value[:16].replace("T", " ")
    return str(value)


# Personal fields that are never handed out: the password hash is a credential, not data
# about the person.
PACKAGE_EXCLUDED = {"portal.User": {"password"}}


def package_build(*, package_id: int) -> DisclosurePackage:
    """Build the package (LW-1, LW-6.1): for every model of the data inventory about a person
    and every disclosed category, the customer's rows with their personal fields; withheld
    items are left out and listed with their grounds and reasons. Safe to run twice: a ready
    package is left as it is. Progress is saved after each part so that the pages can show it."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from portal.inventory import CATEGORIES, personal_fields

    claimed = DisclosurePackage.objects.filter(
        pk=package_id, status__in=[PackageStatus.QUEUED, PackageStatus.FAILED]
    ).update(status=PackageStatus.BUILDING, done=0, error="", progress_at=timezone.now())
    package = DisclosurePackage.objects.select_related(
        "request__customer", "request__principal"
    ).get(pk=package_id)
    if not claimed:
        return package
    req = package.request
    try:
        # The person the request is about: the principal of an agent's request (LW-6.1).
        customer = principals.subject_of(req)
    except RequestError as exc:
        DisclosurePackage.objects.filter(pk=package_id).update(
            status=PackageStatus.FAILED, error=str(exc)[:200]
        )
        raise
    items = {i.category: i for i in req.decision_items.all()}
    wanted = workflow.requested_categories(req)
    disclosed = [c for c in wanted if not (items.get(c) and items[c].withheld)]
    parts = selectors.package_parts(customer=customer, categories=disclosed)
    DisclosurePackage.objects.filter(pk=package_id).update(total=len(parts) + 1)
    try:
        with translation.override(customer.preferred_language):
            sections = []
            for done, (category, label, rows) in enumerate(parts, start=1):
                model = rows.model
                names = [
                    n for n in personal_fields(model) if n not in PACKAGE_EXCLUDED.get(label, ())
                ]
                # Related rows come joined (or prefetched), one or two queries per model.
                joins = [
                    n
                    for n in names
                    if model._meta.get_field(n).many_to_one
                    and model._meta.get_field(n).related_model is not User
                ]
                many = [n for n in names if model._meta.get_field(n).many_to_many]
                rows = rows.select_related(*joins).prefetch_related(*many)
                sections.append(
                    {
                        "category": category,
                        "category_label": str(CATEGORIES[category]),
                        "model": label,
                        "title": str(model._meta.verbose_name_plural),
                        "fields": names,
                        "labels": [str(model._meta.get_field(n).verbose_name) for n in names],
                        "rows": [{n: _value(obj, n, customer) for n in names} for obj in rows],
                    }
                )
                DisclosurePackage.objects.filter(pk=package_id).update(
                    done=done, progress_at=timezone.now()
                )
            withheld = [
                {
                    "category": i.category,
                    "category_label": i.category_label,
                    "grounds": i.grounds,
                    "ground_labels": i.ground_labels,
                    "reason": i.reason,
                }
                for c, i in items.items()
                if i.withheld
            ]
            generated_at = timezone.now()
            document = {
                "reference": req.reference,
                "generated_at": timezone.localtime(generated_at).isoformat(),
                "sections": sections,
                "withheld": withheld,
            }
            # The page shows the same rows as lists in the column order.
            pages = [
                {**sec, "cells": [[_cell(row[n]) for n in sec["fields"]] for row in sec["rows"]]}
                for sec in sections
            ]
            html = render_to_string(
                "customer/requests/package.html",
                {"req": req, "document": document, "sections": pages, "withheld": withheld},
            )
        token = secrets.token_hex(16)
        storage = package_storage()
        json_name = storage.save(
            f"{token}.json",
            ContentFile(json.dumps(document, ensure_ascii=False, indent=2).encode()),
        )
        html_name = storage.save(f"{token}.html", ContentFile(html.encode()))
    except Exception as exc:
        DisclosurePackage.objects.filter(pk=package_id).update(
            status=PackageStatus.FAILED, error=str(exc)[:200]
        )
        raise
    with transaction.atomic():
        DisclosurePackage.objects.filter(pk=package_id).update(
            status=PackageStatus.READY,
            done=len(parts) + 1,
            json_name=json_name,
            html_name=html_name,
            built_at=generated_at,
            expires_at=generated_at + timedelta(days=package_days()),
        )
        package.refresh_from_db()
        TimelineEntry.objects.create(request=req, event="package_ready")
        if req.delivery_method == DeliveryMethod.ELECTRONIC:
            mail_queue(
                to=customer.email,
                language=customer.preferred_language,
                template="requests/package_ready",
                context={
                    "request": req,
                    "recipient": customer,
                    "package": package,
                    "url": reverse("requests:detail", kwargs={"reference": req.reference}),
                },
            )
    return package


def package_open(*, package: DisclosurePackage, viewer: User, fmt: str):
    """Open the package file for the customer (while it may be downloaded) or for privacy
    staff (to print it for paper delivery, audited, LW-5)."""
    req = package.request
    # The package is the answer: only the person it is about opens it, never their agent.
    owner_id = req.principal_id if req.on_behalf else req.customer_id
    if owner_id is not None and viewer.pk == owner_id:
        if package.request.delivery_method != DeliveryMethod.ELECTRONIC:
            raise RequestError(_("This answer is sent to you on paper."))
        if package.status in (PackageStatus.QUEUED, PackageStatus.BUILDING):
            raise RequestError(_("The package is not ready."))
        if not package.downloadable():
            raise RequestError(_("The download period of this package has ended."))
        if package.downloaded_at is None:
            DisclosurePackage.objects.filter(pk=package.pk, downloaded_at__isnull=True).update(
                downloaded_at=timezone.now()
            )
    elif viewer.is_privacy_staff:
        if package.status != PackageStatus.READY:
            raise RequestError(_("The package is not ready."))
        audit_record(
            actor=viewer,
            action="requests.package.viewed",
            target=package.request,
            payload={"reference": package.request.reference, "format": fmt},
        )
    else:
        raise RequestError(_("You cannot open this package."))
    name = package.json_name if fmt == "json" else package.html_name
    return package_storage().open(name, "rb")


def package_rebuild(*, request_id: int, actor: User) -> DisclosurePackage:
    """Staff start a failed or stuck build again."""
    if not actor.is_privacy_staff:
        raise RequestError(_("Only privacy staff can do this."))
    with transaction.atomic():
        package = DisclosurePackage.objects.select_for_update().get(request_id=request_id)
        if package.status == PackageStatus.READY:
            raise RequestError(_("The package is ready already."))
        DisclosurePackage.objects.filter(pk=package.pk).update(
            status=PackageStatus.QUEUED, progress_at=timezone.now()
        )
        audit_record(actor=actor, action="requests.package.rebuilt", target=package.request)
        package_prepare(request=package.request)
    return package


def package_mailed_record(*, request_id: int, actor: User) -> DisclosurePackage:
    """Paper delivery: staff printed the package and mailed it (APPI Art. 33)."""
    if not actor.is_privacy_staff:
        raise RequestError(_("Only privacy staff can do this."))
    with transaction.atomic():
        package = (
            DisclosurePackage.objects.select_for_update()
            .select_related("request")
            .get(request_id=request_id)
        )
        if package.status != PackageStatus.READY:
            raise RequestError(_("The package is not ready."))
        if package.mailed_at is not None:
            raise RequestError(_("It was marked as mailed already."))
        package.mailed_at = timezone.now()
        package.save(update_fields=["mailed_at"])
        TimelineEntry.objects.create(request=package.request, event="package_mailed", actor=actor)
        audit_record(
            actor=actor,
            action="requests.package.mailed",
            target=package.request,
            payload={"reference": package.request.reference},
        )
    return package


def package_expired_purge(*, now: datetime | None = None) -> int:
    """Delete the files of packages past their download period (DESIGN.md "Background jobs");
    the row stays as the record that a package was made. Returns how many were purged."""
    now = now or timezone.now()
    storage = package_storage()
    purged = 0
    for package in DisclosurePackage.objects.filter(
        status=PackageStatus.READY, expires_at__lte=now
    ):
        with transaction.atomic():
            changed = DisclosurePackage.objects.filter(
                pk=package.pk, status=PackageStatus.READY
            ).update(status=PackageStatus.EXPIRED, json_name="", html_name="")
            if changed:
                for name in (package.json_name, package.html_name):
                    if name and storage.exists(name):
                        transaction.on_commit(lambda n=name: storage.delete(n))
                purged += 1
    return purged


def _in_language(req: DataRequest, func):
    from django.utils import translation

    person = req.principal if req.on_behalf and req.principal_id else req.customer
    with translation.override(person.preferred_language):
        return func()


def correction_apply(
    *, request_id: int, actor: User, expected_status: str | None = None
) -> DataRequest:
    """Apply the value a correction or addition asked for through the profile service and
    close; the notice says what changed (LW-6.1, APPI-36)."""
    from portal.errors import PortalError
    from portal.services import user_profile_update
    from requests.forms import PROFILE_FIELD_CHOICES

    with transaction.atomic():
        req = _lock(request_id)
        if req.kind not in (Kind.CORRECTION, Kind.ADDITION):
            raise RequestError(_("Only a correction or addition changes the profile."))
        if not workflow.allowed("close", req.status):
            raise RequestError(
                _("Request %(reference)s is “%(status)s”; this step is not possible now.")
                % {"reference": req.reference, "status": req.get_status_display()}
            )
        subject = principals.subject_of(req)
        field = (req.details or {}).get("field", "")
        value: Any = (req.details or {}).get("new_value", "")
        if field == "birth_year":
            value = int(value)
        try:
            diff = user_profile_update(user=subject, changes={field: value}, actor=actor)
        except PortalError as exc:
            raise RequestError(str(exc)) from None
        labels = dict(PROFILE_FIELD_CHOICES)

        def reason() -> str:
            if not diff:
                return _("%(field)s already was “%(value)s”; nothing needed changing.") % {
                    "field": labels.get(field, field),
                    "value": value,
                }
            old, new = diff[field]
            return _("We changed %(field)s from “%(old)s” to “%(new)s”.") % {
                "field": labels.get(field, field),
                "old": old if old not in (None, "") else "—",
                "new": new,
            }

        return workflow.request_close(
            request_id=req.pk,
            actor=actor,
            outcome=Outcome.FULFILLED,
            reason=_in_language(req, reason),
            expected_status=expected_status,
        )


def restriction_apply(
    *, request_id: int, actor: User, expected_status: str | None = None
) -> DataRequest:
    """Suspension or third-party stop (LW-6.1): record the restriction in consents, which the
    consent state and the provision gate obey from now on, and close with the purposes named."""
    from consents.selectors import purposes_for_customer, third_party_purposes
    from consents.services import ConsentError, restriction_record

    with transaction.atomic():
        req = _lock(request_id)
        if req.kind not in (Kind.SUSPENSION, Kind.THIRD_PARTY_STOP):
            raise RequestError(_("Only a suspension or third-party stop records a restriction."))
        if not workflow.allowed("close", req.status):
            raise RequestError(
                _("Request %(reference)s is “%(status)s”; this step is not possible now.")
                % {"reference": req.reference, "status": req.get_status_display()}
            )
        subject = principals.subject_of(req)
        purposes = list(purposes_for_customer(customer=subject))
        if req.kind == Kind.SUSPENSION:
            codes = set((req.details or {}).get("purposes") or [])
            chosen = [p for p in purposes if p.code in codes]
        else:
            # A stop covers every purpose that provides data to a third party, in the one
            # meaning consents defines (the registry restricts by purpose, not by
            # recipient: docs/decisions.md).
            third_party = set(third_party_purposes().values_list("pk", flat=True))
            chosen = [p for p in purposes if p.pk in third_party]
        if not chosen:
            raise RequestError(_("No purpose of this request can be restricted."))
        try:
            restriction_record(
                customer=subject,
                kind=req.kind,
                purposes=chosen,
                reference=req.reference,
                actor=actor,
            )
        except ConsentError as exc:
            raise RequestError(str(exc)) from None

        def reason() -> str:
            names = "\n".join(f"- {p.name}" for p in chosen)
            return _("From now on we no longer use or provide your data for:") + "\n" + names

        return workflow.request_close(
            request_id=req.pk,
            actor=actor,
            outcome=Outcome.FULFILLED,
            reason=_in_language(req, reason),
            expected_status=expected_status,
        )


def purpose_notice_send(
    *, request_id: int, actor: User, expected_status: str | None = None
) -> DataRequest:
    """Notification of the purposes of use (LW-3, APPI Art. 32(2)): the notice lists the
    purposes that apply to this customer."""
    from consents.selectors import purposes_for_customer

    with transaction.atomic():
        req = _lock(request_id)
        if req.kind != Kind.PURPOSE_NOTICE:
            raise RequestError(_("Only a purpose notice request is answered this way."))
        purposes = list(purposes_for_customer(customer=principals.subject_of(req)))

        def reason() -> str:
            lines = [_("We use your personal data for these purposes:")]
            lines += [f"- {p.name}: {p.description}".rstrip(": ") for p in purposes]
            return "\n".join(lines)

        return workflow.request_close(
            request_id=req.pk,
            actor=actor,
            outcome=Outcome.FULFILLED,
            reason=_in_language(req, reason),
            expected_status=expected_status,
        )


def inquiry_answer(
    *, request_id: int, actor: User, answer: str, expected_status: str | None = None
) -> DataRequest:
    """Answer an inquiry (LW-10) by message and close it; the notice carries the answer."""
    with transaction.atomic():
        req = _lock(request_id)
        if req.kind != Kind.INQUIRY:
            raise RequestError(_("Only an inquiry is answered this way."))
        if not workflow.allowed("close", req.status):
            raise RequestError(
                _("Request %(reference)s is “%(status)s”; this step is not possible now.")
                % {"reference": req.reference, "status": req.get_status_display()}
            )
        message_post(request=req, author=actor, body=answer)
        return workflow.request_close(
            request_id=req.pk,
            actor=actor,
            outcome=Outcome.FULFILLED,
            reason=answer,
            expected_status=expected_status,
        )


# --- deletion (LW-6.1, LW-1) --------------------------------------------------------------------

ERASED = "[erased]"


def erased_email(user_id: int) -> str:
    from partners.services import customer_reference

    return f"erased-{customer_reference(user_id)[:16]}@erased.invalid"


def deletion_carry_out(
    *, request_id: int, actor: User, expected_status: str | None = None
) -> DataRequest:
    """Erase what a deletion request names, or the whole account, and close (LW-6.1). The
    closing notice is written first (to the address still on file); then personal fields are
    erased or anonymized as the data inventory classifies them (LW-1). Request records and
    provision records stay, tied to the anonymized account and its pseudonym."""
    from requests.forms import DELETION_ITEM_CHOICES

    with transaction.atomic():
        req = _lock(request_id)
        if req.kind != Kind.DELETION:
            raise RequestError(_("Only a deletion request erases data."))
        subject = principals.subject_of(req)
        details = req.details or {}
        whole = details.get("scope") == "account"
        items = list(details.get("data_items") or [])
        if whole:
            others = list(
                DataRequest.objects.filter(
                    Q(customer_id=subject.pk) | Q(principal_id=subject.pk),
                    status__in=OPEN_STATUSES,
                )
                .exclude(pk=req.pk)
                .values_list("reference", flat=True)
            )
            if others:
                # Their answers would go to an address that no longer exists.
                raise RequestError(
                    _(
                        "Close this customer's other open requests first (%(references)s); "
                        "nothing was deleted."
                    )
                    % {"references": ", ".join(others)}
                )
        labels = dict(DELETION_ITEM_CHOICES)

        def reason() -> str:
            if whole:
                return _(
                    "We deleted your account and the personal data it held. You can no longer "
                    "sign in. Records we must keep by law (your requests and records of provision "
                    "to third parties) keep only a pseudonym."
                )
            return _("We deleted:") + "\n" + "\n".join(f"- {labels.get(i, i)}" for i in items)

        closed = workflow.request_close(
            request_id=req.pk,
            actor=actor,
            outcome=Outcome.FULFILLED,
            reason=_in_language(req, reason),
            expected_status=expected_status,
        )
        customer = User.objects.select_for_update().get(pk=subject.pk)
        if whole:
            pending = account_erase(customer=customer, actor=actor)
        else:
            items_erase(customer=customer, items=items, actor=actor)
            pending = []
        if pending:
            transaction.on_commit(lambda: _queue_mail_scrub(pending))
    return closed


def _queue_mail_scrub(mail_ids: list[int]) -> None:
    from requests.tasks import erased_mail_scrub_task

    try:
        erased_mail_scrub_task.apply_async((mail_ids,), countdown=60)
    except Exception:  # a dead broker: the mails keep the old address until scrubbed by hand
        logger.warning("broker unavailable; mails %s wait to be scrubbed", mail_ids)


def items_erase(*, customer: User, items: list[str], actor: User) -> None:
    """Erase chosen items of a customer's data (the choices of the deletion form)."""
    from portal.models import AccessLogEntry

    changes: dict[str, Any] = {}
    if "phone" in items:
        changes["phone"] = ""
    if "postal_address" in items:
        changes.update(postal_code="", prefecture="", address="")
    if "birth_year" in items:
        changes["birth_year"] = None
    if changes:
        User.objects.filter(pk=customer.pk).update(**changes)
    if "access_log" in items:
        AccessLogEntry.objects.filter(user=customer).delete()
    if "messages" in items:
        RequestMessage.objects.filter(
            request__customer=customer, request__status=Status.CLOSED
        ).update(body=ERASED)
    audit_record(
        actor=actor,
        action="requests.data.erased",
        target=customer,
        payload={"items": sorted(items)},
    )


def account_erase(*, customer: User, actor: User) -> list[int]:
    """Erase or anonymize every personal field held about the customer (LW-1, LW-6.1) and
    close the account for good. Returns the ids of mails still waiting to be sent to the old
    address (the closing notice), which are scrubbed once sent.

    Kept: the rows of the append-only audit log and consent ledger (LW-5, LW-9: evidence,
    tied to the anonymized account, with the network address and device blanked), and the
    rows of requests and provision records with a pseudonym."""
    from consents.services import consent_devices_erase
    from partners.services import provision_records_unlink
    from portal.mfa import second_factor_devices_delete
    from portal.models import AccessLogEntry, OutboundMail
    from portal.services import audit_addresses_erase

    old_email = customer.email
    address = erased_email(customer.pk)
    customer.email = address
    customer.full_name = ""
    customer.phone = ""
    customer.postal_code = ""
    customer.prefecture = ""
    customer.address = ""
    customer.birth_year = None
    customer.last_login = None
    customer.is_active = False
    customer.set_unusable_password()
    customer.save()
    customer.groups.clear()
    customer.user_permissions.clear()
    AccessLogEntry.objects.filter(user=customer).delete()
    second_factor_devices_delete(user=customer)  # app secrets, recovery codes, passkeys
    # The ledgers' narrow writes, through the database's own functions (portal/dbroles.py).
    audit_addresses_erase(customer=customer)
    consent_devices_erase(customer=customer)
    provision_records_unlink(customer=customer)
    requests_qs = DataRequest.objects.filter(customer=customer)
    requests_qs.update(
        principal_name="",
        principal_relationship="",
        details={},
        outcome_reason="",
        extension_reason="",
        erased_at=timezone.now(),
    )
    # Requests an agent filed for them keep the agent's record, without the person's name.
    DataRequest.objects.filter(principal=customer).update(
        principal_name="", principal_relationship=""
    )
    TimelineEntry.objects.filter(request__customer=customer).update(note="")
    RequestMessage.objects.filter(request__customer=customer).update(body=ERASED)
    FeePayment.objects.filter(request__customer=customer).update(note="")
    Approval.objects.filter(request__customer=customer).update(reason=ERASED, comment="")
    DecisionItem.objects.filter(request__customer=customer).update(reason="")
    storage = private_storage()
    for doc in RequestDocument.objects.filter(request__customer=customer):
        if doc.stored_name and storage.exists(doc.stored_name):
            name = doc.stored_name
            transaction.on_commit(lambda n=name: storage.delete(n))
        RequestDocument.objects.filter(pk=doc.pk).update(
            stored_name=f"erased-{doc.public_id}",
            display_name="",
            sha256="",
            deleted_at=timezone.now(),
        )
    pkg_storage = package_storage()
    for package in DisclosurePackage.objects.filter(request__customer=customer):
        for name in (package.json_name, package.html_name):
            if name:
                transaction.on_commit(
                    lambda n=name: pkg_storage.exists(n) and pkg_storage.delete(n)
                )
    DisclosurePackage.objects.filter(request__customer=customer).update(
        status=PackageStatus.EXPIRED, json_name="", html_name=""
    )
    # Mails already sent to the old address: their copies go; pending ones wait until sent.
    OutboundMail.objects.filter(to=old_email).exclude(
        status__in=[OutboundMail.Status.PENDING, OutboundMail.Status.SENDING]
    ).update(to=address, subject="", body="")
    pending = list(
        OutboundMail.objects.filter(
            to=old_email,
            status__in=[OutboundMail.Status.PENDING, OutboundMail.Status.SENDING],
        ).values_list("pk", flat=True)
    )
    # Marked in this transaction, so the stale-work sweep scrubs them even if the scrub task
    # is never queued (a dead broker at commit).
    OutboundMail.objects.filter(pk__in=pending).update(scrub_after_send=True)
    # Signed out everywhere: every session carries a hash of the password, which the unusable
    # password above no longer matches, so Django ends them on their next request.
    audit_record(
        actor=actor,
        action="requests.account.erased",
        target=customer,
        payload={"pseudonym": address},
    )
    account_erased.send(sender=type(customer), customer=customer)
    return pending


def erased_mail_scrub(*, mail_ids: list[int]) -> int:
    """Scrub the address and text of mails to an erased account once they were sent (or
    failed for good). Returns how many are still waiting to be sent."""
    from portal.models import OutboundMail

    waiting = 0
    for mail in OutboundMail.objects.filter(pk__in=mail_ids):
        if mail.status in (OutboundMail.Status.PENDING, OutboundMail.Status.SENDING):
            waiting += 1
            continue
        if mail.to.endswith("@erased.invalid"):
            if mail.scrub_after_send:
                OutboundMail.objects.filter(pk=mail.pk).update(scrub_after_send=False)
            continue
        OutboundMail.objects.filter(pk=mail.pk).update(
            to="erased@erased.invalid", subject="", body="", scrub_after_send=False
        )
    return waiting
