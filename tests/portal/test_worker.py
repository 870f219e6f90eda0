"""A real Celery worker, started by the suite, runs a portal task end to end on Redis."""

import pytest

from portal.models import AuditEvent


@pytest.mark.postgres
@pytest.mark.redis
def test_real_worker_runs_a_portal_task(celery_worker_process):
    celery_worker_process.send("portal.tasks.ping_task", "hello from the test")
    event = celery_worker_process.wait_for(
        lambda: AuditEvent.objects.filter(action="portal.worker.pinged").first()
    )
    assert event.payload == {"note": "hello from the test"}
    assert event.actor is None
