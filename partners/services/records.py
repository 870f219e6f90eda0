"""Provision records (APPI Art. 29): written with the provision, purged, unlinked on erasure,
and the audit of staff views of them.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import hmac
from collections.abc import Iterator, Sequence

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consents.models import Purpose
from consents.services import consent_lock
from partners.errors import PartnerError
from partners.models import ExceptionRequest, Export, Partner, ProvisionRecord
from partners.services import gate
from portal.models import User
from portal.services import audit_record


def customer_reference(customer_id: int) -> str:
    """A stable pseudonym of a customer for legal records, kept after erasure."""
    key = settings.PARTNERS_PSEUDONYM_SECRET.encode()
    return hmac.new(key, f"record:{customer_id}".encode(), hashlib.sha256).hexdigest()[:32]


def _record_from(
    *,
    decision: gate.ProvisionDecision,
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
    decision = gate.provision_decide(
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


def records_view_record(*, viewer: User, filters: dict, page: int, record_ids: list[int]) -> None:
    """Staff looked at a page of provision records (LW-5: every staff view of customer data
    is audited, with what was on the page)."""
    audit_record(
        actor=viewer,
        action="partners.records.viewed",
        payload={"filters": filters, "page": page, "records": record_ids},
    )
