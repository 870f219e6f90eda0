"""Partners: the registry of recipients, provision records and de-identified exports.

A `Partner` is anyone personal data may go to (LW-4, LY-2..LY-7); an `Arrangement` says on what
basis, for which purposes and which data items; a `ProvisionRecord` is the APPI Art. 29 record
of one provision; an `ExceptionRequest` is a hand-recorded provision under LW-4.1 B-F waiting
for an administrator; an `Export` is one LY-5 de-identified export.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.i18n import localized

HOME_COUNTRY = "JP"


class DataItem(models.TextChoices):
    """The data items an arrangement may cover and a provision may carry."""

    NAME = "name", _("Name")
    EMAIL = "email", _("Email address")
    PHONE = "phone", _("Phone number")
    POSTAL_ADDRESS = "postal_address", _("Postal address")
    PREFECTURE = "prefecture", _("Prefecture")
    BIRTH_YEAR = "birth_year", _("Birth year")
    LANGUAGE = "language", _("Preferred language")
    ACCOUNT_PSEUDONYM = "account_pseudonym", _("Pseudonymous account identifier")
    USAGE = "usage", _("Service usage and registration month")
    INQUIRY = "inquiry", _("Inquiry contents")
    BACKUP = "backup", _("Backup copies of account data")


class PartnerKind(models.TextChoices):
    GROUP_COMPANY = "group_company", _("Group company")
    ENTRUSTED_PROCESSOR = "entrusted_processor", _("Entrusted processor")
    JOINT_USE_PARTNER = "joint_use_partner", _("Joint-use partner")
    THIRD_PARTY = "third_party", _("Third party")
    RESEARCH_INSTITUTION = "research_institution", _("Research institution")
    CONNECTED_APPLICATION = "connected_application", _("Connected application")


class Basis(models.TextChoices):
    """The basis of a provision (LW-4.1): consent A, entrustment, joint use, exceptions B-F."""

    CONSENT = "consent", _("Consent (A)")
    ENTRUSTMENT = "entrustment", _("Entrustment")
    JOINT_USE = "joint_use", _("Joint use")
    # An entrustment or joint use the customer's consent is also asked for (LY-1, LY-4).
    ENTRUSTMENT_WITH_CONSENT = "entrustment_consent", _("Entrustment, with consent")
    JOINT_USE_WITH_CONSENT = "joint_use_consent", _("Joint use, with consent")
    EXCEPTION_B = "exception_b", _("Exception B: violation of terms, protection of rights")
    EXCEPTION_C = "exception_c", _("Exception C: protection of life or property")
    EXCEPTION_D = "exception_d", _("Exception D: cooperation with public bodies")
    EXCEPTION_E = "exception_e", _("Exception E: merger, split or succession")
    EXCEPTION_F = "exception_f", _("Exception F: otherwise permitted by law")


EXCEPTION_BASES = (
    Basis.EXCEPTION_B,
    Basis.EXCEPTION_C,
    Basis.EXCEPTION_D,
    Basis.EXCEPTION_E,
    Basis.EXCEPTION_F,
)
ARRANGEMENT_BASES = (Basis.CONSENT, Basis.ENTRUSTMENT, Basis.JOINT_USE)

# The bases an arrangement may add the customer's consent to, and what a provision's basis
# then reads (LY-1, LY-4: "only when customers' consent is obtained").
WITH_CONSENT = {
    Basis.ENTRUSTMENT: Basis.ENTRUSTMENT_WITH_CONSENT,
    Basis.JOINT_USE: Basis.JOINT_USE_WITH_CONSENT,
}

# Which arrangement bases make sense for which kind of partner.
KIND_BASES: dict[str, tuple[str, ...]] = {
    PartnerKind.GROUP_COMPANY: (Basis.CONSENT, Basis.ENTRUSTMENT, Basis.JOINT_USE),
    PartnerKind.ENTRUSTED_PROCESSOR: (Basis.ENTRUSTMENT,),
    PartnerKind.JOINT_USE_PARTNER: (Basis.JOINT_USE,),
    PartnerKind.THIRD_PARTY: (Basis.CONSENT,),
    PartnerKind.RESEARCH_INSTITUTION: (Basis.CONSENT,),
    PartnerKind.CONNECTED_APPLICATION: (Basis.CONSENT,),
}


class Country(models.Model):
    """A country or region data may go to, with what APPI Art. 28 asks to tell the customer."""

    code = models.CharField(_("code (ISO 3166)"), max_length=8, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    protection_system_ja = models.TextField(_("personal-data protection system (Japanese)"))
    protection_system_en = models.TextField(_("personal-data protection system (English)"))
    equivalent_protection = models.BooleanField(
        _("recognised as equivalent (EU/EEA, UK)"),
        default=False,
        help_text=_(
            "Recognised by the Personal Information Protection Commission as having an "
            "equivalent system: no separate overseas consent is needed (APPI Art. 28(1))."
        ),
    )
    consent_purpose = models.ForeignKey(
        "consents.Purpose",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("overseas consent item"),
        help_text=_("The consent purpose a customer agrees to for provision to this country."),
    )

    class Meta:
        verbose_name = _("country or region")
        verbose_name_plural = _("countries and regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    name = localized()

    protection_system = localized()

    @property
    def is_overseas(self) -> bool:
        return self.code != HOME_COUNTRY


def new_pseudonym_salt() -> str:
    return secrets.token_hex(32)


class Partner(models.Model):
    """A group company, processor, joint user, third party, research institution or app."""

    kind = models.CharField(_("kind"), max_length=32, choices=PartnerKind.choices)
    name_ja = models.CharField(_("legal name (Japanese)"), max_length=200)
    name_en = models.CharField(_("legal name (English)"), max_length=200)
    address_ja = models.CharField(_("address (Japanese)"), max_length=300)
    address_en = models.CharField(_("address (English)"), max_length=300)
    representative_ja = models.CharField(_("representative (Japanese)"), max_length=200, blank=True)
    representative_en = models.CharField(_("representative (English)"), max_length=200, blank=True)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="partners", verbose_name=_("country")
    )
    measures_ja = models.TextField(
        _("recipient's protective measures (Japanese)"),
        blank=True,
        help_text=_("APPI Art. 28: what the recipient does to protect the data (overseas)."),
    )
    measures_en = models.TextField(_("recipient's protective measures (English)"), blank=True)
    equivalent_measures = models.BooleanField(
        _("has a system equivalent to APPI"),
        default=False,
        help_text=_(
            "The overseas recipient keeps measures equivalent to APPI (Rule 16), so entrustment "
            "to it needs no separate overseas consent."
        ),
    )
    service = models.OneToOneField(
        "consents.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner",
        verbose_name=_("individual service or connected application"),
        help_text=_(
            "For connected applications (LY-7) and individual services (LY-6): the consent "
            "given for this service decides before the general one."
        ),
    )
    listed = models.BooleanField(
        _("on the public Group Companies List"),
        default=False,
        help_text=_("Group companies only."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # The per-partner pseudonym key is HMAC(settings.PARTNERS_PSEUDONYM_SECRET, salt): the
    # database alone never holds a usable key, and the key is never shown (LY-5).
    pseudonym_salt = models.CharField(
        _("pseudonym key salt"), max_length=64, default=new_pseudonym_salt, editable=False
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["kind", "name_en"]

    def __str__(self) -> str:
        return self.name

    name = localized()

    address = localized()

    representative = localized()

    measures = localized()

    def clean(self) -> None:
        errors = {}
        if self.listed and self.kind != PartnerKind.GROUP_COMPANY:
            errors["listed"] = _("Only group companies are on the Group Companies List.")
        if (
            self.country_id
            and self.country.is_overseas
            and not (self.measures_ja.strip() and self.measures_en.strip())
        ):
            errors["measures_ja"] = _(
                "An overseas recipient needs its protective measures in Japanese and English "
                "(APPI Art. 28)."
            )
        if errors:
            raise ValidationError(errors)


class ArrangementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


# The LW-4.3 items (and the administrator's address, APPI Art. 27(5)(iii)) a joint-use
# arrangement must carry before it can be active, in both languages.
JOINT_USE_REQUIRED = (
    "joint_users_ja",
    "joint_users_en",
    "joint_purpose_ja",
    "joint_purpose_en",
    "administrator_name_ja",
    "administrator_name_en",
    "administrator_address_ja",
    "administrator_address_en",
)
ENTRUSTMENT_REQUIRED = ("contract_date", "instructions_ja", "instructions_en", "review_due_on")


def _filled(*names: str) -> Q:
    q = Q()
    for name in names:
        if name.endswith(("_on", "_date")):
            q &= Q(**{f"{name}__isnull": False})
        else:
            q &= ~Q(**{name: ""})
    return q


class Arrangement(models.Model):
    """What may go to a partner, for which purposes, on which basis, and when (LW-4)."""

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="arrangements", verbose_name=_("partner")
    )
    basis = models.CharField(
        _("basis"), max_length=16, choices=[(b.value, b.label) for b in ARRANGEMENT_BASES]
    )
    title_ja = models.CharField(_("title (Japanese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    purposes = models.ManyToManyField(
        "consents.Purpose", related_name="+", verbose_name=_("purposes")
    )
    data_items = models.JSONField(_("data items"), default=list)
    needs_consent = models.BooleanField(
        _("needs the customer's consent"),
        default=False,
        help_text=_(
            "Entrustment and joint use only: the gate also asks for the customer's consent to "
            "the purpose, and the provision's basis reads “with consent” (LY-1, LY-4)."
        ),
    )
    trigger_ja = models.CharField(
        _("triggering event (Japanese)"),
        max_length=300,
        blank=True,
        help_text=_("For shared use (LY-4): when the data goes, e.g. on opening an account."),
    )
    trigger_en = models.CharField(_("triggering event (English)"), max_length=300, blank=True)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=ArrangementStatus.choices,
        default=ArrangementStatus.DRAFT,
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    # Entrustment (LW-4.2, APPI Art. 25)
    contract_date = models.DateField(_("contract date"), null=True, blank=True)
    instructions_ja = models.TextField(_("scope of instructions (Japanese)"), blank=True)
    instructions_en = models.TextField(_("scope of instructions (English)"), blank=True)
    review_due_on = models.DateField(_("supervision review due"), null=True, blank=True)
    last_reviewed_on = models.DateField(_("last supervision review"), null=True, blank=True)
    # Joint use (LW-4.3, APPI Art. 27(5)(iii))
    joint_users_ja = models.TextField(_("scope of joint users (Japanese)"), blank=True)
    joint_users_en = models.TextField(_("scope of joint users (English)"), blank=True)
    joint_purpose_ja = models.TextField(_("purpose of joint use (Japanese)"), blank=True)
    joint_purpose_en = models.TextField(_("purpose of joint use (English)"), blank=True)
    administrator_name_ja = models.CharField(
        _("responsible administrator (Japanese)"), max_length=300, blank=True
    )
    administrator_name_en = models.CharField(
        _("responsible administrator (English)"), max_length=300, blank=True
    )
    administrator_address_ja = models.CharField(
        _("administrator's address (Japanese)"), max_length=300, blank=True
    )
    administrator_address_en = models.CharField(
        _("administrator's address (English)"), max_length=300, blank=True
    )
    administrator_representative_ja = models.CharField(
        _("administrator's representative (Japanese)"), max_length=200, blank=True
    )
    administrator_representative_en = models.CharField(
        _("administrator's representative (English)"), max_length=200, blank=True
    )

    class Meta:
        verbose_name = _("arrangement")
        verbose_name_plural = _("arrangements")
        ordering = ["partner", "starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="partners_joint_use_announced_when_active",
                condition=~Q(status="active", basis="joint_use") | _filled(*JOINT_USE_REQUIRED),
            ),
            models.CheckConstraint(
                name="partners_entrustment_contracted_when_active",
                condition=~Q(status="active", basis="entrustment") | _filled(*ENTRUSTMENT_REQUIRED),
            ),
            models.CheckConstraint(
                name="partners_consent_bound_only_entrustment_or_joint_use",
                condition=Q(needs_consent=False) | Q(basis__in=["entrustment", "joint_use"]),
            ),
            models.CheckConstraint(
                name="partners_arrangement_ends_after_start",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner}: {self.title}"

    title = localized()
    trigger = localized()
    instructions = localized()
    joint_users = localized()
    joint_purpose = localized()
    administrator_name = localized()
    administrator_address = localized()
    administrator_representative = localized()

    @property
    def data_item_labels(self) -> list[str]:
        labels = dict(DataItem.choices)
        return [str(labels.get(item, item)) for item in self.data_items]

    @property
    def consults_consent(self) -> bool:
        """Does the gate ask for the customer's consent to this arrangement's purposes?"""
        return self.basis == Basis.CONSENT or self.needs_consent

    @property
    def provision_basis(self) -> str:
        """The basis a provision under this arrangement is recorded with."""
        if self.needs_consent and self.basis in WITH_CONSENT:
            return WITH_CONSENT[self.basis]
        return self.basis

    def get_provision_basis_display(self) -> str:
        return str(Basis(self.provision_basis).label)

    def missing_for_activation(self) -> list[str]:
        """Field names that must be filled before this arrangement may be active."""
        required: tuple[str, ...] = ()
        if self.basis == Basis.JOINT_USE:
            required = JOINT_USE_REQUIRED
        elif self.basis == Basis.ENTRUSTMENT:
            required = ENTRUSTMENT_REQUIRED
        missing = [name for name in required if not getattr(self, name)]
        if not self.data_items:
            missing.append("data_items")
        return missing

    def clean(self) -> None:
        errors: dict[str, list] = {}
        unknown = set(self.data_items or []) - set(DataItem.values)
        if unknown:
            errors["data_items"] = [
                _("Unknown data items: %(items)s") % {"items": ", ".join(sorted(unknown))}
            ]
        if self.partner_id and self.basis not in KIND_BASES.get(self.partner.kind, ()):
            errors["basis"] = [_("This basis does not fit this kind of partner.")]
        if self.needs_consent and self.basis not in WITH_CONSENT:
            errors["needs_consent"] = [
                _("Only an entrustment or a joint use can be marked as needing consent.")
            ]
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            errors["ends_on"] = [_("The end must not be before the start.")]
        if self.status == ArrangementStatus.ACTIVE:
            for name in self.missing_for_activation():
                errors.setdefault(name, []).append(
                    _("Required before the arrangement can be active.")
                )
        if errors:
            raise ValidationError(errors)

    def in_force(self, on) -> bool:
        return (
            self.status == ArrangementStatus.ACTIVE
            and self.starts_on <= on
            and (self.ends_on is None or self.ends_on >= on)
        )


# The portal.approvals kind of an exception B-F (registered in partners/approval_kinds.py).
EXCEPTION_APPROVAL = "exception"


class ExceptionStatus(models.TextChoices):
    """An exception's state in words, read from its approval (`ExceptionRequest.status`)."""

    PENDING = "pending", _("Waiting for approval")
    PROVIDED = "provided", _("Approved and provided")
    REJECTED = "rejected", _("Rejected")


