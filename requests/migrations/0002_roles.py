"""Give the requests app's permissions to the two roles of LW-5 (pattern: portal 0003).

Privacy staff look at requests and move them through the workflow; privacy administrators
also configure deadlines (SLA) and the fee schedule."""

from django.db import migrations

from portal.roles import grant_permissions

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


class Migration(migrations.Migration):
    dependencies = [
        ("requests", "0001_initial"),
        ("portal", "0003_roles"),
    ]

    operations = [grant_permissions("requests", staff=VIEW, admins=CONFIGURE)]
