"""The back-office models' permissions for the two roles (LW-5), and the hourly purge of
expired disclosure-package downloads as a django-celery-beat schedule (editable in the admin).

Staff see decisions, approvals and packages; only the workflow services change them."""

from django.db import migrations

from portal.roles import grant_permissions

VIEW = ["view_decisionitem", "view_approval", "view_disclosurepackage"]

PURGE = "Requests: delete expired disclosure-package downloads"
PURGE_TASK = "requests.tasks.package_expired_purge_task"


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="25",
        hour="*",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Tokyo",
    )
    PeriodicTask.objects.update_or_create(
        name=PURGE, defaults={"task": PURGE_TASK, "crontab": crontab, "interval": None}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=PURGE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("requests", "0003_backoffice"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        grant_permissions("requests", staff=VIEW, admins=[]),
        migrations.RunPython(schedule, unschedule),
    ]
