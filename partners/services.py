"""Every write of the partners app, and the provision gate.

`provision_decide` is the one place that says whether personal data may go to a partner
(LW-4.1, LY-1, LY-6); `provision_record` writes the APPI Art. 29 record in the same transaction
as the provision; `provision` is the context manager callers wrap a provision in, so that a
failure after the record leaves neither. Consents are read only through `consents.selectors`;
the gate decides and records under `consents.services.consent_lock`, the lock every consent
change takes.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import hashlib
import hmac
import io
import json
import logging
import os
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from consents.models import ConsentEvent, ConsentState, Purpose, PurposeCategory
from consents.selectors import ConsentDecision, consent_decide, customers_consenting
from consents.services import consent_lock
from partners.errors import PartnerError
from partners.models import (
    EXCEPTION_APPROVAL,
    Arrangement,
    ArrangementStatus,
    Basis,
    Country,
    DataItem,
    ExceptionRequest,
    ExceptionStatus,
    Export,
    ExportStatus,
    Partner,
    ProvisionRecord,
)
from portal import approvals, inventory
from portal.models import ApprovalStatus, User
from portal.services import audit_record

logger = logging.getLogger(__name__)

# The purposes a de-identified export may serve (LY-5 (1)-(4)): provision to partners and
# research. Which purposes exist is configured in consents; these are their categories.
EXPORT_PURPOSE_CATEGORIES = (PurposeCategory.PARTNER_PROVISION, PurposeCategory.RESEARCH)

# What one row of a de-identified export carries (LY-5), as data items.
EXPORT_ITEMS = (
    DataItem.ACCOUNT_PSEUDONYM.value,
    DataItem.PREFECTURE.value,
    DataItem.BIRTH_YEAR.value,
    DataItem.LANGUAGE.value,
    DataItem.USAGE.value,
)

# User fields that are neither data about the person's life nor safe to hand out: account
# machinery and secrets. Everything else not marked direct by the inventory may be exported.
_NOT_EXPORTED = {
    "id",
    "password",
    "last_login",
    "groups",
    "user_permissions",
    "email_confirmed_at",
}


# --- the gate -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProvisionDecision:
    """The gate's answer for one customer, partner, purpose and set of data items."""

    allowed: bool
    basis: str | None  # a partners.models.Basis value when allowed
    reason: str  # a short code: allowed, no_arrangement, items_outside, restricted, ...
    message: str  # for staff and logs, in the active language
    arrangement: Arrangement | None = None
    consent_event: ConsentEvent | None = None  # the consent relied on (basis consent)
    decided_by: str = ""  # which consent decided (service, general, default ...; LY-6)
    overseas_consent_event: ConsentEvent | None = None
    items: tuple[str, ...] = field(default_factory=tuple)


def _deny(reason: str, message: str, **extra) -> ProvisionDecision:
    return ProvisionDecision(allowed=False, basis=None, reason=reason, message=message, **extra)


def _service_code(partner: Partner) -> str | None:
    service = partner.service if partner.service_id else None
    return service.code if service is not None else None


def overseas_purpose_for(country: Country) -> Purpose | None:
    """The consent item for provision to this country (LY-2, APPI Art. 28): the country's
    configured purpose, else an active overseas-provision purpose that lists the country."""
    if country.consent_purpose_id:
        return country.consent_purpose
    for purpose in Purpose.objects.filter(
        category=PurposeCategory.OVERSEAS_PROVISION, is_active=True
    ):
        if country.code.upper() in purpose.country_list:
            return purpose
    return None


def _needs_overseas_consent(partner: Partner, basis: str) -> bool:
    """APPI Art. 28: provision abroad needs its own consent, except to a country recognised
    as equivalent; an entrusted processor abroad is exempt when it keeps measures
    equivalent to APPI (Rule 16)."""
    country = partner.country
    if not country.is_overseas or country.equivalent_protection:
        return False
    return not (basis in (Basis.ENTRUSTMENT, Basis.JOINT_USE) and partner.equivalent_measures)


_BASIS_PREFERENCE = {Basis.ENTRUSTMENT: 0, Basis.JOINT_USE: 1, Basis.CONSENT: 2}


