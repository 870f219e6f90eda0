"""The periodic outbox sweep as a django-celery-beat schedule, editable in the admin."""

from django.db import migrations

from portal.beat import Job, periodic_tasks


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_roles"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        periodic_tasks(
            Job(
                "Mail outbox: send what is pending",
                "portal.tasks.mail_outbox_flush_task",
                every_minutes=1,
            )
        )
    ]
