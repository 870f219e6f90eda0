"""The signed link a requester without an account follows their request by.

The link names one request and the address its requester proved, signed with the site's
secret (Django's TimestampSigner). It is mailed to that address only: with the receipt and
with every notice, each time freshly signed, so the newest mail always carries a live link.
A link opens its own request and nothing else; a changed address or a tampered link opens
nothing (a 404), an old one offers a fresh link by mail to the address on record.

Only models are imported here, so that `principals`, `workflow` and `services` can use it.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from requests.models import DataRequest

SALT = "requests.requester-link"


def link_days() -> int:
    return settings.REQUESTS_REQUESTER_LINK_DAYS


class LinkExpired(Exception):
    """A genuine link past its lifetime; `request` is the request it named."""

    def __init__(self, request: DataRequest):
        super().__init__(request.reference)
        self.request = request


def token_for(req: DataRequest) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object(
        {"r": req.pk, "e": req.requester_email.lower()}
    )


def follow_path(req: DataRequest) -> str:
    return reverse("requests:follow", kwargs={"token": token_for(req)})


def request_for_token(token: str, *, queryset=None) -> DataRequest:
    """The request a link names. Raises DataRequest.DoesNotExist for a link that is not
    ours, was altered, or names an address the request no longer has; LinkExpired for a
    genuine link older than `link_days()`."""
    signer = signing.TimestampSigner(salt=SALT)
    expired = False
    try:
        data = signer.unsign_object(token, max_age=timedelta(days=link_days()))
    except signing.SignatureExpired:
        expired = True
        data = signer.unsign_object(token)
    except signing.BadSignature:
        raise DataRequest.DoesNotExist from None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int):
        raise DataRequest.DoesNotExist
    qs = queryset if queryset is not None else DataRequest.objects.all()
    req = qs.get(
        pk=data["r"],
        customer__isnull=True,
        requester_email__iexact=str(data.get("e", "")),
        requester_email_verified_at__isnull=False,
    )
    if expired:
        raise LinkExpired(req)
    return req


def path_for(req: DataRequest, *, account: bool) -> str:
    """Where a mail about the request sends its reader: the request page of their account,
    or, for a requester without one, a freshly signed link; none ("") for an address nobody
    proved (typed in by staff from a letter or a call), which may not be theirs."""
    if account:
        return reverse("requests:detail", kwargs={"reference": req.reference})
    if req.requester_email and req.requester_email_verified_at is not None:
        return follow_path(req)
    return ""