def provision_decide(
    *,
    customer: User,
    partner: Partner,
    purpose: Purpose,
    items: Iterable[str],
    exception: ExceptionRequest | None = None,
    on: datetime.date | None = None,
) -> ProvisionDecision:
    """Decide one provision (LW-4.1, LY-1, LY-6; APPI Art. 27-28).

    - Exceptions B-F only through an `ExceptionRequest` a privacy administrator other than
      the requester approved, for exactly that customer, partner, purpose and items, once.
    - Otherwise an active arrangement in force must cover the purpose and every item.
    - An active suspension or third-party stop (the consent ledger answers "restriction")
      denies on every basis but an approved exception.
    - Entrustment and joint use need no consent, unless the arrangement is marked as
      needing it (basis "with consent", LY-1, LY-4); consent (A) needs the customer's consent
      for the purpose, the service-specific one first (LY-6), and for an overseas recipient
      also the consent for that country (LY-2).
    """
    items_t = tuple(sorted(set(items)))
    unknown = set(items_t) - set(DataItem.values)
    if not items_t or unknown:
        return _deny("unknown_items", _("Name one or more known data items."), items=items_t)
    if exception is not None:
        return _decide_exception(
            customer=customer, partner=partner, purpose=purpose, items=items_t, exc=exception
        )
    if not partner.is_active:
        return _deny("partner_inactive", _("The partner is not active."), items=items_t)
    on = on or timezone.localdate()
    arrangements = [
        a
        for a in partner.arrangements.filter(status=ArrangementStatus.ACTIVE, purposes=purpose)
        if a.in_force(on)
    ]
    if not arrangements:
        return _deny(
            "no_arrangement",
            _("No active arrangement with this partner covers this purpose."),
            items=items_t,
        )
    covering = sorted(
        (a for a in arrangements if set(items_t) <= set(a.data_items)),
        key=lambda a: (_BASIS_PREFERENCE[a.basis], a.pk),
    )
    if not covering:
        return _deny(
            "items_outside",
            _("The arrangement does not cover every data item asked for."),
            items=items_t,
        )
    arrangement = covering[0]
    consent: ConsentDecision = consent_decide(
        customer=customer, purpose_code=purpose.code, service_code=_service_code(partner)
    )
    if consent.decided_by == "restriction":
        return _deny(
            "restricted",
            _("The customer asked to stop this use or provision (suspension or third-party stop)."),
            arrangement=arrangement,
            decided_by=consent.decided_by,
            items=items_t,
        )
    overseas_event = None
    if _needs_overseas_consent(partner, arrangement.basis):
        overseas = overseas_purpose_for(partner.country)
        if overseas is None:
            return _deny(
                "no_overseas_consent",
                _("No consent item exists for provision to %(country)s.")
                % {"country": partner.country.name},
                arrangement=arrangement,
                items=items_t,
            )
        overseas_consent = consent_decide(customer=customer, purpose_code=overseas.code)
        if not overseas_consent.granted:
            return _deny(
                "no_overseas_consent",
                _("The customer has not agreed to provision to %(country)s.")
                % {"country": partner.country.name},
                arrangement=arrangement,
                decided_by=overseas_consent.decided_by,
                items=items_t,
            )
        overseas_event = overseas_consent.event
    if not arrangement.consults_consent:
        return ProvisionDecision(
            allowed=True,
            basis=arrangement.basis,
            reason="allowed",
            message=_("Allowed: %(basis)s within the recorded items and purposes.")
            % {"basis": arrangement.get_basis_display()},
            arrangement=arrangement,
            overseas_consent_event=overseas_event,
            items=items_t,
        )
    if not consent.granted:
        return _deny(
            "no_consent",
            _("The customer has not agreed to this purpose."),
            arrangement=arrangement,
            decided_by=consent.decided_by,
            items=items_t,
        )
    if arrangement.basis == Basis.CONSENT:
        message = _("Allowed: the customer agreed (decided by the %(which)s consent).") % {
            "which": consent.decided_by
        }
    else:
        # An entrustment or joint use marked as needing consent (LY-1, LY-4).
        message = _("Allowed: %(basis)s (decided by the %(which)s consent).") % {
            "basis": arrangement.get_provision_basis_display(),
            "which": consent.decided_by,
        }
    return ProvisionDecision(
        allowed=True,
        basis=arrangement.provision_basis,
        reason="allowed",
        message=message,
        arrangement=arrangement,
        consent_event=consent.event,
        decided_by=consent.decided_by,
        overseas_consent_event=overseas_event,
        items=items_t,
    )


