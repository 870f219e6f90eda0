"""The roles' permissions on the scheduled jobs' models: privacy staff and administrators may
look at which reminders were sent; administrators may see and change the beat schedules in the
admin. (The schedules of the feature apps' jobs, and the permissions on their settings rows,
are created by the migrations of the apps that own them: docs/decisions.md, "The base names no
feature app".)"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

STAFF = "Privacy staff"
ADMINS = "Privacy administrators"


def forward(apps, schema_editor):
    for label in ("portal", "django_celery_beat"):
        config = apps.get_app_config(label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(*codenames):
        return list(
            Permission.objects.filter(content_type__app_label="portal", codename__in=codenames)
        )

    staff, _ = Group.objects.get_or_create(name=STAFF)
    admins, _ = Group.objects.get_or_create(name=ADMINS)
    staff.permissions.add(*perms("view_reminderclaim"))
    admins.permissions.add(*perms("view_reminderclaim"))
    # The schedules themselves are visible and editable by administrators in the admin.
    admins.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="django_celery_beat",
            codename__in=[
                f"{verb}_{model}"
                for verb in ("view", "change")
                for model in ("periodictask", "intervalschedule", "crontabschedule")
            ],
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0006_jobs"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
