"""Filing without an account (LW-6.1, LW-10).

A person without an account proves control of an email address with a one-time code (six
digits, valid `code_minutes()`, single use, at most `EMAIL_CODE_MAX_ATTEMPTS` tries), then
files like a signed-in customer. Asking for a code is rate-limited per address and per
network address, counted from the codes themselves (the same table, so the limit holds
across every worker). What a visitor sees and what the address receives never depend on
whether an account uses the address: there is no way to probe for accounts here.

Only after the address is proved does filing look at other requests: an open request of the
same kind from that address (or from the account using it) is refused with a link to it.
The request is then followed through the signed link of `requests.links`, mailed to the
address.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from portal.models import User
from portal.services import audit_record, mail_queue
from requests import links, principals, selectors, workflow
from requests.errors import DuplicateRequestError, RequestError
from requests.models import (
    EMAIL_CODE_MAX_ATTEMPTS,
    OPEN_STATUSES,
    Channel,
    DataRequest,
    DeliveryMethod,
    DisclosurePackage,
    DocumentPurpose,
    EmailCode,
    Kind,
    RequestDocument,
    RequestMessage,
    Status,
    TimelineEntry,
)
from requests.services import documents, filing, packages
from requests.services import messages as request_messages

CODE_SALT = "requests.intake.email-code"
RATE_WINDOW = timedelta(hours=1)


def code_minutes() -> int:
    return settings.REQUESTS_CODE_MINUTES


def codes_per_address() -> int:
    """Codes one address may be sent within an hour."""
    return settings.REQUESTS_CODES_PER_ADDRESS


def codes_per_network() -> int:
    """Codes one network address may ask for within an hour (for any addresses)."""
    return settings.REQUESTS_CODES_PER_NETWORK


def verified_minutes() -> int:
    """How long a proved address may file after its code was entered."""
    return settings.REQUESTS_VERIFIED_MINUTES


class TooManyCodes(RequestError):
    """Too many codes were asked for; `retry_at` is when the next may be."""

    def __init__(self, message: str, *, retry_at: datetime):
        super().__init__(message)
        self.retry_at = retry_at


def _hash(public_id, code: str) -> str:
    return salted_hmac(CODE_SALT, f"{public_id}:{code}").hexdigest()


def _normalise(email: str) -> str:
    return (email or "").strip().lower()


def _retry_at(times: list[datetime], limit: int) -> datetime | None:
    """When the window has room again, or None if it has room now (`times` ascending)."""
    if len(times) < limit:
        return None
    return times[len(times) - limit] + RATE_WINDOW


def code_send(*, email: str, ip_address: str | None, language: str) -> EmailCode:
    """Mail a fresh six-digit code to `email`. The same mail and the same answer for every
    address, with or without an account. Raises TooManyCodes past the per-address or
    per-network limit (also the same for every address)."""
    email = _normalise(email)
    if not email:
        raise RequestError(_("Enter your email address."))
    now = timezone.now()
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        # Serialise the counting of one address, and of one network address, so that two
        # requests at once cannot both pass the limit.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"{CODE_SALT}:{email}"])
            if ip_address:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"{CODE_SALT}@{ip_address}"]
                )
        since = now - RATE_WINDOW
        by_address = list(
            EmailCode.objects.filter(email=email, created_at__gt=since)
            .order_by("created_at")
            .values_list("created_at", flat=True)
        )
        by_network = (
            list(
                EmailCode.objects.filter(ip_address=ip_address, created_at__gt=since)
                .order_by("created_at")
                .values_list("created_at", flat=True)
            )
            if ip_address
            else []
        )
        waits = [
            t
            for t in (
                _retry_at(by_address, codes_per_address()),
                _retry_at(by_network, codes_per_network()),
            )
            if t
        ]
        if waits:
            retry_at = max(waits)
            raise TooManyCodes(
                _("Too many codes were asked for in a short time. Please try again after %(time)s.")
                % {"time": timezone.localtime(retry_at).strftime("%H:%M")},
                retry_at=retry_at,
            )
        challenge = EmailCode(
            email=email,
            ip_address=ip_address,
            created_at=now,
            expires_at=now + timedelta(minutes=code_minutes()),
        )
        challenge.code_hash = _hash(challenge.public_id, code)
        challenge.save()
        mail_queue(
            to=email,
            language=language,
            template="requests/email_code",
            context={"code": code, "minutes": code_minutes()},
        )
    return challenge


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    message: str = ""
    tries_left: int = 0
    verified_at: datetime | None = None


def code_check(*, public_id, email: str, code: str) -> CodeCheck:
    """Check a code against the challenge it was sent with. Every try counts, right or
    wrong; a code is good once, for `code_minutes()`, within `EMAIL_CODE_MAX_ATTEMPTS`
    tries."""
    code = "".join((code or "").split())
    with transaction.atomic():
        challenge = (
            EmailCode.objects.select_for_update()
            .filter(public_id=public_id, email=_normalise(email))
            .first()
        )
        now = timezone.now()
        if challenge is None:
            return CodeCheck(False, _("Ask for a new code."))
        if challenge.used_at is not None:
            return CodeCheck(False, _("This code was already used. Ask for a new code."))
        if challenge.expires_at <= now:
            return CodeCheck(False, _("This code has expired. Ask for a new code."))
        if challenge.attempts >= EMAIL_CODE_MAX_ATTEMPTS:
            return CodeCheck(False, _("Too many wrong tries for this code. Ask for a new code."))
        challenge.attempts += 1
        right = len(code) == 6 and constant_time_compare(
            challenge.code_hash, _hash(challenge.public_id, code)
        )
        if right:
            challenge.used_at = now
        challenge.save(update_fields=["attempts", "used_at"])
    if right:
        return CodeCheck(True, verified_at=now)
    left = EMAIL_CODE_MAX_ATTEMPTS - challenge.attempts
    if left <= 0:
        return CodeCheck(False, _("Too many wrong tries for this code. Ask for a new code."))
    return CodeCheck(
        False,
        _("This code is not right. You can try %(left)s more times.") % {"left": left},
        tries_left=left,
    )


def proof_valid(*, email: str, public_id, verified_at: datetime) -> bool:
    """Is a proof kept in the visitor's session still good: the code it names was used for
    this address, not longer ago than `verified_minutes()`?"""
    if verified_at + timedelta(minutes=verified_minutes()) <= timezone.now():
        return False
    return EmailCode.objects.filter(
        public_id=public_id, email=_normalise(email), used_at__isnull=False
    ).exists()


# --- filing --------------------------------------------------------------------------------


def open_request_for_address(*, email: str, kind: str) -> DataRequest | None:
    """An open request of this kind from a proved address: filed without an account from
    it, or from the account that uses it. Ask only once the address is proved."""
    email = _normalise(email)
    own = DataRequest.objects.filter(
        customer__isnull=True,
        requester_email__iexact=email,
        requester_email_verified_at__isnull=False,
        kind=kind,
        on_behalf=False,
        status__in=OPEN_STATUSES,
    ).first()
    if own is not None:
        return own
    return DataRequest.objects.filter(
        customer__email=email, kind=kind, on_behalf=False, status__in=OPEN_STATUSES
    ).first()


def duplicate_link(req: DataRequest) -> str:
    """Where the refused visitor finds the open request: its signed link, or (filed from an
    account) its page after signing in."""
    return links.path_for(req, account=req.customer_id is not None)


def _refuse_duplicate(*, email: str, kind: str) -> None:
    existing = open_request_for_address(email=email, kind=kind)
    if existing is not None:
        raise DuplicateRequestError(
            _("You already have an open request of this kind: %(reference)s.")
            % {"reference": existing.reference},
            existing=existing,
        )


def request_file_without_account(
    *,
    email: str,
    verified_at: datetime,
    kind: str,
    details: Mapping[str, Any],
    name: str,
    language: str,
    delivery_method: str = DeliveryMethod.ELECTRONIC,
    address: str = "",
    phone: str = "",
) -> DataRequest:
    """File a request for a person without an account who proved control of `email` at
    `verified_at` (the caller checked the proof with `proof_valid`). Copies the SLA and the
    fee that apply now, gives the reference and mails the receipt with the signed link. An
    open request of the same kind from the address is refused with a link to it."""
    email = _normalise(email)
    name, address, phone = name.strip(), address.strip(), phone.strip()
    if kind not in Kind.values:
        raise RequestError(_("Choose what kind of request this is."))
    if delivery_method not in DeliveryMethod.values:
        raise RequestError(_("Choose how you want to receive the answer."))
    if not name:
        raise RequestError(_("Enter your name."))
    if delivery_method == DeliveryMethod.PAPER and not address:
        raise RequestError(_("Enter the postal address we should send the answer to."))
    with transaction.atomic():
        with connection.cursor() as cursor:  # filings from one address are serialised
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"requests.file:{email}"])
        _refuse_duplicate(email=email, kind=kind)
        received_at = timezone.now()
        req = filing.request_new(
            kind=kind,
            delivery_method=delivery_method,
            received_at=received_at,
            details=details,
            customer=None,
            channel=Channel.ONLINE,
            requester_name=name,
            requester_email=email,
            requester_email_verified_at=verified_at,
            requester_address=address,
            requester_phone=phone,
            requester_language=language,
        )
        try:
            with transaction.atomic():
                req.save()
        except IntegrityError:
            _refuse_duplicate(email=email, kind=kind)
            raise
        TimelineEntry.objects.create(request=req, event="submitted", to_status=Status.SUBMITTED)
        audit_record(
            actor=None,
            action="requests.request.filed",
            target=req,
            payload={"reference": req.reference, "kind": kind, "account": False},
        )
        mail_queue(
            to=email,
            language=language,
            template="requests/receipt",
            context={
                "request": req,
                "recipient": principals.filer_addressee(req),
                "url": links.follow_path(req),
                "link_days": links.link_days(),
            },
        )
    return req


# --- following the request through the signed link -----------------------------------------


def request_for_link(token: str) -> DataRequest:
    """The request of a signed link, with what its page shows (DoesNotExist / LinkExpired)."""
    return links.request_for_token(token, queryset=selectors.requests_without_account())


def link_resend(*, req: DataRequest) -> None:
    """Mail a freshly signed link to the address on record (never anywhere else), counted
    like a code against the address's limit."""
    email = req.requester_email
    now = timezone.now()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"{CODE_SALT}:{email}"])
        times = list(
            EmailCode.objects.filter(email=email, created_at__gt=now - RATE_WINDOW)
            .order_by("created_at")
            .values_list("created_at", flat=True)
        )
        retry_at = _retry_at(times, codes_per_address())
        if retry_at is not None:
            raise TooManyCodes(
                _(
                    "Too many mails were sent to this address in a short time. Please try "
                    "again after %(time)s."
                )
                % {"time": timezone.localtime(retry_at).strftime("%H:%M")},
                retry_at=retry_at,
            )
        # The resend takes a slot of the address's limit: an (unusable) code row records it.
        EmailCode.objects.create(
            email=email,
            code_hash="",
            created_at=now,
            expires_at=now + timedelta(seconds=1),
            attempts=EMAIL_CODE_MAX_ATTEMPTS,
        )
        mail_queue(
            to=email,
            language=req.requester_language,
            template="requests/follow_link",
            context={
                "request": req,
                "recipient": principals.filer_addressee(req),
                "url": links.follow_path(req),
                "link_days": links.link_days(),
            },
        )


