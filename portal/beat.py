"""Periodic jobs live in the database (django-celery-beat), created by data migrations so that
administrators see and change them in the admin. `periodic_tasks` is that migration operation;
each app creates the schedules of its own tasks in its own migrations (docs/architecture.md,
"Jobs")."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import migrations


@dataclass(frozen=True)
class Job:
    name: str  # shown in the admin
    task: str  # dotted task name
    every_minutes: int | None = None  # an interval job...
    hour: str = "*"  # ...or a crontab in Asia/Tokyo
    minute: str = "0"


def periodic_tasks(*jobs: Job, keep_existing: bool = False):
    """A migration operation creating (or updating) the jobs' schedules; reversed by deleting.
    With `keep_existing`, a schedule already in the database is left as it is (a schedule
    moved from one app's migrations to another's keeps what administrators changed)."""

    def forward(apps, schema_editor):
        PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
        for job in jobs:
            if keep_existing and PeriodicTask.objects.filter(name=job.name).exists():
                continue
            if job.every_minutes:
                interval, _ = apps.get_model(
                    "django_celery_beat", "IntervalSchedule"
                ).objects.get_or_create(every=job.every_minutes, period="minutes")
                schedule = {"interval": interval, "crontab": None}
            else:
                crontab, _ = apps.get_model(
                    "django_celery_beat", "CrontabSchedule"
                ).objects.get_or_create(
                    minute=job.minute,
                    hour=job.hour,
                    day_of_week="*",
                    day_of_month="*",
                    month_of_year="*",
                    timezone="Asia/Tokyo",
                )
                schedule = {"crontab": crontab, "interval": None}
            PeriodicTask.objects.update_or_create(
                name=job.name, defaults={"task": job.task, **schedule}
            )

    def backward(apps, schema_editor):
        apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
            name__in=[job.name for job in jobs]
        ).delete()

    return migrations.RunPython(forward, backward)
