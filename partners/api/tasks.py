"""Celery tasks of the partner API: they take ids and call a service."""

from __future__ import annotations

from celery import shared_task

from partners.api import webhooks


@shared_task(acks_late=True)
def webhook_deliver_task(delivery_id: int) -> None:
    """One attempt of a webhook delivery; the next attempt is queued with its back-off."""
    wait = webhooks.webhook_deliver(delivery_id=delivery_id)
    if wait is not None:
        webhook_deliver_task.apply_async((delivery_id,), countdown=wait)


@shared_task
def webhook_deliveries_sweep_task() -> int:
    """Every few minutes: deliveries whose task was lost go to a worker again."""
    return webhooks.webhook_deliveries_sweep()
