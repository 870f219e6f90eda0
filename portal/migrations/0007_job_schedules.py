"""The scheduled jobs of issue 6 as django-celery-beat schedules (editable in the admin), and
the roles' permissions on the job models: administrators configure the job settings, staff
and administrators may look at which reminders were sent; administrators may see and change
the beat schedules in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

STAFF = "Privacy staff"
ADMINS = "Privacy administrators"

SCHEDULES = [
    # (name, task, interval minutes or None, crontab (minute, hour) or None)
    (
        "Requests: deadline reminders, escalation and overdue digest",
        "requests.tasks.request_deadline_sweep_task",
        5,
        None,
    ),
    (
        "Requests: customer nudges and lapsing",
        "requests.tasks.request_waiting_sweep_task",
        60,
        None,
    ),
    (
        "Requests: delete identity documents past retention",
        "requests.tasks.document_retention_purge_task",
        None,
        ("15", "4"),
    ),
]


def forward(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minutes, cron in SCHEDULES:
        defaults = {"task": task}
        if minutes:
            defaults["interval"], _ = IntervalSchedule.objects.get_or_create(
                every=minutes, period="minutes"
            )
        else:
            defaults["crontab"], _ = CrontabSchedule.objects.get_or_create(
                minute=cron[0],
                hour=cron[1],
                day_of_week="*",
                day_of_month="*",
                month_of_year="*",
                timezone="Asia/Tokyo",
            )
        PeriodicTask.objects.update_or_create(name=name, defaults=defaults)

    for label in ("portal", "django_celery_beat"):
        config = apps.get_app_config(label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(*codenames):
        return list(
            Permission.objects.filter(content_type__app_label="portal", codename__in=codenames)
        )

    staff, _ = Group.objects.get_or_create(name=STAFF)
    admins, _ = Group.objects.get_or_create(name=ADMINS)
    staff.permissions.add(*perms("view_reminderclaim", "view_jobsettings"))
    admins.permissions.add(
        *perms("view_reminderclaim", "view_jobsettings", "add_jobsettings", "change_jobsettings")
    )
    # The schedules themselves are visible and editable by administrators in the admin.
    admins.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="django_celery_beat",
            codename__in=[
                f"{verb}_{model}"
                for verb in ("view", "change")
                for model in ("periodictask", "intervalschedule", "crontabschedule")
            ],
        )
    )


def backward(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[name for name, *_ in SCHEDULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0006_jobs"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forward, backward)]
