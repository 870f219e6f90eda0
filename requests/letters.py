"""Notices that go by post (LW-6.2, APPI-36): a requester who gave no email address is written
to on paper. Where a notice would be mailed, `postal_notice_record` keeps its text instead, in
the requester's language, for staff to print (one printable page per notice) and post; staff
then mark it as sent, once.

Only models, `principals` and the base are imported here, so that `workflow` can call it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.models import User
from portal.services import audit_record
from requests.errors import RequestError
from requests.models import DataRequest, PostalNotice, TimelineEntry
from requests.principals import Addressee

# The steps worth a letter: those that ask something of the requester or change what they
# can expect (a fee, a waiver, a longer deadline), besides the receipt and the closing notice
# (APPI-36). Progress notes that mail carries (identity check started, confirmed, payment
# received...) are not posted: the next letter or the answer follows soon enough.
POSTED_EVENTS = frozenset({"customer_ask", "fee_quote", "fee_waive", "extension_grant"})


def postal_notice_record(
    *,
    request: DataRequest,
    event: str,
    template: str,
    context: dict[str, Any],
    recipient: Addressee,
) -> PostalNotice:
    """Keep the text of a notice that cannot be mailed: the same template as the mail, in
    the recipient's language, without the link to a page they cannot open."""
    note = (
        request.timeline.filter(event=event).order_by("-id").values_list("note", flat=True).first()
    )
    ctx = {
        **context,
        "by_post": True,
        "recipient": recipient,
        "note": note or "",
        "contact_url": settings.SITE_URL + reverse("requests:contact"),
    }
    with translation.override(recipient.language):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", ctx).split())
        body = render_to_string(f"emails/{template}.txt", ctx).strip()
    return PostalNotice.objects.create(
        request=request,
        event=event,
        language=recipient.language,
        addressee_name=recipient.full_name,
        addressee_address=recipient.address,
        subject=subject[:300],
        body=body,
    )


def postal_notices_for(*, request: DataRequest) -> QuerySet[PostalNotice]:
    return PostalNotice.objects.filter(request=request).select_related("sent_by")


def postal_notice_for_staff(*, request_pk: int, notice_pk: int) -> PostalNotice:
    """One notice of one request; PostalNotice.DoesNotExist when they do not belong together."""
    return PostalNotice.objects.select_related("request", "sent_by").get(
        pk=notice_pk, request_id=request_pk
    )


def postal_notice_mark_sent(*, notice: PostalNotice, actor: User) -> PostalNotice:
    """Staff posted the printed notice (APPI-36). Once: a second click, or a colleague's at
    the same time, is told it was already marked."""
    if not actor.is_privacy_staff:
        raise RequestError(_("Only privacy staff can mark a notice as posted."))
    now = timezone.now()
    with transaction.atomic():
        changed = PostalNotice.objects.filter(pk=notice.pk, sent_at__isnull=True).update(
            sent_at=now, sent_by=actor
        )
        if not changed:
            raise RequestError(_("This notice was already marked as posted."))
        TimelineEntry.objects.create(
            request_id=notice.request_id,
            event="notice_posted",
            actor=actor,
            note=notice.subject,
        )
        audit_record(
            actor=actor,
            action="requests.notice.posted",
            target=notice,
            payload={"request": notice.request_id, "event": notice.event},
        )
    notice.sent_at, notice.sent_by = now, actor
    return notice
