"""The portal's own models: the user, the access log, the audit log, the mail outbox, the
reminder claims, and the abstract base of the feature apps' settings rows."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.appendonly import AppendOnlyModel
from portal.approval_kinds import label_of
from portal.prefectures import PREFECTURE_CHOICES


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        extra.setdefault("email_confirmed_at", timezone.now())  # typed in by its owner
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str) -> User:
        # Email addresses are stored lower-case; sign-in is case-insensitive.
        return self.get(**{self.model.USERNAME_FIELD: (username or "").lower()})


class Language(models.TextChoices):
    JA = "ja", "日本語"
    EN = "en", "English"


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: a customer, privacy staff or an administrator (LW-2.1)."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("name"), max_length=150, blank=True)
    phone = models.CharField(_("phone number"), max_length=32, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    prefecture = models.CharField(
        _("prefecture"), max_length=2, choices=PREFECTURE_CHOICES, blank=True
    )
    address = models.CharField(_("postal address"), max_length=255, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.JA
    )
    is_staff = models.BooleanField(
        _("Django admin access"),
        default=False,
        help_text=_("Can sign in to the Django admin (configuration)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # When the owner of the address followed the sign-up confirmation link. Until then the
    # account cannot file requests. Accounts made by staff or commands are set here
    # by whoever creates them.
    email_confirmed_at = models.DateTimeField(_("email address confirmed"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("staff_portal", "Can work in the privacy staff back-office"),
            ("privacy_admin", "Can act as privacy administrator (approvals)"),
        ]
        indexes = [
            # Who holds a role (portal.selectors._holding) reads the few superusers through
            # this index instead of scanning every customer.
            models.Index(
                fields=["id"], condition=models.Q(is_superuser=True), name="user_superuser_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def is_privacy_staff(self) -> bool:
        return self.is_active and self.has_perm("portal.staff_portal")

    @property
    def is_privacy_admin(self) -> bool:
        return self.is_active and self.has_perm("portal.privacy_admin")


class AccessAction(models.TextChoices):
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
    SIGN_OUT = "sign_out", _("Signed out")
    PASSWORD_CHANGE = "password_change", _("Password changed")
    PASSWORD_RESET = "password_reset", _("Password reset")
    PROFILE_CHANGE = "profile_change", _("Profile changed")
    SIGN_UP = "sign_up", _("Account created")


class AccessLogEntry(models.Model):
    """One sign-in or sensitive action with where it came from (LW-2.2B)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="access_log", verbose_name=_("user")
    )
    action = models.CharField(_("action"), max_length=32, choices=AccessAction.choices)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("device (user agent)"), max_length=400, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [models.Index(fields=["user", "-created_at"])]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.created_at:%Y-%m-%d %H:%M}"


class AuditEvent(AppendOnlyModel):
    """An append-only record of a staff action or staff view of customer data (LW-5).

    Written only by `portal.services.audit_record`; append-only in the ORM, the admin and,
    on PostgreSQL, the database (migration 0002).
    """

    ERASABLE = ("ip_address",)

    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"


