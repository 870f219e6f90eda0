"""Partners permissions for the two roles (LW-5) and the daily jobs (django-celery-beat).

Staff read the registry, records, exceptions and exports; administrators also configure the
registry. Nobody gets change or delete on provision records: they are never edited.
"""

from django.db import migrations

from portal.beat import Job, periodic_tasks
from portal.roles import grant_permissions

VIEW = [
    "view_country",
    "view_partner",
    "view_arrangement",
    "view_provisionrecord",
    "view_exceptionrequest",
    "view_export",
]
CONFIGURE = [
    "add_country",
    "change_country",
    "add_partner",
    "change_partner",
    "add_arrangement",
    "change_arrangement",
]


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0002_records_guard"),
        ("portal", "0004_outbox_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        grant_permissions("partners", staff=VIEW, admins=CONFIGURE),
        periodic_tasks(
            Job(
                "Partners: purge provision records past retention",
                "partners.tasks.provision_records_purge_task",
                hour="3",
                minute="30",
            ),
            Job(
                "Partners: remind staff of supervision reviews",
                "partners.tasks.arrangement_reviews_remind_task",
                hour="9",
                minute="0",
            ),
        ),
    ]
