"""Celery tasks of the incidents app: they call a service and are safe to run twice."""

from __future__ import annotations

from celery import shared_task

from incidents import jobs, notices


@shared_task
def incident_deadline_sweep_task() -> dict[str, int]:
    """Report-deadline reminders and escalation (APPI Rule 8); beat: migration 0002."""
    return jobs.incident_deadline_sweep().as_dict()


@shared_task(acks_late=True)
def notices_send_task(incident_id: int) -> int:
    """Tell the people affected (APPI-26), chunk by chunk. Safe to run twice or retried: a
    person already told is never taken again, and a finished job does nothing."""
    return notices.notices_deliver(incident_id=incident_id)