def _decide_exception(
    *, customer: User, partner: Partner, purpose: Purpose, items: tuple[str, ...], exc
) -> ProvisionDecision:
    approved = (
        exc.status == ExceptionStatus.PROVIDED
        and exc.decided_by_id is not None
        and exc.decided_by_id != exc.requested_by_id
        and exc.decided_by.is_privacy_admin
        and bool(exc.justification.strip())
    )
    if not approved:
        return _deny(
            "exception_not_approved",
            _("An exception needs a written justification and another administrator's approval."),
            items=items,
        )
    # Exactly the provision it describes (LW-4.1): same customer, recipient, purpose and
    # the same data items, no fewer and no more.
    same = (
        exc.customer_id == customer.pk
        and exc.partner_id == partner.pk
        and exc.purpose_id == purpose.pk
        and set(items) == set(exc.data_items)
    )
    if not same:
        return _deny(
            "exception_mismatch",
            _("The approval covers a different customer, recipient, purpose or data."),
            items=items,
        )
    if exc.pk is not None and ProvisionRecord.objects.filter(exception_id=exc.pk).exists():
        return _deny(
            "exception_used",
            _(
                "This approval has already been used for its provision; another provision "
                "needs a new exception and a new approval."
            ),
            items=items,
        )
    return ProvisionDecision(
        allowed=True,
        basis=exc.basis,
        reason="allowed",
        message=_("Allowed: %(basis)s, approved by an administrator.")
        % {"basis": exc.get_basis_display()},
        items=items,
    )


# --- records (APPI Art. 29) -----------------------------------------------------------------


def customer_reference(customer_id: int) -> str:
    """A stable pseudonym of a customer for legal records, kept after erasure."""
    key = settings.PARTNERS_PSEUDONYM_SECRET.encode()
    return hmac.new(key, f"record:{customer_id}".encode(), hashlib.sha256).hexdigest()[:32]


def _record_from(
    *,
    decision: ProvisionDecision,
    customer_id: int,
    partner: Partner,
    purpose: Purpose,
    actor: User | None,
    exception: ExceptionRequest | None = None,
    export: Export | None = None,
    consent_event_id: int | None = None,
    provided_at: datetime.datetime | None = None,
) -> ProvisionRecord:
    return ProvisionRecord(
        partner=partner,
        recipient_name=f"{partner.name_ja} / {partner.name_en}"[:420],
        recipient_country=partner.country.code,
        arrangement=decision.arrangement,
        customer_id=customer_id,
        customer_reference=customer_reference(customer_id),
        purpose=purpose,
        data_items=list(decision.items),
        basis=decision.basis,
        decided_by=decision.decided_by,
        consent_event_id=consent_event_id
        if consent_event_id is not None
        else (decision.consent_event.pk if decision.consent_event else None),
        overseas_consent_event_id=(
            decision.overseas_consent_event.pk if decision.overseas_consent_event else None
        ),
        exception=exception,
        export=export,
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
        provided_at=provided_at or timezone.now(),
    )


@transaction.atomic
def provision_record(
    *,
    customer: User,
    partner: Partner,
    purpose: Purpose,
    items: Sequence[str],
    actor: User | None = None,
    exception: ExceptionRequest | None = None,
) -> ProvisionRecord:
    """Decide a provision and write its record (APPI Art. 29; LW-4.1, LW-4.2, LY-3).

    Raises PartnerError (with the decision) when the gate refuses. Every allowed provision
    is recorded, with its basis: consent, entrustment and joint use alike, so a customer
    and staff can see where data went. Call it inside the transaction that performs the
    provision (or use `provision`), so a later failure rolls the record back too.
    """
    # The lock consent changes take, held until the record commits: a withdrawal or a
    # restriction either committed before the gate reads consent, or waits for the record.
    consent_lock(customer=customer)
    if exception is not None:
        # Serialise uses of one exception: the second sees the first one's record.
        exception = ExceptionRequest.objects.select_for_update().get(pk=exception.pk)
    decision = provision_decide(
        customer=customer, partner=partner, purpose=purpose, items=items, exception=exception
    )
    if not decision.allowed:
        raise PartnerError(decision.message, decision=decision)
    record = _record_from(
        decision=decision,
        customer_id=customer.pk,
        partner=partner,
        purpose=purpose,
        actor=actor,
        exception=exception,
    )
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as exc:
        if "partners_record_one_per_exception" not in str(exc) and "exception_id" not in str(exc):
            raise
        # The database refuses a second use of one exception (LW-4.1).
        raise PartnerError(
            _(
                "This approval has already been used for its provision; another provision "
                "needs a new exception and a new approval."
            )
        ) from exc
    audit_record(
        actor=actor,
        action="partners.provision.recorded",
        target=record,
        payload={
            "partner": partner.pk,
            "purpose": purpose.code,
            "basis": record.basis,
            "items": record.data_items,
            "customer": customer.pk,
        },
    )
    return record


