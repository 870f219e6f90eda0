"""The public contact point (LW-6.1, LW-10; APPI Art. 32(1)): one row per version, never
changed once written. Staff may look at it; privacy administrators publish new versions."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from portal.roles import grant_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("requests", "0014_email_code_and_requester_authorship"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ContactPoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(
                        editable=False, unique=True, verbose_name="version"
                    ),
                ),
                (
                    "business_name_ja",
                    models.CharField(max_length=200, verbose_name="business name (Japanese)"),
                ),
                (
                    "business_name_en",
                    models.CharField(
                        blank=True, max_length=200, verbose_name="business name (English)"
                    ),
                ),
                ("address_ja", models.CharField(max_length=300, verbose_name="address (Japanese)")),
                (
                    "address_en",
                    models.CharField(blank=True, max_length=300, verbose_name="address (English)"),
                ),
                (
                    "representative_ja",
                    models.CharField(
                        help_text="Title and name of the person who represents the business.",
                        max_length=200,
                        verbose_name="representative (Japanese)",
                    ),
                ),
                (
                    "representative_en",
                    models.CharField(
                        blank=True, max_length=200, verbose_name="representative (English)"
                    ),
                ),
                (
                    "administrator_ja",
                    models.CharField(
                        help_text="The person or office responsible for personal information (LW-5).",
                        max_length=200,
                        verbose_name="privacy administrator (Japanese)",
                    ),
                ),
                (
                    "administrator_en",
                    models.CharField(
                        blank=True, max_length=200, verbose_name="privacy administrator (English)"
                    ),
                ),
                ("email", models.EmailField(max_length=254, verbose_name="contact email")),
                (
                    "phone",
                    models.CharField(blank=True, max_length=40, verbose_name="contact phone"),
                ),
                (
                    "hours_ja",
                    models.CharField(
                        blank=True, max_length=200, verbose_name="opening hours (Japanese)"
                    ),
                ),
                (
                    "hours_en",
                    models.CharField(
                        blank=True, max_length=200, verbose_name="opening hours (English)"
                    ),
                ),
                (
                    "postal_ja",
                    models.TextField(
                        help_text="Where to send a letter and what to enclose (APPI Art. 37).",
                        verbose_name="requests by post (Japanese)",
                    ),
                ),
                (
                    "postal_en",
                    models.TextField(blank=True, verbose_name="requests by post (English)"),
                ),
                (
                    "identity_ja",
                    models.TextField(
                        help_text="The documents a requester or an agent sends (APPI Art. 37).",
                        verbose_name="how identity is confirmed (Japanese)",
                    ),
                ),
                (
                    "identity_en",
                    models.TextField(
                        blank=True, verbose_name="how identity is confirmed (English)"
                    ),
                ),
                (
                    "security_measures_ja",
                    models.TextField(
                        help_text="An outline of the measures taken (LW-5, Cabinet Order Art. 10(1)).",
                        verbose_name="safety-management measures (Japanese)",
                    ),
                ),
                (
                    "security_measures_en",
                    models.TextField(
                        blank=True, verbose_name="safety-management measures (English)"
                    ),
                ),
                (
                    "complaints_ja",
                    models.TextField(
                        help_text="Our own contact and any outside body (Cabinet Order Art. 10(2)-(3)).",
                        verbose_name="where complaints go (Japanese)",
                    ),
                ),
                (
                    "complaints_en",
                    models.TextField(blank=True, verbose_name="where complaints go (English)"),
                ),
                (
                    "revision_notes_ja",
                    models.TextField(
                        blank=True, verbose_name="what this version changed (Japanese)"
                    ),
                ),
                (
                    "revision_notes_en",
                    models.TextField(
                        blank=True, verbose_name="what this version changed (English)"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now,
                        editable=False,
                        verbose_name="published at",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="published by",
                    ),
                ),
            ],
            options={
                "verbose_name": "contact point version",
                "verbose_name_plural": "contact point",
                "ordering": ["-version"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("version__gte", 1)),
                        name="requests_contact_point_version_positive",
                    )
                ],
            },
        ),
        grant_permissions("requests", staff=["view_contactpoint"], admins=["add_contactpoint"]),
    ]
