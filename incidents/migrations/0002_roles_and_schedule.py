"""Incidents: the roles' permissions in the admin (LW-5) and the report-deadline sweep as a
django-celery-beat schedule (APPI Rule 8), editable by administrators."""

from django.db import migrations

from portal.beat import Job, periodic_tasks
from portal.roles import grant_permissions

VIEW = [
    "view_incident",
    "view_incidentevent",
    "view_assessment",
    "view_affectedperson",
    "view_report",
    "view_incidentsettings",
]
CONFIGURE = ["add_incidentsettings", "change_incidentsettings"]


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0001_register"),
        ("portal", "0007_job_schedules"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        grant_permissions("incidents", staff=VIEW, admins=CONFIGURE),
        periodic_tasks(
            Job(
                "Incidents: report-deadline reminders and escalation",
                "incidents.tasks.incident_deadline_sweep_task",
                every_minutes=15,
            )
        ),
    ]