def requester_message_post(*, req: DataRequest, body: str, client_token=None) -> RequestMessage:
    """A message from the requester without an account, like a customer's (the link was
    checked by the caller)."""
    return request_messages.message_from_customer(
        request=req, author=None, body=body, client_token=client_token
    )


def requester_document_upload(
    *, req: DataRequest, upload: UploadedFile, purpose: str = DocumentPurpose.IDENTITY
) -> RequestDocument:
    """The requester without an account uploads an identity document (LW-6.3 ground 4), checked
    and stored like a customer's (the link was checked by the caller)."""
    return documents.document_receive(
        request=req,
        uploaded_by=None,
        upload=upload,
        purpose=purpose,
        closed=_("This request is closed. Please file a new request or an inquiry."),
    )


def requester_document_open(*, document: RequestDocument):
    """Open a document the requester uploaded (the link was checked by the caller)."""
    if document.deleted_at is not None:
        raise RequestError(_("This document was deleted after its retention period."))
    audit_record(
        actor=None,
        action="requests.document.viewed",
        target=document,
        payload={"reference": document.request.reference, "by_owner": True},
    )
    return documents.private_storage().open(document.stored_name, "rb")


def requester_package_open(*, package: DisclosurePackage, fmt: str):
    """The answer of a request filed without an account, for its requester, while the
    download period lasts (the link was checked by the caller)."""
    packages.package_owner_take(package=package)
    name = package.json_name if fmt == "json" else package.html_name
    return packages.package_storage().open(name, "rb")


