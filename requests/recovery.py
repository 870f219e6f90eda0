"""Stale work of the requests app goes back to a worker (issue 10, "Background work never
strands"): disclosure packages queued while the broker was down or left "building" by a worker
that died (LW-6.1), and notices to an erased account whose scrub was never queued (LW-6.1,
LW-1). Registered with `portal.recovery` in RequestsConfig.ready."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from portal.models import OutboundMail
from portal.recovery import task_send
from portal.services import audit_record
from requests.models import DisclosurePackage, PackageStatus

BATCH = 200


def package_requeue_stale(stale_before: datetime.datetime) -> int:
    """Queue again every package queued or building without progress since `stale_before`."""
    from requests.tasks import package_build_task

    stale = Q(
        status__in=[PackageStatus.QUEUED, PackageStatus.BUILDING], progress_at__lt=stale_before
    )
    handed = 0
    for package in (
        DisclosurePackage.objects.filter(stale)
        .order_by("progress_at", "id")
        .only("pk", "status", "request_id")[:BATCH]
    ):
        moved = DisclosurePackage.objects.filter(
            stale, pk=package.pk, status=package.status
        ).update(status=PackageStatus.QUEUED, progress_at=timezone.now())
        if not moved:
            continue
        audit_record(
            actor=None,
            action="requests.package.requeued",
            target=package.request,
            payload={"package": package.pk, "was": package.status},
        )
        if task_send(package_build_task, package.pk, what=f"package {package.pk}"):
            handed += 1
    return handed


def erased_mail_scrub_stale(stale_before: datetime.datetime) -> int:
    """Scrub notices to erased accounts that were sent (or failed for good) but still hold the
    old address: their scrub task was never queued, or gave up. Done here, not queued: it is
    a few updates. Returns how many were scrubbed."""
    from requests.services import erasure

    done = list(
        OutboundMail.objects.filter(scrub_after_send=True)
        .exclude(status__in=[OutboundMail.Status.PENDING, OutboundMail.Status.SENDING])
        .values_list("pk", flat=True)[:1000]
    )
    if done:
        erasure.erased_mail_scrub(mail_ids=done)
    return len(done)
