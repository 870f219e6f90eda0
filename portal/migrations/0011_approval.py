"""The one approval model (portal.approvals): what one person asks a privacy administrator
to approve, of any app's kind. The requests' and the partners' exceptions' approvals move in
with their own apps' migrations (requests 0011, partners 0013). Staff see approvals in the
admin, as they saw the requests' ones; only the service decides them."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from portal.roles import grant_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("portal", "0010_user_email_confirmed"),
    ]

    operations = [
        migrations.CreateModel(
            name="Approval",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=40, verbose_name="kind")),
                ("subject_id", models.PositiveBigIntegerField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting for approval"),
                            ("approved", "Approved"),
                            ("returned", "Returned"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                (
                    "asked_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="asked at"
                    ),
                ),
                ("reason", models.TextField(verbose_name="reason")),
                (
                    "days",
                    models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="days"),
                ),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
                ),
                ("comment", models.TextField(blank=True, verbose_name="comment")),
                (
                    "asked_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="asked by",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "subject_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
            ],
            options={
                "verbose_name": "approval",
                "verbose_name_plural": "approvals",
                "ordering": ["asked_at", "id"],
                "indexes": [
                    models.Index(
                        fields=["subject_type", "subject_id"], name="portal_approval_subject"
                    ),
                    models.Index(
                        condition=models.Q(("status", "pending")),
                        fields=["asked_at", "id"],
                        name="portal_approval_inbox",
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status", "pending")),
                        fields=("subject_type", "subject_id", "kind"),
                        name="portal_approval_one_pending_per_kind",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("decided_by__isnull", True),
                            models.Q(("decided_by", models.F("asked_by")), _negated=True),
                            _connector="OR",
                        ),
                        name="portal_approval_not_own",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("decided_at__isnull", True), ("status", "pending")),
                            models.Q(
                                models.Q(("status", "pending"), _negated=True),
                                ("decided_at__isnull", False),
                            ),
                            _connector="OR",
                        ),
                        name="portal_approval_decided_when_not_pending",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "approved"), _negated=True),
                            ("decided_by__isnull", False),
                            _connector="OR",
                        ),
                        name="portal_approval_approved_by_someone",
                    ),
                ],
            },
        ),
        grant_permissions("portal", staff=["view_approval"], admins=[]),
    ]