# --- staff: whose data is it? ----------------------------------------------------------------


def match_candidates(req: DataRequest) -> list[User]:
    """Accounts staff may match an account-less requester to: the account using the
    requester's address (a proved address is strong evidence, not proof: staff still check
    identity). An erased account is found by a request reference the requester quotes
    (`account_for_reference`). We keep no promotion-contact list to search."""
    if req.customer_id is not None or not req.requester_email:
        return []
    return list(User.objects.filter(email__iexact=req.requester_email, is_active=True))


def account_for_reference(reference: str) -> User | None:
    """The account behind an earlier request, also an erased account (its pseudonymous
    records stay tied to it), by the reference the requester quotes."""
    found = (
        DataRequest.objects.filter(reference__iexact=reference.strip(), customer__isnull=False)
        .select_related("customer")
        .first()
    )
    return found.customer if found else None


def match_target(*, account_email: str = "", earlier_reference: str = "") -> User | None:
    """The account a staff member names for a match: by its address, or by an earlier
    request's reference (how an erased account is found). Raises RequestError if none."""
    if account_email:
        found = User.objects.filter(email__iexact=account_email.strip()).first()
        if found is None:
            raise RequestError(
                _("No account uses %(email)s; nothing was changed.") % {"email": account_email}
            )
        return found
    found = account_for_reference(earlier_reference)
    if found is None:
        raise RequestError(
            _(
                "No request filed from an account has the reference %(reference)s; nothing "
                "was changed."
            )
            % {"reference": earlier_reference.strip()}
        )
    return found


