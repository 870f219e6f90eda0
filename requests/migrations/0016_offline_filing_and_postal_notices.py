"""Requests typed in by staff: the scan of the letter is a document of its own
purpose, and notices for a requester without an email address are kept as letters to print and
post. Staff see and mark them (through the staff pages); nothing else changes."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from portal.roles import grant_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("requests", "0015_contact_point"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="requestdocument",
            name="purpose",
            field=models.CharField(
                choices=[
                    ("identity", "Identity document"),
                    ("power_of_attorney", "Power of attorney"),
                    ("relationship_proof", "Proof of the relationship"),
                    ("letter", "The request as received (scan)"),
                ],
                max_length=20,
                verbose_name="purpose",
            ),
        ),
        migrations.CreateModel(
            name="PostalNotice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("event", models.CharField(max_length=40, verbose_name="event")),
                (
                    "language",
                    models.CharField(
                        choices=[("ja", "日本語"), ("en", "English")],
                        max_length=2,
                        verbose_name="language",
                    ),
                ),
                ("addressee_name", models.CharField(max_length=150, verbose_name="addressee")),
                ("addressee_address", models.TextField(blank=True, verbose_name="postal address")),
                ("subject", models.CharField(max_length=300, verbose_name="subject")),
                ("body", models.TextField(verbose_name="text")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="written at"
                    ),
                ),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="posted at")),
                (
                    "request",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="postal_notices",
                        to="requests.datarequest",
                        verbose_name="request",
                    ),
                ),
                (
                    "sent_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="posted by",
                    ),
                ),
            ],
            options={
                "verbose_name": "notice by post",
                "verbose_name_plural": "notices by post",
                "ordering": ["created_at", "id"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("sent_at__isnull", True)),
                        fields=["request", "created_at"],
                        name="requests_postal_notice_unsent",
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("sent_at__isnull", True), ("sent_by__isnull", True)),
                            models.Q(("sent_at__isnull", False), ("sent_by__isnull", False)),
                            _connector="OR",
                        ),
                        name="requests_postal_notice_sent_by_whom",
                    )
                ],
            },
        ),
        grant_permissions("requests", staff=["view_postalnotice"], admins=[]),
    ]
