"""The person an agent's request is for (LW-6.1): how the filer represents them,
the link to their account (or that they have none) and when the authority was checked.
Requests already filed by an agent were filed with a power of attorney: they are marked so."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def mark_agents(apps, schema_editor):
    DataRequest = apps.get_model("requests", "DataRequest")
    DataRequest.objects.filter(on_behalf=True, representation="").update(representation="agent")


class Migration(migrations.Migration):
    dependencies = [
        ("requests", "0004_backoffice_roles_and_schedule"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="datarequest",
            name="authority_confirmed_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="authority to act checked at"
            ),
        ),
        migrations.AddField(
            model_name="datarequest",
            name="principal",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="requests_filed_for_me",
                to=settings.AUTH_USER_MODEL,
                verbose_name="person represented",
            ),
        ),
        migrations.AddField(
            model_name="datarequest",
            name="principal_no_account",
            field=models.BooleanField(
                default=False, verbose_name="person represented has no account"
            ),
        ),
        migrations.AddField(
            model_name="datarequest",
            name="representation",
            field=models.CharField(
                blank=True,
                choices=[
                    ("agent", "Agent with a power of attorney"),
                    ("legal_representative", "Legal representative (of a minor or an adult ward)"),
                ],
                max_length=24,
                verbose_name="filed as",
            ),
        ),
        migrations.RunPython(mark_agents, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="requestdocument",
            name="purpose",
            field=models.CharField(
                choices=[
                    ("identity", "Identity document"),
                    ("power_of_attorney", "Power of attorney"),
                    ("relationship_proof", "Proof of the relationship"),
                ],
                max_length=20,
                verbose_name="purpose",
            ),
        ),
        migrations.AddConstraint(
            model_name="datarequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("on_behalf", True),
                    models.Q(
                        ("authority_confirmed_at__isnull", True),
                        ("principal__isnull", True),
                        ("principal_no_account", False),
                        ("representation", ""),
                    ),
                    _connector="OR",
                ),
                name="requests_principal_only_on_behalf",
            ),
        ),
        migrations.AddConstraint(
            model_name="datarequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("principal__isnull", True), ("principal_no_account", False), _connector="OR"
                ),
                name="requests_principal_linked_or_no_account",
            ),
        ),
        migrations.AddConstraint(
            model_name="datarequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("principal__isnull", True),
                    models.Q(("principal", models.F("customer")), _negated=True),
                    _connector="OR",
                ),
                name="requests_principal_not_the_agent",
            ),
        ),
    ]