@contextlib.contextmanager
def provision(
    *,
    customer: User,
    partner: Partner,
    purpose: Purpose,
    items: Sequence[str],
    actor: User | None = None,
) -> Iterator[ProvisionRecord]:
    """Wrap a provision: the gate decides, the record is written, then the body runs, all
    in one transaction. An exception in the body rolls back the record as well (APPI-29)."""
    with transaction.atomic():
        yield provision_record(
            customer=customer, partner=partner, purpose=purpose, items=items, actor=actor
        )


def provision_records_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete provision records past the retention period (APPI Art. 29: 3 years by
    default, settings.PROVISION_RECORD_RETENTION_DAYS). On PostgreSQL through the owner's
    `partners_provisionrecord_purge`, which refuses a cutoff inside the retention period the
    database holds (`migrate` sets it from the same setting): the later of the two periods
    wins."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.PROVISION_RECORD_RETENTION_DAYS)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT least(%s::timestamptz, partners_provisionrecord_cutoff())", [cutoff]
                )
                cutoff = cursor.fetchone()[0]
                cursor.execute("SELECT partners_provisionrecord_purge(%s)", [cutoff])
                deleted = cursor.fetchone()[0]
        else:
            deleted, _by_model = ProvisionRecord.objects.filter(provided_at__lt=cutoff).delete()
        if deleted:
            audit_record(
                actor=None,
                action="partners.records.purged",
                payload={"deleted": deleted, "before": cutoff.isoformat()},
            )
    return deleted


@transaction.atomic
def provision_records_unlink(*, customer: User) -> int:
    """Drop the erased account's link from its provision records (APPI-29, LW-6.1); each
    record keeps its `customer_reference` pseudonym. Refused for an account that is not
    erased. Returns how many records were unlinked."""
    from portal.appendonly import erased_write

    return erased_write(
        function="partners_provisionrecord_unlink",
        customer=customer,
        fallback=lambda: models.QuerySet.update(
            ProvisionRecord.objects.filter(customer=customer), customer=None
        ),
    )


# --- registry -------------------------------------------------------------------------------


@transaction.atomic
def arrangement_activate(*, arrangement: Arrangement, actor: User | None) -> Arrangement:
    """Make an arrangement active. A joint-use arrangement needs the four LW-4.3 items and
    the administrator's address (APPI Art. 27(5)(iii)); an entrustment its contract, scope
    of instructions and review date (LW-4.2). The database refuses the same."""
    locked = Arrangement.objects.select_for_update().get(pk=arrangement.pk)
    if locked.status == ArrangementStatus.ACTIVE:
        return locked
    locked.status = ArrangementStatus.ACTIVE
    locked.activated_at = timezone.now()
    try:
        locked.full_clean()
    except ValidationError as exc:
        raise PartnerError(
            _("The arrangement cannot be activated: %(missing)s")
            % {"missing": ", ".join(sorted(exc.message_dict))}
        ) from exc
    locked.save(update_fields=["status", "activated_at"])
    audit_record(
        actor=actor,
        action="partners.arrangement.activated",
        target=locked,
        payload={"basis": locked.basis, "partner": locked.partner_id},
    )
    arrangement.status, arrangement.activated_at = locked.status, locked.activated_at
    return locked


@transaction.atomic
def arrangement_review_record(
    *, arrangement: Arrangement, actor: User, reviewed_on: datetime.date, next_due: datetime.date
) -> Arrangement:
    """Record a supervision review of an entrusted processor (LW-4.2, APPI Art. 25)."""
    if arrangement.basis != Basis.ENTRUSTMENT:
        raise PartnerError(_("Only entrustments have supervision reviews."))
    if next_due <= reviewed_on:
        raise PartnerError(_("The next review must be after this one."))
    locked = Arrangement.objects.select_for_update().get(pk=arrangement.pk)
    locked.last_reviewed_on = reviewed_on
    locked.review_due_on = next_due
    locked.save(update_fields=["last_reviewed_on", "review_due_on"])
    audit_record(
        actor=actor,
        action="partners.arrangement.reviewed",
        target=locked,
        payload={"reviewed_on": reviewed_on.isoformat(), "next_due": next_due.isoformat()},
    )
    return locked


