"""The purge of expired package downloads is a beat schedule administrators can see."""

from __future__ import annotations

from django_celery_beat.models import PeriodicTask

from requests.tasks import package_expired_purge_task


def test_the_purge_is_scheduled_hourly(db):
    task = PeriodicTask.objects.get(task="requests.tasks.package_expired_purge_task")
    assert task.enabled and task.crontab.hour == "*" and task.crontab.minute == "25"
    assert package_expired_purge_task.name == task.task
