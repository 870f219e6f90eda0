"""The request jobs' settings row and beat schedules move into this app (docs/decisions.md,
"The base names no feature app").

- `JobSettings` is created here. On a database where the base app's migrations created the old
  row (`portal_jobsettings`), its values are copied over and the old table is dropped, with its
  content type (and so the old permissions); the roles get the same rights on the new model.
- The three request schedules, created by the base app's migration 0007 until now, are
  created here when missing; a schedule already in the database keeps what administrators
  changed.
"""

from django.db import migrations, models

import portal.models
from portal.beat import Job, periodic_tasks
from portal.roles import grant_permissions

OLD_TABLE = "portal_jobsettings"
COLUMNS = (
    "reminder_days_before",
    "nudge_after_days",
    "lapse_after_days",
    "document_retention_days",
    "digest_hour",
    "updated_at",
)


def row_move(apps, schema_editor):
    """Copy the old row, if any, then drop the old table and its content type."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if OLD_TABLE not in connection.introspection.table_names(cursor):
            return
        quoted = ", ".join(schema_editor.quote_name(c) for c in COLUMNS)
        table = schema_editor.quote_name(OLD_TABLE)
        cursor.execute(f"SELECT {quoted} FROM {table} WHERE id = 1")  # noqa: S608 (constants)
        row = cursor.fetchone()
    if row is not None:
        JobSettings = apps.get_model("requests", "JobSettings")
        values = dict(zip(COLUMNS, row, strict=True))
        JobSettings.objects.update_or_create(pk=1, defaults=values)
        # auto_now would stamp the copy with today; keep when it was last changed.
        JobSettings.objects.filter(pk=1).update(updated_at=values["updated_at"])
    schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(OLD_TABLE)}")
    apps.get_model("contenttypes", "ContentType").objects.filter(
        app_label="portal", model="jobsettings"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("requests", "0011_approvals_to_portal"),
        ("portal", "0007_job_schedules"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="JobSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "reminder_days_before",
                    models.CharField(
                        default="3, 1",
                        help_text="Comma-separated, e.g. “3, 1”.",
                        max_length=40,
                        validators=[portal.models._validate_day_list],
                        verbose_name="staff reminders (days before the due date)",
                    ),
                ),
                (
                    "nudge_after_days",
                    models.PositiveSmallIntegerField(
                        default=7, verbose_name="nudge the customer after (days waiting)"
                    ),
                ),
                (
                    "lapse_after_days",
                    models.PositiveSmallIntegerField(
                        default=30, verbose_name="lapse after a further (days)"
                    ),
                ),
                (
                    "document_retention_days",
                    models.PositiveSmallIntegerField(
                        default=30, verbose_name="keep identity documents after closing (days)"
                    ),
                ),
                (
                    "digest_hour",
                    models.PositiveSmallIntegerField(
                        default=9, verbose_name="overdue digest from (hour, Japan time)"
                    ),
                ),
            ],
            options={
                "verbose_name": "job settings",
                "verbose_name_plural": "job settings",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("id", 1)), name="requests_job_settings_single"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("digest_hour__lte", 23)),
                        name="requests_job_settings_digest_hour",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("lapse_after_days__gte", 1), ("nudge_after_days__gte", 1)
                        ),
                        name="requests_job_settings_waits_positive",
                    ),
                ],
            },
        ),
        migrations.RunPython(row_move, migrations.RunPython.noop),
        grant_permissions(
            "requests",
            staff=["view_jobsettings"],
            admins=["add_jobsettings", "change_jobsettings"],
        ),
        periodic_tasks(
            Job(
                "Requests: deadline reminders, escalation and overdue digest",
                "requests.tasks.request_deadline_sweep_task",
                every_minutes=5,
            ),
            Job(
                "Requests: customer nudges and lapsing",
                "requests.tasks.request_waiting_sweep_task",
                every_minutes=60,
            ),
            Job(
                "Requests: delete identity documents past retention",
                "requests.tasks.document_retention_purge_task",
                hour="4",
                minute="15",
            ),
            keep_existing=True,
        ),
    ]
