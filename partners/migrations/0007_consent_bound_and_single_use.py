"""Consent-bound arrangements and single-use exceptions (LY-1, LY-4, LW-4.1).

- `Arrangement.needs_consent`: an entrustment or joint use the gate also asks the customer's
  consent for (existing arrangements keep today's behaviour: False). A CHECK keeps the mark
  off consent arrangements, which always ask.
- `ProvisionRecord.basis` grows to 24 characters for "entrustment_consent" and
  "joint_use_consent" (widening a varchar rewrites nothing on PostgreSQL; the records' guard
  trigger fires on row UPDATE only, not on ALTER TABLE).
- One record per exception B-F, enforced by a partial unique index. Records are never
  deleted, so if an exception was already used twice the migration stops and names them,
  instead of dropping anything; a privacy administrator decides what to do first.
"""

from django.db import migrations, models
from django.db.models import Count


def refuse_reused_exceptions(apps, schema_editor):
    ProvisionRecord = apps.get_model("partners", "ProvisionRecord")
    reused = list(
        ProvisionRecord.objects.filter(exception__isnull=False)
        .values("exception")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("exception", flat=True)
    )
    if reused:
        raise RuntimeError(
            "Exceptions used for more than one provision record: "
            + ", ".join(str(pk) for pk in reused)
            + ". Each approved exception may authorise one provision (LW-4.1); review these "
            "before migrating (no record is deleted by this migration)."
        )


class Migration(migrations.Migration):
    dependencies = [("partners", "0006_export_files_purge_schedule")]

    operations = [
        migrations.AddField(
            model_name="arrangement",
            name="needs_consent",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Entrustment and joint use only: the gate also asks for the customer's "
                    "consent to the purpose, and the provision's basis reads “with consent” "
                    "(LY-1, LY-4)."
                ),
                verbose_name="needs the customer's consent",
            ),
        ),
        migrations.AlterField(
            model_name="provisionrecord",
            name="basis",
            field=models.CharField(
                choices=[
                    ("consent", "Consent (A)"),
                    ("entrustment", "Entrustment"),
                    ("joint_use", "Joint use"),
                    ("entrustment_consent", "Entrustment, with consent"),
                    ("joint_use_consent", "Joint use, with consent"),
                    ("exception_b", "Exception B: violation of terms, protection of rights"),
                    ("exception_c", "Exception C: protection of life or property"),
                    ("exception_d", "Exception D: cooperation with public bodies"),
                    ("exception_e", "Exception E: merger, split or succession"),
                    ("exception_f", "Exception F: otherwise permitted by law"),
                ],
                max_length=24,
                verbose_name="basis",
            ),
        ),
        migrations.AddConstraint(
            model_name="arrangement",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("needs_consent", False),
                    ("basis__in", ["entrustment", "joint_use"]),
                    _connector="OR",
                ),
                name="partners_consent_bound_only_entrustment_or_joint_use",
            ),
        ),
        migrations.RunPython(refuse_reused_exceptions, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="provisionrecord",
            constraint=models.UniqueConstraint(
                condition=models.Q(("exception__isnull", False)),
                fields=("exception",),
                name="partners_record_one_per_exception",
            ),
        ),
    ]
