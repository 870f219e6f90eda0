"""The daily purge of old export files as a django-celery-beat schedule."""

from django.db import migrations

from portal.beat import Job, periodic_tasks


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0005_review_reminders_use_portal_claims"),
        ("portal", "0005_access_log_purge_schedule"),
    ]

    operations = [
        periodic_tasks(
            Job(
                "Partners: delete export files past their download period",
                "partners.tasks.export_files_purge_task",
                hour="3",
                minute="45",
            )
        )
    ]