def requester_match(
    *, request_id: int, actor: User, customer: User | None, expected_status: str | None = None
) -> DataRequest:
    """Staff match the requester of an account-less request to an account (also an erased
    one), or, with `customer=None`, record that we hold no data about them, in which case
    the request can close only as "no data held" (APPI Art. 33). Done while checking
    identity, before anything is fulfilled; audited (LW-5)."""
    if actor is None or not actor.is_privacy_staff:
        raise RequestError(_("Only privacy staff can do this."))
    with transaction.atomic():
        req = DataRequest.objects.select_for_update(of=("self",)).get(pk=request_id)
        if expected_status is not None and req.status != expected_status:
            raise RequestError(
                _(
                    "Request %(reference)s changed meanwhile (it is now “%(status)s”); "
                    "nothing was done. Please look at it again."
                )
                % {"reference": req.reference, "status": req.get_status_display()}
            )
        if req.customer_id is not None or req.on_behalf:
            raise RequestError(
                _("Request %(reference)s was not filed by a person without an account.")
                % {"reference": req.reference}
            )
        if not req.is_open:
            raise RequestError(
                _("Request %(reference)s is closed; nothing was changed.")
                % {"reference": req.reference}
            )
        if not workflow.can_match_requester(req):
            raise RequestError(
                _(
                    "The requester is matched while their identity is checked; request "
                    "%(reference)s is past that."
                )
                % {"reference": req.reference}
            )
        req.matched_customer = customer
        req.matched_none = customer is None
        req.matched_at = timezone.now()
        req.save(update_fields=["matched_customer", "matched_none", "matched_at", "updated_at"])
        if customer is None:
            note = _("We hold no data about the requester.")
        else:
            note = _("Matched to the account %(account)s.") % {"account": customer.email}
        TimelineEntry.objects.create(request=req, event="requester_match", actor=actor, note=note)
        audit_record(
            actor=actor,
            action="requests.request.requester_matched",
            target=req,
            payload={
                "reference": req.reference,
                "account": customer.pk if customer else None,
                "no_data": customer is None,
            },
        )
    return req