# --- exceptions B-F (LW-4.1) -----------------------------------------------------------------


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
    provision_record(
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


# --- de-identified export (LY-5) --------------------------------------------------------------


def pseudonym_key(partner: Partner) -> bytes:
    """The partner's secret key: derived from a secret outside the database and the
    partner's random salt, so the database alone cannot reproduce pseudonyms."""
    secret = settings.PARTNERS_PSEUDONYM_SECRET.encode()
    message = f"partners.pseudonym:{partner.pseudonym_salt}".encode()
    return hmac.new(secret, message, hashlib.sha256).digest()


def pseudonym(*, key: bytes, customer_id: int) -> str:
    """HMAC-SHA256 of the customer id under a partner's key: stable for one partner,
    unlinkable across partners (LY-5)."""
    return hmac.new(key, str(customer_id).encode(), hashlib.sha256).hexdigest()


def export_columns() -> list[str]:
    """The user fields an export may carry: every personal field the data inventory does
    not mark as a direct identifier (LW-1), minus account machinery."""
    user_model = get_user_model()
    direct = set(inventory.direct_identifiers(user_model))
    return [
        name
        for name in inventory.personal_fields(user_model)
        if name not in direct and name not in _NOT_EXPORTED
    ]


def _coarsen(name: str, value, tz=None) -> str:
    """Location is kept to the prefecture (already the coarsest field we hold); times to
    the month, so a registration instant cannot single anyone out."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        local = value.astimezone(tz or timezone.get_current_timezone())
        return f"{local.year:04d}-{local.month:02d}"
    return str(value)


def export_purposes() -> models.QuerySet[Purpose]:
    return Purpose.objects.filter(category__in=EXPORT_PURPOSE_CATEGORIES, is_active=True)


def _export_arrangement(partner: Partner, purpose: Purpose) -> Arrangement | None:
    today = timezone.localdate()
    for arrangement in partner.arrangements.filter(
        status=ArrangementStatus.ACTIVE, basis=Basis.CONSENT, purposes=purpose
    ):
        if arrangement.in_force(today) and set(EXPORT_ITEMS) <= set(arrangement.data_items):
            return arrangement
    return None


@transaction.atomic
def export_start(*, partner: Partner, purpose: Purpose, actor: User) -> Export:
    """Start a de-identified export for a partner and one LY-5 purpose; the work runs in a
    Celery task queued when this transaction commits."""
    if not export_purposes().filter(pk=purpose.pk).exists():
        raise PartnerError(_("Exports serve only the four purposes of LY-5."))
    if not partner.is_active:
        raise PartnerError(_("The partner is not active."))
    if _export_arrangement(partner, purpose) is None:
        raise PartnerError(
            _(
                "No active consent arrangement with this partner covers this purpose "
                "and the export's data items."
            )
        )
    export = Export.objects.create(partner=partner, purpose=purpose, requested_by=actor)
    audit_record(
        actor=actor,
        action="partners.export.started",
        target=export,
        payload={"partner": partner.pk, "purpose": purpose.code},
    )
    _queue_export(export.pk)
    return export


def _queue_export(export_id: int) -> None:
    def _hand_to_worker() -> None:
        from partners.tasks import export_run_task

        try:
            export_run_task.delay(export_id)
        except Exception:  # a dead broker must not break the web request
            logger.warning("broker unavailable; export %s stays queued", export_id)

    transaction.on_commit(_hand_to_worker)


@transaction.atomic
def export_resume(*, export: Export, actor: User) -> Export:
    """Queue a failed export again; it resumes after the last customer it committed."""
    updated = Export.objects.filter(pk=export.pk, status=ExportStatus.FAILED).update(
        status=ExportStatus.QUEUED, error="", progress_at=timezone.now()
    )
    if not updated:
        raise PartnerError(_("Only a failed export can be resumed."))
    audit_record(actor=actor, action="partners.export.resumed", target=export)
    _queue_export(export.pk)
    export.refresh_from_db()
    return export


def export_path(export: Export) -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT) / "partners" / "exports" / export.file_name


def export_candidates(*, partner: Partner, purpose: Purpose) -> models.QuerySet:
    """The customers the gate allows for this export, as one ordered queryset of rows
    (id, then the exported columns). Built on
    `customers_consenting`, which already leaves out withdrawn and restricted customers;
    an overseas partner also needs the country's consent."""
    service_code = _service_code(partner)
    customers = customers_consenting(purpose_code=purpose.code, service_code=service_code)
    if _needs_overseas_consent(partner, Basis.CONSENT):
        overseas = overseas_purpose_for(partner.country)
        if overseas is None:
            return customers.none()
        customers = customers.filter(
            pk__in=customers_consenting(purpose_code=overseas.code).values("pk")
        )
    return customers.order_by("pk").values_list("pk", *export_columns())


def export_run(*, export_id: int, chunk_size: int | None = None) -> Export:
    """Run (or resume) an export: stream the allowed customers, write de-identified rows to
    a private CSV and the provision records in bulk, chunk by chunk, with progress.

    Each chunk's rows are flushed to disk before the transaction that writes its records
    and moves the progress commits; a retry truncates the file to the committed size and
    carries on after the last committed customer, so nothing is written twice. Memory
    stays flat: rows come from a server-side cursor, one chunk at a time.
    """
    chunk_size = chunk_size or settings.PARTNERS_EXPORT_CHUNK_SIZE
    claimed = Export.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING,
        started_at=Coalesce(models.F("started_at"), timezone.now()),
        progress_at=timezone.now(),
    )
    export = Export.objects.select_related("partner__country", "purpose").get(pk=export_id)
    if not claimed:
        return export  # running elsewhere, finished or failed: a second run is harmless
    try:
        _export_write(export, chunk_size)
    except Exception as exc:
        logger.exception("export %s failed", export_id)
        Export.objects.filter(pk=export_id).update(
            status=ExportStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        audit_record(
            actor=None,
            action="partners.export.failed",
            target=export,
            payload={"error": str(exc)[:200]},
        )
        raise
    export.refresh_from_db()
    return export


def _export_write(export: Export, chunk_size: int) -> None:
    partner, purpose = export.partner, export.purpose
    arrangement = _export_arrangement(partner, purpose)
    if arrangement is None:
        raise PartnerError(_("The partner's arrangement no longer covers this export."))
    columns = export_columns()
    if not export.file_name:
        export.file_name = f"export-{export.pk}-{secrets.token_hex(8)}.csv"
        Export.objects.filter(pk=export.pk).update(file_name=export.file_name)
    path = export_path(export)
    path.parent.mkdir(parents=True, exist_ok=True)
    if export.total is None:
        export.total = export_candidates(partner=partner, purpose=purpose).count()
        Export.objects.filter(pk=export.pk).update(total=export.total)
    plan = _ExportPlan.build(export, arrangement)
    header = ["pseudonym", *columns]
    with open(path, "a+b") as handle:
        # Drop whatever a crashed run wrote after the last committed chunk.
        handle.truncate(export.file_bytes)
        handle.seek(export.file_bytes)
        if export.file_bytes == 0:
            handle.write(_csv_line(header))
        while _export_commit_chunk(export, handle, plan, chunk_size):
            pass
    Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.COMPLETED, finished_at=timezone.now()
    )
    audit_record(
        actor=None,
        action="partners.export.completed",
        target=export,
        payload={"rows": export.rows, "partner": partner.pk, "purpose": purpose.code},
    )


