"""The two roles of LW-5 as groups with their permissions.

Privacy staff get the back-office permission and may view the portal's records in the
admin; privacy administrators also approve, and may change users. Each later app gives its
own model permissions to these groups in its own migration (portal.roles.grant_permissions).
"""

from django.db import migrations

from portal.roles import grant_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_audit_append_only"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        grant_permissions(
            "portal",
            staff=["staff_portal", "view_auditevent", "view_outboundmail"],
            admins=["privacy_admin", "view_accesslogentry", "view_user", "change_user"],
        )
    ]
