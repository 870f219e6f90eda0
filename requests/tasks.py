"""Celery tasks of the requests app. They take ids (or nothing, for periodic jobs), call a
service, and are safe to run twice: the scheduled jobs claim each mail before writing it."""

from __future__ import annotations

from celery import shared_task

from requests import jobs

# --- scheduled jobs (issue 6); beat schedules: portal/migrations/0007_job_schedules.py ------


@shared_task
def request_deadline_sweep_task() -> dict[str, int]:
    """Staff reminders, escalation and the overdue digest (LW-6.2); every few minutes."""
    return jobs.request_deadline_sweep().as_dict()


@shared_task
def request_waiting_sweep_task() -> dict[str, int]:
    """Customer nudges and lapsing of requests waiting on the customer or on payment."""
    return jobs.request_waiting_sweep().as_dict()


@shared_task
def document_retention_purge_task() -> dict[str, int]:
    """Identity documents past retention after their request closed; nightly."""
    return jobs.document_retention_purge()


# --- the back-office (issue 5): disclosure packages and erasure ---------------------------------


@shared_task(bind=True, max_retries=3, default_retry_delay=30)
def package_build_task(self, package_id: int) -> str:
    """Build one disclosure package; a second run finds it ready and does nothing."""
    from requests.services import packages

    return packages.package_build(package_id=package_id).status


@shared_task
def package_expired_purge_task() -> int:
    """Remove package files past their download period; hourly (beat, requests 0005)."""
    from requests.services import packages

    return packages.package_expired_purge()


@shared_task(bind=True, max_retries=20, default_retry_delay=120)
def erased_mail_scrub_task(self, mail_ids: list[int]) -> int:
    """Scrub the last notices to an erased account once they are sent."""
    from requests.services import erasure

    waiting = erasure.erased_mail_scrub(mail_ids=mail_ids)
    if waiting:
        raise self.retry()
    return waiting