def _csv_line(values: Sequence) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue().encode("utf-8")


# The columns an export writes for each record, in COPY order.
_RECORD_COLUMNS = (
    "partner_id",
    "recipient_name",
    "recipient_country",
    "arrangement_id",
    "customer_id",
    "customer_reference",
    "purpose_id",
    "data_items",
    "basis",
    "decided_by",
    "consent_event_id",
    "overseas_consent_event_id",
    "export_id",
    "provided_at",
)


@dataclass(frozen=True)
class _ExportPlan:
    """What every chunk of one export binds into its one statement (issue 13)."""

    partner: Partner
    purpose: Purpose
    arrangement_id: int
    service_id: int | None
    overseas_purpose_id: int | None
    key: bytes  # the partner's pseudonym key: a parameter of each statement, never stored

    @classmethod
    def build(cls, export: Export, arrangement: Arrangement) -> _ExportPlan:
        partner = export.partner
        overseas = None
        if _needs_overseas_consent(partner, Basis.CONSENT):
            overseas = overseas_purpose_for(partner.country)
        return cls(
            partner=partner,
            purpose=export.purpose,
            arrangement_id=arrangement.pk,
            service_id=partner.service_id,
            overseas_purpose_id=overseas.pk if overseas else None,
            key=pseudonym_key(partner),
        )


