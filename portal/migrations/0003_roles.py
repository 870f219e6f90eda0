"""The two roles of LW-5 as groups with their permissions.

Privacy staff get the back-office permission and may view the portal's records in the
admin; privacy administrators also approve, and may change configuration. Later apps add
their own model permissions to these groups in their own migrations.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

STAFF = "Privacy staff"
ADMINS = "Privacy administrators"


def forward(apps, schema_editor):
    portal = apps.get_app_config("portal")
    portal.models_module = True
    create_permissions(portal, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    staff, _ = Group.objects.get_or_create(name=STAFF)
    admins, _ = Group.objects.get_or_create(name=ADMINS)

    def perms(*codenames):
        return list(
            Permission.objects.filter(content_type__app_label="portal", codename__in=codenames)
        )

    staff.permissions.add(*perms("staff_portal", "view_auditevent", "view_outboundmail"))
    admins.permissions.add(
        *perms(
            "staff_portal",
            "privacy_admin",
            "view_auditevent",
            "view_accesslogentry",
            "view_outboundmail",
            "view_user",
            "change_user",
        )
    )


def backward(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[STAFF, ADMINS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_audit_append_only"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forward, backward)]
