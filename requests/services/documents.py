"""Identity and supporting documents: validating, storing and opening uploads (LW-6.1)."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from portal.models import User
from portal.services import audit_record
from requests import uploads, workflow
from requests.errors import RequestError
from requests.models import DataRequest, DocumentPurpose, RequestDocument, TimelineEntry
from requests.services import common


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


def document_store(
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


def discard_files(names: list[str]) -> None:
    storage = private_storage()
    for name in names:
        if storage.exists(name):
            storage.delete(name)


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
    return document_receive(
        request=request,
        uploaded_by=uploaded_by,
        upload=upload,
        purpose=purpose,
        closed=_("This request is closed; nothing can be added to it."),
    )


def document_receive(
    *,
    request: DataRequest,
    uploaded_by: User | None,
    upload: UploadedFile,
    purpose: str,
    closed: str,
) -> RequestDocument:
    """A document from the customer, or (`uploaded_by=None`) from the requester without an
    account whose signed link the caller checked: checked and stored, staff told, the clock
    run again if we were waiting. `closed` is what a closed request answers."""
    if purpose not in DocumentPurpose.values:
        raise RequestError(_("Choose what the document is."))
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = DataRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
            if not locked.is_open:
                raise RequestError(closed)
            doc = document_store(
                request=locked, uploaded_by=uploaded_by, upload=upload, purpose=purpose
            )
            stored.append(doc.stored_name)
            TimelineEntry.objects.create(
                request=locked, event="document_uploaded", actor=uploaded_by
            )
            common.notify_staff(locked, template="requests/document_to_staff")
            if workflow.can_respond(locked):
                workflow.request_customer_respond(request_id=locked.pk, actor=uploaded_by)
    except Exception:
        discard_files(stored)
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
