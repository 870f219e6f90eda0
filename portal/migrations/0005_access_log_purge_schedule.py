"""The nightly access-log retention purge as a django-celery-beat schedule."""

from django.db import migrations

from portal.beat import Job, periodic_tasks


class Migration(migrations.Migration):
    dependencies = [("portal", "0004_outbox_schedule")]

    operations = [
        periodic_tasks(
            Job(
                "Access log: purge entries past retention",
                "portal.tasks.access_log_purge_task",
                hour="3",
                minute="30",
            )
        )
    ]
