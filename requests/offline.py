"""Requests that reach us by post, phone, email or at the counter (LW-6.1, LW-6.2, LW-10): staff
type them in on the requester's behalf.

The clock starts when the request reached the business (APPI Art. 39 counts two weeks from
then), not when staff typed it in: `received_at` is the date (and, if known, the time) staff
give, checked against today and a bound on how far back it may lie. A letter comes with its
scan, checked like every upload (requests/uploads.py). The receipt goes by mail when the
requester gave an email address; otherwise it is kept as a letter to print and post
(requests/letters.py), like every later notice to them.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Language, User
from portal.services import audit_record, mail_queue
from requests import clock, letters, links, principals
from requests.errors import RequestError
from requests.models import (
    Channel,
    DataRequest,
    DeliveryMethod,
    DocumentPurpose,
    Kind,
    Status,
    TimelineEntry,
)
from requests.services import documents, filing

# Channels staff file on a requester's behalf; "online" is the requester's own filing.
OFFLINE_CHANNELS = (Channel.POST, Channel.PHONE, Channel.EMAIL, Channel.COUNTER)
# A letter or a handed-in form comes with its scan; a call or an email has no paper.
SCAN_REQUIRED = (Channel.POST, Channel.COUNTER)


def max_age_days() -> int:
    """How far back a receipt date may lie: beyond it, the date is taken for a typing error
    (a letter that waited that long would already be far past its deadline)."""
    return settings.REQUESTS_OFFLINE_MAX_AGE_DAYS


def received_at_for(
    *, received_on: datetime.date, received_time: datetime.time | None, now: datetime.datetime
) -> datetime.datetime:
    """The moment the clock starts: the Tokyo date and time the request reached us; with no
    time, the start of that day (the earliest it can have arrived, so never late). Refuses a
    moment in the future or further back than `max_age_days()`, with a message for staff."""
    at = datetime.datetime.combine(received_on, received_time or datetime.time(0, 0)).replace(
        tzinfo=clock.TOKYO
    )
    if at > now:
        raise RequestError(
            _(
                "The request cannot have reached us in the future: check the date (and time) "
                "it arrived."
            )
        )
    oldest = timezone.localdate(now) - datetime.timedelta(days=max_age_days())
    if received_on < oldest:
        raise RequestError(
            _(
                "A receipt date before %(oldest)s is more than %(days)s days ago: check the "
                "date it arrived (a request that old is recorded by an administrator)."
            )
            % {"oldest": oldest.isoformat(), "days": max_age_days()}
        )
    return at


def request_file_offline(
    *,
    staff: User,
    kind: str,
    channel: str,
    received_on: datetime.date,
    received_time: datetime.time | None = None,
    requester_name: str,
    requester_email: str = "",
    requester_address: str = "",
    requester_phone: str = "",
    requester_language: str = Language.JA,
    details: Mapping[str, Any],
    delivery_method: str = DeliveryMethod.PAPER,
    scan: UploadedFile | None = None,
    now: datetime.datetime | None = None,
) -> DataRequest:
    """File a request that came by post, phone, email or at the counter, for a requester
    without an account (LW-6.1, LW-10). The deadline runs from the receipt (LW-6.2): see
    `received_at_for`. It enters the queue like any other; the requester's identity is
    checked and they are matched to the data we hold as for any account-less request."""
    if not staff.is_privacy_staff:
        raise RequestError(_("Only privacy staff can file a request for someone."))
    if kind not in Kind.values:
        raise RequestError(_("Choose what kind of request this is."))
    if channel not in OFFLINE_CHANNELS:
        raise RequestError(_("Choose how the request reached us."))
    if delivery_method not in DeliveryMethod.values:
        raise RequestError(_("Choose how the requester wants the answer."))
    if requester_language not in Language.values:
        raise RequestError(_("Choose the requester's language."))
    requester_name = requester_name.strip()
    requester_email = requester_email.strip()
    requester_address = requester_address.strip()
    if not requester_name:
        raise RequestError(_("Give the requester's name."))
    if not requester_email and not requester_address:
        raise RequestError(
            _("Give an email address or a postal address: we must be able to answer.")
        )
    if channel in SCAN_REQUIRED and scan is None:
        raise RequestError(_("Attach the scan of the letter or form as it reached us."))
    now = now or timezone.now()
    received_at = received_at_for(received_on=received_on, received_time=received_time, now=now)
    stored: list[str] = []
    try:
        with transaction.atomic():
            req = DataRequest(
                reference=filing.reference_allocate(at=received_at),
                kind=kind,
                customer=None,
                channel=channel,
                filed_by=staff,
                requester_name=requester_name,
                requester_email=requester_email,
                requester_address=requester_address,
                requester_phone=requester_phone.strip(),
                requester_language=requester_language,
                details=dict(details),
                delivery_method=delivery_method,
                **filing.filing_terms(
                    kind=kind, delivery_method=delivery_method, received_at=received_at
                ),
            )
            req.full_clean(exclude=["reference"], validate_unique=False)
            req.save()
            TimelineEntry.objects.create(
                request=req,
                event="filed_by_staff",
                to_status=Status.SUBMITTED,
                actor=staff,
                note=Channel(channel).label,
            )
            if scan is not None:
                doc = documents.document_store(
                    request=req, uploaded_by=staff, upload=scan, purpose=DocumentPurpose.LETTER
                )
                stored.append(doc.stored_name)
            audit_record(
                actor=staff,
                action="requests.request.filed_by_staff",
                target=req,
                payload={
                    "reference": req.reference,
                    "kind": kind,
                    "channel": channel,
                    "received_at": received_at.isoformat(),
                },
            )
            _receipt(req)
    except Exception:
        documents.discard_files(stored)
        raise
    return req


def _receipt(req: DataRequest) -> None:
    recipient = principals.filer_addressee(req)
    context = {
        "request": req,
        "recipient": recipient,
        # An address staff typed in is not proved: its mail carries no link to the request.
        "url": reverse("requests:detail", kwargs={"reference": req.reference})
        if recipient.user
        else None,
        "link_days": links.link_days(),
    }
    if recipient.by_post:
        letters.postal_notice_record(
            request=req,
            event="submitted",
            template="requests/receipt",
            context=context,
            recipient=recipient,
        )
    else:
        mail_queue(
            to=recipient.email,
            language=recipient.language,
            template="requests/receipt",
            context=context,
        )
