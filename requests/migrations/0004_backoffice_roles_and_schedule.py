"""The back-office models' permissions for the two roles (LW-5), and the hourly purge of
expired disclosure-package downloads as a django-celery-beat schedule (editable in the admin).

Staff see decisions, approvals and packages; only the workflow services change them."""

from django.db import migrations

from portal.beat import Job, periodic_tasks
from portal.roles import grant_permissions

VIEW = ["view_decisionitem", "view_approval", "view_disclosurepackage"]


class Migration(migrations.Migration):
    dependencies = [
        ("requests", "0003_backoffice"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        grant_permissions("requests", staff=VIEW, admins=[]),
        periodic_tasks(
            Job(
                name="Requests: delete expired disclosure-package downloads",
                task="requests.tasks.package_expired_purge_task",
                hour="*",
                minute="25",
            )
        ),
    ]