class ExceptionRequest(models.Model):
    """A provision staff record by hand under an exception B-F of LW-4.1: a written
    justification, then a privacy administrator's approval (a different person)."""

    # An erased account leaves the request with its provision record, which keeps the
    # customer's pseudonym (customer_reference).
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="+", verbose_name=_("recipient")
    )
    purpose = models.ForeignKey(
        "consents.Purpose", on_delete=models.PROTECT, related_name="+", verbose_name=_("purpose")
    )
    data_items = models.JSONField(_("data items"), default=list)
    basis = models.CharField(
        _("exception"), max_length=16, choices=[(b.value, b.label) for b in EXCEPTION_BASES]
    )
    justification = models.TextField(_("written justification"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    # The privacy administrator's decision (portal.approvals, kind "exception"), asked when
    # the exception is requested; its state is the exception's `status` below.
    approvals = GenericRelation(
        "portal.Approval",
        content_type_field="subject_type",
        object_id_field="subject_id",
        related_query_name="exception",
    )

    class Meta:
        verbose_name = _("exception provision")
        verbose_name_plural = _("exception provisions")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_basis_display()} → {self.partner}"

    @property
    def data_item_labels(self) -> list[str]:
        labels = dict(DataItem.choices)
        return [str(labels.get(item, item)) for item in self.data_items]

    @property
    def approval(self):
        """The approval asked with the exception (prefetched on lists, read otherwise)."""
        found = list(self.approvals.all()) if self.pk else []
        return max(found, key=lambda a: (a.asked_at, a.pk)) if found else None

    @property
    def status(self) -> str:
        approval = self.approval
        if approval is None or approval.status == "pending":
            return ExceptionStatus.PENDING
        return (
            ExceptionStatus.PROVIDED if approval.status == "approved" else ExceptionStatus.REJECTED
        )

    def get_status_display(self) -> str:
        return str(ExceptionStatus(self.status).label)

    @property
    def decided_by(self):
        approval = self.approval
        return approval.decided_by if approval else None

    @property
    def decided_by_id(self):
        approval = self.approval
        return approval.decided_by_id if approval else None

    @property
    def decided_at(self):
        approval = self.approval
        return approval.decided_at if approval else None

    @property
    def decision_note(self) -> str:
        approval = self.approval
        return approval.comment if approval else ""


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")


class Export(models.Model):
    """One de-identified export (LY-5) for a partner and one of the four LY-5 purposes."""

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="exports", verbose_name=_("partner")
    )
    purpose = models.ForeignKey(
        "consents.Purpose", on_delete=models.PROTECT, related_name="+", verbose_name=_("purpose")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("customers to process"), null=True, blank=True)
    processed = models.PositiveIntegerField(_("customers processed"), default=0)
    rows = models.PositiveIntegerField(_("rows written"), default=0)
    # Where a retried task resumes: the last customer id committed and the file size then.
    last_customer_id = models.BigIntegerField(_("last customer processed"), default=0)
    file_bytes = models.BigIntegerField(_("bytes written"), default=0)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The last sign of life: queued, claimed by a worker, or a chunk committed. Queued or
    # running without it moving is stale work (portal/recovery.py) and is queued again.
    progress_at = models.DateTimeField(_("last progress"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("de-identified export")
        verbose_name_plural = _("de-identified exports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return _("%(partner)s / %(purpose)s (%(status)s)") % {
            "partner": self.partner,
            "purpose": self.purpose,
            "status": self.get_status_display(),
        }

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.COMPLETED:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.processed * 100 / self.total))

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.COMPLETED, ExportStatus.FAILED)


