"""De-identified exports to partners (LY-5): start, run chunk by chunk in a worker, resume
after a failure, download, and purge old files. What a row carries and how one chunk is
decided and recorded is in `export_rows`; the pseudonyms in `pseudonyms`."""

from __future__ import annotations

import csv
import datetime
import io
import logging
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from consents.models import Purpose
from partners.errors import PartnerError
from partners.models import (
    Arrangement,
    ArrangementStatus,
    Basis,
    Export,
    ExportStatus,
    Partner,
)
from partners.services import export_rows
from partners.services.export_rows import EXPORT_ITEMS, export_candidates, export_purposes
from portal import tasking
from portal.models import User
from portal.services import audit_record

logger = logging.getLogger(__name__)

# Read under this name by the load benchmark (requests/management/commands/bench.py).
_RECORD_COLUMNS = export_rows.RECORD_COLUMNS


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
    # A dead broker must not break the web request: the export stays queued.
    tasking.enqueue_on_commit(
        "partners.tasks.export_run_task", export_id, what=f"export {export_id}"
    )


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
    columns = export_rows.export_columns()
    if not export.file_name:
        export.file_name = f"export-{export.pk}-{secrets.token_hex(8)}.csv"
        Export.objects.filter(pk=export.pk).update(file_name=export.file_name)
    path = export_path(export)
    path.parent.mkdir(parents=True, exist_ok=True)
    if export.total is None:
        export.total = export_candidates(partner=partner, purpose=purpose).count()
        Export.objects.filter(pk=export.pk).update(total=export.total)
    plan = export_rows.ExportPlan.build(export, arrangement)
    header = ["pseudonym", *columns]
    with open(path, "a+b") as handle:
        # Drop whatever a crashed run wrote after the last committed chunk.
        handle.truncate(export.file_bytes)
        handle.seek(export.file_bytes)
        if export.file_bytes == 0:
            handle.write(export_rows.csv_line(header))
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


def _export_commit_chunk(
    export: Export, handle, plan: export_rows.ExportPlan, chunk_size: int
) -> int:
    """Decide, record and write the next chunk in one transaction; return its size (0 when
    the export is done). The chunk's lines are flushed to disk before the records and the
    progress commit; a retry truncates the file to the committed size."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            sql, params = export_rows.chunk_statement(plan, export, chunk_size)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
        else:
            rows = export_rows.chunk_portable(plan, export, chunk_size)
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
