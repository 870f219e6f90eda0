"""The notices' send job moves into a Celery task: its state on the incident. Incidents whose
notices went out already (sent in the request before) are marked done."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def mark_sent_notices_done(apps, schema_editor):
    Incident = apps.get_model("incidents", "Incident")
    AffectedPerson = apps.get_model("incidents", "AffectedPerson")
    told = dict(
        AffectedPerson.objects.filter(notified_at__isnull=False)
        .values("incident_id")
        .annotate(n=models.Count("id"))
        .values_list("incident_id", "n")
    )
    for incident in Incident.objects.filter(notices_sent_at__isnull=False).only(
        "pk", "notices_sent_at"
    ):
        n = told.get(incident.pk, 0)
        Incident.objects.filter(pk=incident.pk).update(
            notices_status="done",
            notices_total=n,
            notices_done=n,
            notices_progress_at=incident.notices_sent_at,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0002_roles_and_schedule"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="incident",
            name="notices_done",
            field=models.PositiveIntegerField(default=0, verbose_name="notices sent so far"),
        ),
        migrations.AddField(
            model_name="incident",
            name="notices_progress_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="notices progress at"),
        ),
        migrations.AddField(
            model_name="incident",
            name="notices_requested_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="notices requested at"),
        ),
        migrations.AddField(
            model_name="incident",
            name="notices_requested_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="notices requested by",
            ),
        ),
        migrations.AddField(
            model_name="incident",
            name="notices_status",
            field=models.CharField(
                choices=[
                    ("idle", "Not started"),
                    ("queued", "Queued"),
                    ("sending", "Sending"),
                    ("done", "Sent"),
                ],
                default="idle",
                max_length=10,
                verbose_name="notices",
            ),
        ),
        migrations.AddField(
            model_name="incident",
            name="notices_total",
            field=models.PositiveIntegerField(default=0, verbose_name="notices to send"),
        ),
        migrations.RunPython(mark_sent_notices_done, migrations.RunPython.noop),
    ]
