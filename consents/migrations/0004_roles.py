"""Consents permissions for the two roles (LW-5): staff read, administrators configure.

Nobody gets change or delete on consent events: the ledger is append-only.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

STAFF = "Privacy staff"
ADMINS = "Privacy administrators"

VIEW = [
    "view_purpose",
    "view_policyversion",
    "view_service",
    "view_consentevent",
    "view_consentstate",
    "view_restriction",
]
CONFIGURE = [
    "add_purpose",
    "change_purpose",
    "add_policyversion",
    "change_policyversion",
    "add_service",
    "change_service",
]


def forward(apps, schema_editor):
    config = apps.get_app_config("consents")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    staff, _ = Group.objects.get_or_create(name=STAFF)
    admins, _ = Group.objects.get_or_create(name=ADMINS)

    def perms(codenames):
        return list(
            Permission.objects.filter(content_type__app_label="consents", codename__in=codenames)
        )

    staff.permissions.add(*perms(VIEW))
    admins.permissions.add(*perms(VIEW + CONFIGURE))


def backward(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=[STAFF, ADMINS]):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="consents"))


class Migration(migrations.Migration):
    dependencies = [
        ("consents", "0003_ledger_append_only"),
        ("portal", "0003_roles"),
    ]

    operations = [migrations.RunPython(forward, backward)]
