"""Access-log rows past their retention are purged by a scheduled job (LW-2.2B)."""

import datetime

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from portal.models import AccessLogEntry, AuditEvent
from portal.services import access_log_purge


@pytest.mark.django_db
@pytest.mark.clause("LW-2.2B")
def test_purge_keeps_recent_rows_and_counts_what_went(customer, settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 30
    now = timezone.now()
    old = AccessLogEntry.objects.create(
        user=customer, action="sign_in", created_at=now - datetime.timedelta(days=31)
    )
    recent = AccessLogEntry.objects.create(
        user=customer, action="sign_in", created_at=now - datetime.timedelta(days=29)
    )
    assert access_log_purge(now=now) == 1
    assert list(AccessLogEntry.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not AccessLogEntry.objects.filter(pk=old.pk).exists()
    event = AuditEvent.objects.get(action="portal.access_log.purged")
    assert event.payload["deleted"] == 1
    assert access_log_purge(now=now) == 0  # a second run is harmless


@pytest.mark.django_db
def test_schedules_are_in_the_database():
    tasks = set(PeriodicTask.objects.values_list("task", flat=True))
    assert {"portal.tasks.access_log_purge_task", "portal.tasks.mail_outbox_flush_task"} <= tasks
