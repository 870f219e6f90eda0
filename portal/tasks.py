"""Celery tasks of the portal app: they take ids and call a service."""

from __future__ import annotations

from celery import shared_task

from portal import services
from portal.recovery import stale_work_requeue


@shared_task(
    bind=True,
    autoretry_for=(services.TemporaryMailError,),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=services.MAIL_MAX_ATTEMPTS,
)
def mail_send_task(self, mail_id: int) -> bool:
    return services.mail_send(mail_id=mail_id)


@shared_task
def ping_task(note: str) -> str:
    """A trivial task used to prove a worker is alive end to end: it writes an audit event."""
    event = services.audit_record(actor=None, action="portal.worker.pinged", payload={"note": note})
    return str(event.pk)


@shared_task
def mail_outbox_flush_task() -> int:
    return services.mail_outbox_flush()


@shared_task
def access_log_purge_task() -> int:
    return services.access_log_purge()


@shared_task
def stale_work_requeue_task() -> dict[str, int]:
    """Every few minutes: hand work stranded by a dead broker or worker to a worker again."""
    return stale_work_requeue()