class OutboundMail(models.Model):
    """The mail outbox. Mail is written here in the same transaction as the change it reports,
    then sent by a worker; a periodic job re-sends what a dead broker or SMTP left behind."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    to = models.EmailField(_("recipient"))
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Blank the address and text once sent (a notice to an account being erased); the
    # stale-work sweep does it if the task that should have was never queued.
    scrub_after_send = models.BooleanField(_("scrub after sending"), default=False)

    class Meta:
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mail")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


# --- scheduled jobs --------------------------------------------------------------------------


class ReminderClaim(models.Model):
    """One reminder, claimed before its mail is written (docs/architecture.md).

    The unique row per (subject, reminder, due date, recipient) makes every scheduled mail
    exactly-once: a second sweep, a second beat or a retried task finds the row taken and sends
    nothing, while a changed due date is a new key and gets its own reminders. The subject is
    named by label and id so that any feature app can use it without this app knowing the
    model. `recipient` is empty when one claim covers a mail to
    a whole audience (e.g. every privacy staff member)."""

    subject_type = models.CharField(_("subject type"), max_length=100)
    subject_id = models.BigIntegerField(_("subject id"))
    reminder = models.CharField(_("reminder"), max_length=40)
    due_at = models.DateTimeField(_("computed for"))
    recipient = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    claimed_at = models.DateTimeField(_("claimed at"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["-claimed_at", "-id"]
        constraints = [
            # Two partial indexes rather than one: NULLs are distinct in a unique index on
            # SQLite (and by default on PostgreSQL), and the audience-wide claim must be unique.
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "reminder", "due_at", "recipient"],
                condition=models.Q(recipient__isnull=False),
                name="portal_reminder_once_per_recipient",
            ),
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "reminder", "due_at"],
                condition=models.Q(recipient__isnull=True),
                name="portal_reminder_once",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.reminder} {self.subject_type}:{self.subject_id} @ {self.due_at:%Y-%m-%d %H:%M}"
        )


def _validate_day_list(value: str) -> None:
    try:
        days = parse_day_list(value)
    except ValueError:
        raise ValidationError(
            _("Write whole numbers of days separated by commas, e.g. “3, 1”.")
        ) from None
    if not days:
        raise ValidationError(_("Give at least one number of days."))


def parse_day_list(value: str) -> list[int]:
    """'3, 1' -> [3, 1] (largest first, no repeats); ValueError on anything else."""
    days = {int(part) for part in (value or "").replace("、", ",").split(",") if part.strip()}
    if any(d < 1 or d > 60 for d in days):
        raise ValueError(value)
    return sorted(days, reverse=True)


class SingletonSettings(models.Model):
    """Settings staff change at run time, as one row of the app they configure, edited in the
    admin (docs/architecture.md, "Configuration"). The row's id is fixed to 1 (a check
    constraint in each subclass says so to the database); with no row the field defaults
    apply. A subclass that reminds before due dates names its day list
    `reminder_days_before` and reads it through `reminder_offsets`."""

    DEFAULT_REMINDER_OFFSETS = [3, 1]

    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def current(cls):
        """The row, or an unsaved one holding the defaults."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    @property
    def reminder_offsets(self) -> list[int]:
        """Days before the due date, largest first; the defaults if the text is unusable."""
        try:
            return parse_day_list(self.reminder_days_before) or list(self.DEFAULT_REMINDER_OFFSETS)
        except ValueError:
            return list(self.DEFAULT_REMINDER_OFFSETS)


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class Approval(models.Model):
    """Something one person asks a privacy administrator to approve (LW-5): the one "someone
    else must approve" record of every app. What is approved is the `subject` (a row of the
    feature app that registered the `kind` in `portal.approvals`); what approving does is
    that app's business. Nobody decides what they asked for: the service refuses it, and so
    does the database (`portal_approval_not_own`)."""

    kind = models.CharField(_("kind"), max_length=40)
    subject_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    status = models.CharField(
        _("state"), max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    asked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by")
    )
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    reason = models.TextField(_("reason"))
    # A number the kind needs (the days of a deadline extension); none for the others.
    days = models.PositiveSmallIntegerField(_("days"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["asked_at", "id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="portal_approval_subject"),
            models.Index(
                fields=["asked_at", "id"],
                condition=models.Q(status="pending"),
                name="portal_approval_inbox",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "kind"],
                condition=models.Q(status="pending"),
                name="portal_approval_one_pending_per_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | ~models.Q(decided_by=models.F("asked_by")),
                name="portal_approval_not_own",
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending", decided_at__isnull=True)
                | (~models.Q(status="pending") & models.Q(decided_at__isnull=False)),
                name="portal_approval_decided_when_not_pending",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(decided_by__isnull=False),
                name="portal_approval_approved_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_type_id}:{self.subject_id} {self.status}"

    @property
    def is_pending(self) -> bool:
        return self.status == ApprovalStatus.PENDING

    @property
    def kind_label(self) -> str:
        """The kind in words, as the app that registered it names it."""
        return label_of(self.kind)
