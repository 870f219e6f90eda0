"""Give the requests app's permissions to the two roles of LW-5 (pattern: portal 0003).

Privacy staff look at requests and move them through the workflow; privacy administrators
also configure deadlines (SLA) and the fee schedule."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

STAFF = "Privacy staff"
ADMINS = "Privacy administrators"

VIEW = [
    "view_datarequest",
    "view_timelineentry",
    "view_requestmessage",
    "view_requestdocument",
    "view_feepayment",
    "view_slaconfig",
    "view_feeschedule",
    "work_request",
]
CONFIGURE = [
    "add_slaconfig",
    "change_slaconfig",
    "delete_slaconfig",
    "add_feeschedule",
    "change_feeschedule",
    "delete_feeschedule",
]


def forward(apps, schema_editor):
    config = apps.get_app_config("requests")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    staff, _ = Group.objects.get_or_create(name=STAFF)
    admins, _ = Group.objects.get_or_create(name=ADMINS)

    def perms(codenames):
        return list(
            Permission.objects.filter(content_type__app_label="requests", codename__in=codenames)
        )

    staff.permissions.add(*perms(VIEW))
    admins.permissions.add(*perms(VIEW + CONFIGURE))


def backward(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=[STAFF, ADMINS]):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="requests", codename__in=VIEW + CONFIGURE
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("requests", "0001_initial"),
        ("portal", "0003_roles"),
    ]

    operations = [migrations.RunPython(forward, backward)]