class ProvisionRecord(models.Model):
    """The record of one provision (APPI Art. 29). Written only by
    `partners.services.records.provision_record` / the export, never changed: on PostgreSQL the
    runtime role may only SELECT and INSERT, and a trigger refuses UPDATE (except unlinking an
    erased customer) and DELETE of records younger than the retention period (migration
    0007)."""

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="records", verbose_name=_("recipient")
    )
    # What the recipient was called and where it was when the data went, as APPI-29 asks.
    recipient_name = models.CharField(_("recipient's name"), max_length=420)
    recipient_country = models.CharField(_("recipient's country"), max_length=8)
    arrangement = models.ForeignKey(
        Arrangement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("arrangement"),
    )
    # PROTECT: the link is dropped only by erasure (`provision_records_unlink`); the runtime
    # role may not UPDATE this table, so deleting a user cannot null it (LW-5).
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="provision_records",
        verbose_name=_("customer"),
    )
    # A stable pseudonym of the customer, kept when an erased account drops the link.
    customer_reference = models.CharField(_("customer reference"), max_length=64, db_index=True)
    purpose = models.ForeignKey(
        "consents.Purpose", on_delete=models.PROTECT, related_name="+", verbose_name=_("purpose")
    )
    data_items = models.JSONField(_("data items"), default=list)
    basis = models.CharField(_("basis"), max_length=24, choices=Basis.choices)
    decided_by = models.CharField(
        _("consent decided by"),
        max_length=16,
        blank=True,
        help_text=_("service, general, default ... as the consent ledger answered (LY-6)."),
    )
    consent_event = models.ForeignKey(
        "consents.ConsentEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent event relied on"),
    )
    overseas_consent_event = models.ForeignKey(
        "consents.ConsentEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("overseas consent event relied on"),
    )
    exception = models.ForeignKey(
        ExceptionRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("exception provision"),
    )
    export = models.ForeignKey(
        Export,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("export"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    provided_at = models.DateTimeField(_("provided at"), default=timezone.now)

    class Meta:
        verbose_name = _("provision record")
        verbose_name_plural = _("provision records")
        ordering = ["-provided_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-provided_at"]),
            models.Index(fields=["partner", "-provided_at"]),
            models.Index(fields=["provided_at"]),
        ]
        constraints = [
            # One approved exception B-F authorises one provision (LW-4.1).
            models.UniqueConstraint(
                fields=["exception"],
                condition=Q(exception__isnull=False),
                name="partners_record_one_per_exception",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_name} {self.provided_at:%Y-%m-%d}"

    @property
    def recipient_names(self) -> tuple[str, str]:
        """The recipient's names as recorded ("ja / en"): Japanese, English."""
        ja, _sep, en = self.recipient_name.partition(" / ")
        return ja, en

    @property
    def data_item_labels(self) -> list[str]:
        labels = dict(DataItem.choices)
        return [str(labels.get(item, item)) for item in self.data_items]


# The partner API's models live in their own module.
from partners.api.models import (  # noqa: E402, F401
    ApiIdempotencyKey,
    ApiKey,
    PartnerEvent,
    PartnerSubject,
    PartnerSystem,
    SubjectConfirmation,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
