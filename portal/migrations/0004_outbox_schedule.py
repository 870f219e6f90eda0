"""The periodic outbox sweep as a django-celery-beat schedule, editable in the admin."""

from django.db import migrations


def forward(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.update_or_create(
        name="Mail outbox: send what is pending",
        defaults={"task": "portal.tasks.mail_outbox_flush_task", "interval": every_minute},
    )


def backward(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task="portal.tasks.mail_outbox_flush_task"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_roles"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forward, backward)]