def _export_chunk_statement(plan: _ExportPlan, export: Export, chunk_size: int):
    """One statement per chunk: the next `chunk_size` customers the gate allows *now* (the
    decision is re-taken on every chunk, so a withdrawal or a restriction committed since
    the export started leaves that customer out of every later chunk), one APPI-29 record
    each with the consent relied on (the service-specific state's event first, LY-6, else
    the general one, else none for an opt-out default), and the de-identified columns of
    exactly the customers recorded, with the keyed pseudonym computed by pgcrypto's hmac()."""
    candidates = export_candidates(partner=plan.partner, purpose=plan.purpose)
    chunk_sql, chunk_params = (
        candidates.filter(pk__gt=export.last_customer_id)
        .order_by("pk")
        .values_list("pk")[:chunk_size]
        .query.sql_with_params()
    )
    partner = plan.partner
    state = ConsentState._meta.db_table
    record = ProvisionRecord._meta.db_table
    user = User._meta.db_table
    columns = ", ".join(f'"{name}"' for name in _RECORD_COLUMNS)
    sql = f"""
        WITH chunk (id) AS ({chunk_sql}),
        recorded AS (
            INSERT INTO "{record}" ({columns})
            SELECT %s, %s, %s, %s, c.id,
                left(encode(hmac(convert_to('record:' || c.id, 'UTF8'), %s, 'sha256'), 'hex'), 32),
                %s, %s::jsonb, %s,
                CASE WHEN ss.event_id IS NOT NULL THEN 'service'
                     WHEN gs.event_id IS NOT NULL THEN 'general' ELSE 'default' END,
                COALESCE(ss.event_id, gs.event_id), os.event_id, %s, %s
            FROM chunk c
            LEFT JOIN "{state}" ss ON ss.customer_id = c.id AND ss.purpose_id = %s
                AND ss.service_id = %s
            LEFT JOIN "{state}" gs ON gs.customer_id = c.id AND gs.purpose_id = %s
                AND gs.service_id IS NULL
            LEFT JOIN "{state}" os ON os.customer_id = c.id AND os.purpose_id = %s
                AND os.service_id IS NULL
            RETURNING customer_id
        )
        SELECT u.id, encode(hmac(convert_to(u.id::text, 'UTF8'), %s, 'sha256'), 'hex'),
            u.prefecture, u.birth_year, u.preferred_language,
            to_char(u.date_joined AT TIME ZONE %s, 'YYYY-MM')
        FROM recorded r JOIN "{user}" u ON u.id = r.customer_id
        ORDER BY u.id
    """  # noqa: S608 (names are the models'; every value is a parameter)
    secret = settings.PARTNERS_PSEUDONYM_SECRET.encode()
    params = [
        *chunk_params,
        partner.pk,
        f"{partner.name_ja} / {partner.name_en}"[:420],
        partner.country.code,
        plan.arrangement_id,
        secret,
        plan.purpose.pk,
        json.dumps(list(EXPORT_ITEMS)),
        Basis.CONSENT,
        export.pk,
        timezone.now(),
        plan.purpose.pk,
        plan.service_id,
        plan.purpose.pk,
        plan.overseas_purpose_id,
        plan.key,
        timezone.get_current_timezone_name(),
    ]
    return sql, params


def _export_chunk_portable(plan: _ExportPlan, export: Export, chunk_size: int) -> list[tuple]:
    """The chunk of `_export_chunk_statement` on a database without pgcrypto (the embedded
    SQLite default of `bin/run`): the same customers decided afresh, the same records and
    the same rows, with the pseudonyms computed here."""
    candidates = export_candidates(partner=plan.partner, purpose=plan.purpose)
    ids = list(
        candidates.filter(pk__gt=export.last_customer_id)
        .order_by("pk")
        .values_list("pk", flat=True)[:chunk_size]
    )
    if not ids:
        return []
    purposes = [plan.purpose.pk, plan.overseas_purpose_id]
    events = {
        (state.customer_id, state.purpose_id, state.service_id): state.event_id
        for state in ConsentState.objects.filter(customer_id__in=ids, purpose_id__in=purposes)
    }
    partner, now = plan.partner, timezone.now()
    records, rows = [], []
    for customer in User.objects.filter(pk__in=ids).order_by("pk"):
        specific = events.get((customer.pk, plan.purpose.pk, plan.service_id))
        general = events.get((customer.pk, plan.purpose.pk, None))
        records.append(
            ProvisionRecord(
                partner=partner,
                recipient_name=f"{partner.name_ja} / {partner.name_en}"[:420],
                recipient_country=partner.country.code,
                arrangement_id=plan.arrangement_id,
                customer_id=customer.pk,
                customer_reference=customer_reference(customer.pk),
                purpose_id=plan.purpose.pk,
                data_items=list(EXPORT_ITEMS),
                basis=Basis.CONSENT,
                decided_by="service" if specific else "general" if general else "default",
                consent_event_id=specific or general,
                overseas_consent_event_id=events.get((customer.pk, plan.overseas_purpose_id, None)),
                export_id=export.pk,
                provided_at=now,
            )
        )
        rows.append(
            (
                customer.pk,
                pseudonym(key=plan.key, customer_id=customer.pk),
                customer.prefecture,
                customer.birth_year,
                customer.preferred_language,
                timezone.localtime(customer.date_joined).strftime("%Y-%m"),
            )
        )
    ProvisionRecord.objects.bulk_create(records)
    return rows


