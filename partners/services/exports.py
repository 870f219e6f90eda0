"""The de-identified export (LY-5): started, run in chunks, resumed, downloaded and purged."""

from __future__ import annotations

import csv
import datetime
import hashlib
import hmac
import io
import json
import logging
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from consents.models import ConsentState, Purpose, PurposeCategory
from consents.selectors import customers_consenting
from partners.errors import PartnerError
from partners.models import (
    Arrangement,
    ArrangementStatus,
    Basis,
    DataItem,
    Export,
    ExportStatus,
    Partner,
    ProvisionRecord,
)
from partners.services import gate
from partners.services import records as provision_records
from portal import inventory
from portal.models import User
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
    service_code = gate.service_code(partner)
    customers = customers_consenting(purpose_code=purpose.code, service_code=service_code)
    if gate.needs_overseas_consent(partner, Basis.CONSENT):
        overseas = gate.overseas_purpose_for(partner.country)
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
        if gate.needs_overseas_consent(partner, Basis.CONSENT):
            overseas = gate.overseas_purpose_for(partner.country)
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
                customer_reference=provision_records.customer_reference(customer.pk),
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
