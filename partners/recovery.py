"""Stale exports go back to a worker ("Background work never strands"; LY-5).

An export queued while the broker was down stays "queued"; one whose worker died stays
"running". Both are found by `progress_at` (set when queued, when a worker claims it and after
every committed chunk) and handed on again: a running one is first put back to "queued" with
a conditional update, so exactly one sweep re-queues it, and `export_run` resumes after the
last committed customer. Registered with `portal.recovery` in PartnersConfig.ready.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from partners.models import Export, ExportStatus
from portal.services import audit_record
from portal.tasking import task_send

BATCH = 200


def export_requeue_stale(stale_before: datetime.datetime) -> int:
    """Queue again every export queued or running without progress since `stale_before`;
    return how many were handed to the broker."""
    stale = Q(status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING], progress_at__lt=stale_before)
    handed = 0
    for export in (
        Export.objects.filter(stale).order_by("progress_at", "id").only("pk", "status")[:BATCH]
    ):
        # One conditional update each: a worker that makes progress meanwhile wins, and of two
        # sweeps at once only one re-queues.
        moved = Export.objects.filter(stale, pk=export.pk, status=export.status).update(
            status=ExportStatus.QUEUED, progress_at=timezone.now()
        )
        if not moved:
            continue
        audit_record(
            actor=None,
            action="partners.export.requeued",
            target=export,
            payload={"was": export.status},
        )
        if task_send("partners.tasks.export_run_task", export.pk, what=f"export {export.pk}"):
            handed += 1
    return handed
