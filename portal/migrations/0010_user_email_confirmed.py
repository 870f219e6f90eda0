from django.db import migrations, models
from django.db.models import F


def confirm_existing(apps, schema_editor):
    # Accounts from before sign-up confirmation keep filing requests as they did: their
    # address counts as confirmed from the day they joined.
    apps.get_model("portal", "User").objects.filter(email_confirmed_at__isnull=True).update(
        email_confirmed_at=F("date_joined")
    )


class Migration(migrations.Migration):
    dependencies = [("portal", "0009_stale_work_sweep")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_confirmed_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="email address confirmed"
            ),
        ),
        migrations.RunPython(confirm_existing, migrations.RunPython.noop),
    ]
