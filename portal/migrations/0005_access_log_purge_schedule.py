"""The nightly access-log retention purge as a django-celery-beat schedule."""

from django.db import migrations

NAME = "Access log: purge entries past retention"


def forward(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="3",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Tokyo",
    )
    PeriodicTask.objects.update_or_create(
        name=NAME, defaults={"task": "portal.tasks.access_log_purge_task", "crontab": nightly}
    )


def backward(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0004_outbox_schedule")]

    operations = [migrations.RunPython(forward, backward)]
