"""Models of the partner API: partner systems and their keys, pairwise subjects,
idempotent provisions, the event feed and its webhook deliveries.

Imported by `partners.models`, so they belong to the partners app. Foreign keys name other
models by label, so this module imports nothing of partners itself.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    DECIDE = "decide", _("Ask the gate")
    PROVIDE = "provide", _("Receive data (provide)")
    CONSENTS = "consents", _("Read consent state")
    EVENTS = "events", _("Read events")


class PartnerSystem(models.Model):
    """One system a partner runs (a payment back end, an application server) that calls
    the API; keys and webhook endpoints belong to a system."""

    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        related_name="systems",
        verbose_name=_("partner"),
    )
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("partner system")
        verbose_name_plural = _("partner systems")
        ordering = ["partner", "name", "id"]

    def __str__(self) -> str:
        return f"{self.partner} / {self.name}"


class ApiKey(models.Model):
    """A key of a partner system. Only a SHA-256 hash of the secret is kept; the key is
    shown once when it is made. `prefix` finds the row, the hash proves the secret."""

    system = models.ForeignKey(
        PartnerSystem, on_delete=models.PROTECT, related_name="keys", verbose_name=_("system")
    )
    label = models.CharField(_("label"), max_length=200, blank=True)
    prefix = models.CharField(_("key prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(_("key hash (SHA-256)"), max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    rate_limit_per_minute = models.PositiveIntegerField(
        _("requests per minute"),
        null=True,
        blank=True,
        help_text=_("Empty: the portal's default (PARTNERS_API_RATE_LIMIT)."),
    )
    # The current fixed rate window, moved by one conditional UPDATE per call.
    rate_window_start = models.DateTimeField(_("rate window start"), null=True, editable=False)
    rate_window_count = models.PositiveIntegerField(_("calls in window"), default=0, editable=False)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.system})"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class SubjectTrigger(models.TextChoices):
    APPLICATION = "application", _("The customer connected the application (LY-7)")
    SHARED_USE = "shared_use", _("Shared-use trigger confirmed by the customer (LY-4)")
    STAFF = "staff", _("Linked by privacy staff")


class PartnerSubject(models.Model):
    """The pairwise id under which one partner knows one customer: stable for the partner,
    unrelated across partners and to the LY-5 export pseudonyms."""

    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        related_name="subjects",
        verbose_name=_("partner"),
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="partner_subjects",
        verbose_name=_("customer"),
    )
    subject_id = models.CharField(_("subject id"), max_length=64, unique=True)
    trigger = models.CharField(_("issued because"), max_length=16, choices=SubjectTrigger.choices)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    erased_at = models.DateTimeField(_("account erased at"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner subject")
        verbose_name_plural = _("partner subjects")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "customer"], name="partners_subject_one_per_partner"
            )
        ]

    def __str__(self) -> str:
        return self.subject_id


class SubjectConfirmation(models.Model):
    """A one-time code the customer makes on the portal and hands to a group company when a
    shared-use trigger happens (LY-4: opening an account there). Stored as a hash."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="+", verbose_name=_("partner")
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("customer"),
    )
    code_hash = models.CharField(_("code hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("subject confirmation")
        verbose_name_plural = _("subject confirmations")

    def __str__(self) -> str:
        return f"{self.partner_id}/{self.customer_id} {self.created_at:%Y-%m-%d %H:%M}"


class ApiIdempotencyKey(models.Model):
    """One `Idempotency-Key` of a system's provide call: the answer given (without the data
    values) and the provision record, so a retry neither provides nor records twice."""

    system = models.ForeignKey(
        PartnerSystem, on_delete=models.PROTECT, related_name="+", verbose_name=_("system")
    )
    key = models.CharField(_("idempotency key"), max_length=200)
    request_hash = models.CharField(_("request hash"), max_length=64)
    response = models.JSONField(_("answer (without values)"), default=dict)
    record = models.ForeignKey(
        "partners.ProvisionRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("provision record"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["system", "key"], name="partners_idempotency_once")
        ]

    def __str__(self) -> str:
        return f"{self.system_id}: {self.key}"


class EventType(models.TextChoices):
    CONSENT_GRANTED = "consent.granted", _("Consent granted")
    CONSENT_WITHDRAWN = "consent.withdrawn", _("Consent withdrawn")
    RESTRICTION_RECORDED = "restriction.recorded", _("Restriction recorded")
    RESTRICTION_LIFTED = "restriction.lifted", _("Restriction lifted")
    APPLICATION_REVOKED = "application.revoked", _("Application revoked")
    ACCOUNT_ERASED = "account.erased", _("Account erased")


class PartnerEvent(models.Model):
    """One change a partner hears about, in its feed and on its webhooks. `source` names
    the change (a ledger event, a restriction, an erasure), unique per partner, so one
    change is exactly one event id."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="+", verbose_name=_("partner")
    )
    event_id = models.CharField(_("event id"), max_length=64, unique=True)
    type = models.CharField(_("type"), max_length=32, choices=EventType.choices)
    subject = models.ForeignKey(
        PartnerSubject, on_delete=models.PROTECT, related_name="events", verbose_name=_("subject")
    )
    data = models.JSONField(_("data"), default=dict)
    source = models.CharField(_("source"), max_length=100)
    # PostgreSQL transaction id of the insert: the feed hands out only rows of transactions
    # that have ended, in (txid, id) order, so a poller never skips a late commit.
    txid = models.BigIntegerField(_("transaction"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("partner event")
        verbose_name_plural = _("partner events")
        ordering = ["txid", "id"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "source"], name="partners_event_once")
        ]
        indexes = [models.Index(fields=["partner", "txid", "id"], name="partners_event_feed")]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


class WebhookEndpoint(models.Model):
    """Where a system wants events pushed (Standard Webhooks). After a rotation the previous
    secret still signs for a while, so the receiver can switch without losing events."""

    system = models.ForeignKey(
        PartnerSystem, on_delete=models.PROTECT, related_name="endpoints", verbose_name=_("system")
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    previous_secret = models.CharField(
        _("previous secret"), max_length=100, blank=True, editable=False
    )
    previous_secret_until = models.DateTimeField(
        _("previous secret signs until"), null=True, blank=True, editable=False
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["system", "id"]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event to one endpoint, retried with back-off until it succeeds or its time runs
    out (PARTNERS_WEBHOOK_RETRY_SECONDS)."""

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    event = models.ForeignKey(
        PartnerEvent, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("event")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Retries run until this time; a replay from the admin moves it.
    retry_until = models.DateTimeField(_("retried until"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="partners_delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One HTTP attempt of a delivery: its status and latency, for staff."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        on_delete=models.CASCADE,
        related_name="attempt_log",
        verbose_name=_("delivery"),
    )
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("at"), default=timezone.now)
    status_code = models.PositiveIntegerField(_("HTTP status"), null=True, blank=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"), default=0)
    succeeded = models.BooleanField(_("succeeded"), default=False)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}: {self.status_code or self.error}"
