"""A request may come from a person without an account (LW-6.1): the account
becomes optional; the requester's contact details, the channel it came by, the staff member
who typed it in, and the staff match of the requester to the data we hold are added.

Every existing request was filed online from an account: the defaults (channel "online", no
requester details, not typed in, not matched) describe them, so no row is rewritten and every
new constraint holds for them.
"""

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("requests", "0012_job_settings_and_schedules"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="datarequest",
            name="channel",
            field=models.CharField(
                choices=[
                    ("online", "Online"),
                    ("post", "By post"),
                    ("phone", "By phone"),
                    ("email", "By email"),
                    ("counter", "At the counter"),
                ],
                default="online",
                max_length=10,
                verbose_name="received",
            ),
        ),
        migrations.AddField(
            model_name="datarequest",
            name="filed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="typed in by",
            ),
        ),
        migrations.AddField(
            model_name="datarequest",
            name="matched_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="matched at"),
        ),
        migrations.AddField(
            model_name="datarequest",
            name="matched_customer",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="requests_matched_to_me",
                to=settings.AUTH_USER_MODEL,
                verbose_name="matched to account",
            ),
        ),
        migrations.AddField(
            model_name="datarequest",
            name="matched_none",
            field=models.BooleanField(
                default=False, verbose_name="no data held about the requester"
            ),
        ),
        migrations.AddField(
            model_name="datarequest",
            name="requester_address",
            field=models.TextField(blank=True, verbose_name="requester's postal address"),
        ),
        migrations.AddField(
            model_name="datarequest",
            name="requester_email",
            field=models.EmailField(
                blank=True, max_length=254, verbose_name="requester's email address"
            ),
        ),
        migrations.AddField(
            model_name="datarequest",
            name="requester_email_verified_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="email address proved at"
            ),
        ),
        migrations.AddField(
            model_name="datarequest",
            name="requester_language",
            field=models.CharField(
                choices=[("ja", "日本語"), ("en", "English")],
                default="ja",
                max_length=2,
                verbose_name="requester's language",
            ),
        ),
        migrations.AddField(
            model_name="datarequest",
            name="requester_name",
            field=models.CharField(blank=True, max_length=150, verbose_name="requester's name"),
        ),
        migrations.AddField(
            model_name="datarequest",
            name="requester_phone",
            field=models.CharField(
                blank=True, max_length=32, verbose_name="requester's phone number"
            ),
        ),
        migrations.AlterField(
            model_name="datarequest",
            name="customer",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="data_requests",
                to=settings.AUTH_USER_MODEL,
                verbose_name="customer",
            ),
        ),
        migrations.AddConstraint(
            model_name="datarequest",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("requester_email"),
                models.F("kind"),
                condition=models.Q(
                    models.Q(("status", "closed"), _negated=True),
                    ("customer__isnull", True),
                    ("on_behalf", False),
                    ("requester_email_verified_at__isnull", False),
                ),
                name="requests_one_open_per_kind_verified_email",
            ),
        ),
        migrations.AddConstraint(
            model_name="datarequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("customer__isnull", False),
                    ("erased_at__isnull", False),
                    models.Q(
                        models.Q(("requester_name", ""), _negated=True),
                        models.Q(
                            models.Q(("requester_email", ""), _negated=True),
                            models.Q(("requester_address", ""), _negated=True),
                            _connector="OR",
                        ),
                    ),
                    _connector="OR",
                ),
                name="requests_account_or_requester",
            ),
        ),
        migrations.AddConstraint(
            model_name="datarequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("customer__isnull", True),
                    models.Q(
                        ("requester_address", ""),
                        ("requester_email", ""),
                        ("requester_email_verified_at__isnull", True),
                        ("requester_name", ""),
                        ("requester_phone", ""),
                    ),
                    _connector="OR",
                ),
                name="requests_requester_only_without_account",
            ),
        ),
        migrations.AddConstraint(
            model_name="datarequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("requester_email_verified_at__isnull", True),
                    models.Q(("requester_email", ""), _negated=True),
                    _connector="OR",
                ),
                name="requests_verified_email_present",
            ),
        ),
        migrations.AddConstraint(
            model_name="datarequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("channel", "online"), _negated=True),
                    ("customer__isnull", False),
                    ("requester_email_verified_at__isnull", False),
                    ("erased_at__isnull", False),
                    _connector="OR",
                ),
                name="requests_online_without_account_verified",
            ),
        ),
        migrations.AddConstraint(
            model_name="datarequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("channel", "online"), ("filed_by__isnull", True)),
                    models.Q(
                        models.Q(("channel", "online"), _negated=True), ("filed_by__isnull", False)
                    ),
                    _connector="OR",
                ),
                name="requests_filed_by_iff_offline",
            ),
        ),
        migrations.AddConstraint(
            model_name="datarequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("matched_at__isnull", True),
                        ("matched_customer__isnull", True),
                        ("matched_none", False),
                    ),
                    models.Q(
                        ("customer__isnull", True),
                        ("matched_at__isnull", False),
                        ("on_behalf", False),
                        models.Q(
                            models.Q(("matched_customer__isnull", False), ("matched_none", False)),
                            models.Q(("matched_customer__isnull", True), ("matched_none", True)),
                            _connector="OR",
                        ),
                    ),
                    _connector="OR",
                ),
                name="requests_matched_once_without_account",
            ),
        ),
    ]
