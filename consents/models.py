"""Consents: purposes of use, policy versions, the consent ledger and its current state,
services and connected applications, restrictions (suspension and third-party stop)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.appendonly import AppendOnlyModel
from portal.i18n import english_active, localized


class PurposeCategory(models.TextChoices):
    SERVICE = "service", _("Necessary for the service")
    MARKETING = "marketing", _("Marketing and advertising")
    ANALYTICS = "analytics", _("Analytics")
    GROUP_SHARED_USE = "group_shared_use", _("Shared use within the group")
    PARTNER_PROVISION = "partner_provision", _("Provision to partners")
    OVERSEAS_PROVISION = "overseas_provision", _("Provision overseas")
    RESEARCH = "research", _("Research")
    CONNECTED_APPLICATION = "connected_application", _("Connected applications")


# The one meaning of "third party" (APPI Art. 27): the categories in which data leaves us for
# another company that is neither our entrustee nor a joint user. A third-party stop restricts
# every optional purpose of these, and nothing else; the Global Privacy Control signal refuses
# them (besides analytics, LW-7). Read it through `consents.selectors.third_party_purposes`.
# Group shared use is joint use (Art. 27(5)(iii)), not third-party provision.
THIRD_PARTY_CATEGORIES = (
    PurposeCategory.PARTNER_PROVISION,
    PurposeCategory.OVERSEAS_PROVISION,
    PurposeCategory.RESEARCH,
    PurposeCategory.CONNECTED_APPLICATION,
)


# The purpose that governs analytics cookies and the Google Analytics snippet (LW-2.2A, LW-7);
# the cookie banner records its choice for a signed-in customer against this purpose.
ANALYTICS_PURPOSE = "analytics"


class Purpose(models.Model):
    """A purpose of use (LW-3) or of provision (LY-4, LY-5), as the policy names it."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    category = models.CharField(_("category"), max_length=32, choices=PurposeCategory.choices)
    necessary = models.BooleanField(
        _("necessary"),
        default=False,
        help_text=_("Necessary for the service: cannot be withdrawn on the consent page."),
    )
    default_granted = models.BooleanField(
        _("opt-out (granted until withdrawn)"),
        default=False,
        help_text=_("Off: opt-in, not granted until the customer agrees."),
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    # What a receipt and the consent page say about the purpose (ISO/IEC 29184 notice items).
    data_items_ja = models.CharField(_("data items (Japanese)"), max_length=400, blank=True)
    data_items_en = models.CharField(_("data items (English)"), max_length=400, blank=True)
    recipients_ja = models.CharField(
        _("recipients (Japanese)"),
        max_length=400,
        blank=True,
        help_text=_("Who receives the data, when it leaves us (group company, partners)."),
    )
    recipients_en = models.CharField(_("recipients (English)"), max_length=400, blank=True)
    countries = models.CharField(
        _("countries"),
        max_length=200,
        blank=True,
        help_text=_("ISO 3166 codes of the countries the data goes to, comma-separated."),
    )

    class Meta:
        verbose_name = _("purpose")
        verbose_name_plural = _("purposes")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name

    name = localized()

    description = localized()

    data_items = localized()

    recipients = localized()

    @property
    def country_list(self) -> list[str]:
        return [c.strip().upper() for c in self.countries.split(",") if c.strip()]

    @property
    def granted_by_default(self) -> bool:
        """Necessary purposes and opt-out purposes hold until withdrawn or restricted."""
        return self.necessary or self.default_granted


class PolicyVersion(models.Model):
    """One version of the privacy policy (LW-9, LW-12). Published versions are public."""

    version = models.CharField(_("version"), max_length=32, unique=True)
    effective_date = models.DateField(_("effective date"))
    text_ja = models.TextField(_("text (Japanese)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    revision_notes_ja = models.TextField(_("revision notes (Japanese)"), blank=True)
    revision_notes_en = models.TextField(_("revision notes (English)"), blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    announce = models.BooleanField(
        _("announce to customers"),
        default=True,
        help_text=_("Signed-in customers see a notice of this version until they dismiss it."),
    )
    widened_purposes = models.ManyToManyField(
        Purpose,
        blank=True,
        related_name="widening_versions",
        verbose_name=_("purposes added or widened"),
        help_text=_(
            "Customers who agreed to these purposes before are asked again; until they "
            "decide, the purpose counts as not consented."
        ),
    )

    class Meta:
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        ordering = ["-effective_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_published=False) | Q(published_at__isnull=False),
                name="consents_policy_published_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} ({self.effective_date:%Y-%m-%d})"

    text = localized(fallback=True)

    @property
    def revision_notes(self) -> str:
        if english_active():
            return self.revision_notes_en or self.revision_notes_ja
        return self.revision_notes_ja


class ServiceKind(models.TextChoices):
    SERVICE = "service", _("Individual service")
    CONNECTED_APPLICATION = "connected_application", _("Connected application")


class Service(models.Model):
    """An individual service (LY-6) or an application connected to the account (LY-7).

    Consent given for a service overrides the general consent for the same purpose.
    """

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=ServiceKind.choices)
    receives_ja = models.TextField(_("data it receives (Japanese)"), blank=True)
    receives_en = models.TextField(_("data it receives (English)"), blank=True)
    purposes = models.ManyToManyField(
        Purpose,
        blank=True,
        related_name="services",
        verbose_name=_("purposes"),
        help_text=_("The purposes for which the service receives data; revoking withdraws them."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service or connected application")
        verbose_name_plural = _("services and connected applications")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.name

    name = localized()

    receives = localized()


class ConsentSource(models.TextChoices):
    WEB = "web", _("Consent page")
    BANNER = "banner", _("Cookie banner")
    GPC = "gpc", _("Global Privacy Control signal")
    REQUEST = "request", _("Data request")
    STAFF = "staff", _("Privacy staff")


class ConsentEvent(AppendOnlyModel):
    """One change of consent, never altered afterwards: the ledger.

    Written only by `consents.services`; on PostgreSQL a trigger refuses UPDATE and DELETE
    (migration 0003). Events written together by one choice share `change_id`, which is the
    id of the consent receipt for that change.
    """

    ERASABLE = ("ip_address", "user_agent")

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="consent_events",
        verbose_name=_("customer"),
    )
    purpose = models.ForeignKey(
        Purpose, on_delete=models.PROTECT, related_name="+", verbose_name=_("purpose")
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service"),
    )
    granted = models.BooleanField(_("granted"))
    policy_version = models.ForeignKey(
        PolicyVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("policy version shown"),
    )
    source = models.CharField(_("source"), max_length=16, choices=ConsentSource.choices)
    change_id = models.UUIDField(_("receipt id"), default=uuid.uuid4, db_index=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("device (user agent)"), max_length=400, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
        help_text=_("Staff member who recorded it, when not the customer."),
    )

    class Meta:
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events (ledger)")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "-created_at"], name="consents_ev_cust_time")]

    def __str__(self) -> str:
        verb = "granted" if self.granted else "withdrawn"
        return f"{self.purpose_id}/{self.service_id or '-'} {verb} {self.created_at:%Y-%m-%d %H:%M}"


class ConsentState(models.Model):
    """The current answer per customer x purpose x (service or none), kept by the services in
    the same transaction as the event it reflects, so a check is one indexed lookup."""

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="consent_states",
        verbose_name=_("customer"),
    )
    purpose = models.ForeignKey(
        Purpose, on_delete=models.PROTECT, related_name="states", verbose_name=_("purpose")
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="states",
        verbose_name=_("service"),
    )
    granted = models.BooleanField(_("granted"))
    event = models.OneToOneField(
        ConsentEvent, on_delete=models.PROTECT, related_name="+", verbose_name=_("latest event")
    )
    policy_version = models.ForeignKey(
        PolicyVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("policy version shown"),
    )
    decided_at = models.DateTimeField(_("since"))

    class Meta:
        verbose_name = _("consent state")
        verbose_name_plural = _("consent states (current)")
        ordering = ["customer_id", "purpose_id", "service_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "purpose", "service"],
                condition=Q(service__isnull=False),
                name="consents_state_one_per_service",
            ),
            models.UniqueConstraint(
                fields=["customer", "purpose"],
                condition=Q(service__isnull=True),
                name="consents_state_one_general",
            ),
        ]
        indexes = [
            # customers_consenting(): every customer with a state for one purpose.
            models.Index(fields=["purpose", "service", "granted"], name="consents_st_purpose"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}/{self.purpose_id}/{self.service_id or '-'}: {self.granted}"


class PolicyAnnouncementDismissal(models.Model):
    """A customer has read the notice of a new policy version (LW-9)."""

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("customer"),
    )
    policy_version = models.ForeignKey(
        PolicyVersion, on_delete=models.CASCADE, related_name="+", verbose_name=_("policy version")
    )
    dismissed_at = models.DateTimeField(_("dismissed at"), default=timezone.now)

    class Meta:
        verbose_name = _("policy notice dismissal")
        verbose_name_plural = _("policy notice dismissals")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "policy_version"], name="consents_dismissal_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.policy_version_id}"


class RestrictionKind(models.TextChoices):
    SUSPENSION = "suspension", _("Suspension of use")
    THIRD_PARTY_STOP = "third_party_stop", _("Stop of provision to third parties")


class Restriction(models.Model):
    """A stop the customer asked for (LW-6.1): while active, the purposes it names count as
    not consented, whatever the ledger says. Recorded and lifted by `requests` through
    `consents.services`."""

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="consent_restrictions",
        verbose_name=_("customer"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=RestrictionKind.choices)
    purposes = models.ManyToManyField(
        Purpose, related_name="restrictions", verbose_name=_("purposes")
    )
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("from"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lifted by"),
    )

    class Meta:
        verbose_name = _("restriction")
        verbose_name_plural = _("restrictions")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["customer"],
                condition=Q(lifted_at__isnull=True),
                name="consents_restr_active",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True) | Q(lifted_at__gte=models.F("created_at")),
                name="consents_restriction_lifted_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}".strip()

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None
