"""Celery tasks of the partners app: they take ids and call a service."""

from __future__ import annotations

from celery import shared_task

from partners.services import exports, records, reviews


@shared_task(acks_late=True)
def export_run_task(export_id: int) -> int:
    """Run one de-identified export (LY-5). Safe to run twice: the export is claimed first."""
    return exports.export_run(export_id=export_id).rows


@shared_task
def provision_records_purge_task() -> int:
    """Daily: delete provision records past the retention period (APPI Art. 29)."""
    return records.provision_records_purge()


@shared_task
def arrangement_reviews_remind_task() -> int:
    """Daily: tell privacy staff about supervision reviews due within a month (LW-4.2)."""
    return reviews.arrangement_reviews_remind()


@shared_task
def export_files_purge_task() -> int:
    """Daily: delete export files past their download period (LY-5)."""
    return exports.export_files_purge()


# The partner API's tasks (issue 14), so that Celery's autodiscovery finds them.
from partners.api.tasks import webhook_deliver_task, webhook_deliveries_sweep_task  # noqa: E402, F401
