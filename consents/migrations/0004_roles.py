"""Consents permissions for the two roles (LW-5): staff read, administrators configure.

Nobody gets change or delete on consent events: the ledger is append-only.
"""

from django.db import migrations

from portal.roles import grant_permissions

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


class Migration(migrations.Migration):
    dependencies = [
        ("consents", "0003_ledger_append_only"),
        ("portal", "0003_roles"),
    ]

    operations = [grant_permissions("consents", staff=VIEW, admins=CONFIGURE)]