def _export_commit_chunk(export: Export, handle, plan: _ExportPlan, chunk_size: int) -> int:
    """Decide, record and write the next chunk in one transaction; return its size (0 when
    the export is done). The chunk's lines are flushed to disk before the records and the
    progress commit; a retry truncates the file to the committed size."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            sql, params = _export_chunk_statement(plan, export, chunk_size)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
        else:
            rows = _export_chunk_portable(plan, export, chunk_size)
        if not rows:
            return 0
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(row[1:] for row in rows)
        handle.write(out.getvalue().encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())
        size = handle.tell()
        export.processed += len(rows)
        export.rows += len(rows)
        export.last_customer_id = rows[-1][0]
        export.file_bytes = size
        Export.objects.filter(pk=export.pk).update(
            processed=export.processed,
            rows=export.rows,
            last_customer_id=export.last_customer_id,
            file_bytes=size,
            progress_at=timezone.now(),
        )
    return len(rows)


def export_download_record(*, export: Export, actor: User) -> Path:
    """Check an export can be downloaded and log who took it (LY-5, LW-5)."""
    if export.status != ExportStatus.COMPLETED:
        raise PartnerError(_("The export is not finished."))
    path = export_path(export)
    if not export.file_name or not path.is_file():
        raise PartnerError(_("The export file is no longer available."))
    audit_record(
        actor=actor,
        action="partners.export.downloaded",
        target=export,
        payload={"rows": export.rows, "partner": export.partner_id},
    )
    return path


def export_files_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete export files (CSV of de-identified data) once they are older than
    PARTNERS_EXPORT_FILE_DAYS; the export and its provision records stay (APPI-29). One
    audit event with the count. Returns how many files went."""
    days = settings.PARTNERS_EXPORT_FILE_DAYS
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    old = list(
        Export.objects.filter(finished_at__lt=cutoff)
        .exclude(file_name="")
        .values_list("pk", "file_name")
    )
    for pk, file_name in old:
        with transaction.atomic():
            Export.objects.filter(pk=pk).update(file_name="")
            path = export_path(Export(file_name=file_name))
            transaction.on_commit(lambda p=path: p.unlink(missing_ok=True))
    audit_record(
        actor=None,
        action="partners.export_files.purged",
        payload={"deleted": len(old), "before": cutoff.isoformat()},
    )
    return len(old)


# --- supervision reviews (LW-4.2) -----------------------------------------------------------

REVIEW_REMINDER_DAYS = 30


def arrangement_reviews_remind(*, today: datetime.date | None = None) -> int:
    """Mail privacy staff once per entrustment and review due date, from a month before the
    date (and when it is overdue). The reminder is claimed (portal.ReminderClaim) in the same
    transaction as the mail is queued, so a second run sends nothing and a new due date gets
    its own reminder. Returns mails queued."""
    from portal.selectors import privacy_staff
    from portal.services import ClaimKey, mail_queue, reminder_claim_many

    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=REVIEW_REMINDER_DAYS)
    due = Arrangement.objects.filter(
        status=ArrangementStatus.ACTIVE, basis=Basis.ENTRUSTMENT, review_due_on__lte=horizon
    ).select_related("partner")
    staff = list(privacy_staff())
    queued = 0
    for arrangement in due:
        due_at = timezone.make_aware(
            datetime.datetime.combine(arrangement.review_due_on, datetime.time.min)
        )
        key = ClaimKey(arrangement._meta.label_lower, arrangement.pk, "supervision_review", due_at)
        with transaction.atomic():
            if not reminder_claim_many(keys=[key]):
                continue
            for member in staff:
                mail_queue(
                    to=member.email,
                    language=member.preferred_language,
                    template="partners/review_due",
                    context={
                        "arrangement": arrangement,
                        "partner": arrangement.partner,
                        "due_on": arrangement.review_due_on,
                        "overdue": arrangement.review_due_on < today,
                    },
                )
                queued += 1
    return queued


def records_view_record(*, viewer: User, filters: dict, page: int, record_ids: list[int]) -> None:
    """Staff looked at a page of provision records (LW-5: every staff view of customer data
    is audited, with what was on the page)."""
    audit_record(
        actor=viewer,
        action="partners.records.viewed",
        payload={"filters": filters, "page": page, "records": record_ids},
    )


def exception_view_record(*, viewer: User, exception: ExceptionRequest) -> None:
    """Staff opened an exception provision, which names a customer (LW-5)."""
    audit_record(
        actor=viewer,
        action="partners.exception.viewed",
        target=exception,
        payload={"customer": exception.customer_id},
    )
