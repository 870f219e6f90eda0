"""Background work never strands: outbox rows remember that they are to be scrubbed
once sent (a notice to an account being erased), and the stale-work sweep runs every five
minutes as a django-celery-beat schedule."""

from django.db import migrations, models

from portal.beat import Job, periodic_tasks


class Migration(migrations.Migration):
    dependencies = [("portal", "0008_ledger_guards")]

    operations = [
        migrations.AddField(
            model_name="outboundmail",
            name="scrub_after_send",
            field=models.BooleanField(default=False, verbose_name="scrub after sending"),
        ),
        periodic_tasks(
            Job(
                "Background work: re-queue stale exports, packages and mail scrubs",
                "portal.tasks.stale_work_requeue_task",
                every_minutes=5,
            )
        ),
    ]
