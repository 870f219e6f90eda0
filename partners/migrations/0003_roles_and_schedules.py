"""Partners permissions for the two roles (LW-5) and the daily jobs (django-celery-beat).

Staff read the registry, records, exceptions and exports; administrators also configure the
registry. Nobody gets change or delete on provision records: they are never edited.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

STAFF = "Privacy staff"
ADMINS = "Privacy administrators"

VIEW = [
    "view_country",
    "view_partner",
    "view_arrangement",
    "view_provisionrecord",
    "view_exceptionrequest",
    "view_export",
    "view_reviewreminder",
]
CONFIGURE = [
    "add_country",
    "change_country",
    "add_partner",
    "change_partner",
    "add_arrangement",
    "change_arrangement",
]

JOBS = [
    # name, task, hour, minute (Asia/Tokyo)
    (
        "Partners: purge provision records past retention",
        "partners.tasks.provision_records_purge_task",
        "3",
        "30",
    ),
    (
        "Partners: remind staff of supervision reviews",
        "partners.tasks.arrangement_reviews_remind_task",
        "9",
        "0",
    ),
]


def forward(apps, schema_editor):
    config = apps.get_app_config("partners")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    staff, _ = Group.objects.get_or_create(name=STAFF)
    admins, _ = Group.objects.get_or_create(name=ADMINS)

    def perms(codenames):
        return list(
            Permission.objects.filter(content_type__app_label="partners", codename__in=codenames)
        )

    staff.permissions.add(*perms(VIEW))
    admins.permissions.add(*perms(VIEW + CONFIGURE))

    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, hour, minute in JOBS:
        schedule, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone="Asia/Tokyo",
        )
        PeriodicTask.objects.update_or_create(
            name=name, defaults={"task": task, "crontab": schedule, "interval": None}
        )


def backward(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=[STAFF, ADMINS]):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="partners"))
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task__in=[task for _name, task, _h, _m in JOBS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0002_records_guard"),
        ("portal", "0004_outbox_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forward, backward)]
