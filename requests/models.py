"""Data-subject requests (LW-6): the request, its timeline, messages, uploads, deadline and fee
configuration, fee payments, and the settings of the request jobs.

Only `requests/workflow.py` writes `DataRequest.status`; everything else goes through
`requests/services.py`.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.i18n import localized
from portal.inventory import CATEGORIES
from portal.models import Language, SingletonSettings, _validate_day_list


class Kind(models.TextChoices):
    DISCLOSURE = "disclosure", _("Disclosure of my data")
    CORRECTION = "correction", _("Correction of my data")
    ADDITION = "addition", _("Addition to my data")
    DELETION = "deletion", _("Deletion of my data")
    SUSPENSION = "suspension", _("Stop of use for chosen purposes")
    THIRD_PARTY_STOP = "third_party_stop", _("Stop of provision to third parties")
    PURPOSE_NOTICE = "purpose_notice", _("Notification of the purposes of use")
    PROVISION_RECORDS = "provision_records", _("Disclosure of third-party provision records")
    INQUIRY = "inquiry", _("Question or complaint")


# APPI Art. 38: only these kinds may carry a fee (LW-6.4).
CHARGEABLE_KINDS = (Kind.DISCLOSURE, Kind.PURPOSE_NOTICE, Kind.PROVISION_RECORDS)

# The kinds answered by disclosing data: decided item by item, answered with a package (LW-6.3).
DISCLOSURE_KINDS = (Kind.DISCLOSURE, Kind.PROVISION_RECORDS)


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    VERIFYING = "verifying", _("Checking identity")
    AWAITING_CUSTOMER = "awaiting_customer", _("Waiting for you")
    AWAITING_PAYMENT = "awaiting_payment", _("Waiting for payment")
    IN_REVIEW = "in_review", _("In progress")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = tuple(s for s in Status.values if s != Status.CLOSED)
# The clock stops while the portal waits on the customer (LW-6.2).
PAUSED_STATUSES = (Status.AWAITING_CUSTOMER, Status.AWAITING_PAYMENT)


class Outcome(models.TextChoices):
    FULFILLED = "fulfilled", _("Fulfilled")
    PARTIALLY_FULFILLED = "partially_fulfilled", _("Partially fulfilled")
    REFUSED = "refused", _("Refused")
    NO_DATA = "no_data", _("No data held")
    LAPSED = "lapsed", _("Lapsed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DeliveryMethod(models.TextChoices):
    # APPI Art. 33: the person chooses the method, including an electronic record.
    ELECTRONIC = "electronic", _("Electronic (download)")
    PAPER = "paper", _("Paper (by post)")


class Representation(models.TextChoices):
    """How someone files for another person (APPI Art. 37)."""

    AGENT = "agent", _("Agent with a power of attorney")
    LEGAL_REPRESENTATIVE = (
        "legal_representative",
        _("Legal representative (of a minor or an adult ward)"),
    )


class Channel(models.TextChoices):
    """How a request reached us. Online requests are filed on the portal, by a signed-in
    customer or by a visitor who proved control of an email address; the rest are typed in
    by staff from a letter, a call, an email or a visit (`DataRequest.filed_by`)."""

    ONLINE = "online", _("Online")
    POST = "post", _("By post")
    PHONE = "phone", _("By phone")
    EMAIL = "email", _("By email")
    COUNTER = "counter", _("At the counter")


class DayMode(models.TextChoices):
    CALENDAR = "calendar", _("Calendar days")
    BUSINESS = "business", _("Business days (Japanese calendar)")


class FeeStatus(models.TextChoices):
    NONE = "none", _("No fee")
    QUOTED = "quoted", _("To be paid")
    PAID = "paid", _("Paid")
    WAIVED = "waived", _("Waived")
    REFUNDED = "refunded", _("Refunded")
    LAPSED = "lapsed", _("Lapsed, not charged")  # the request lapsed before payment


DEFAULT_SLA_DAYS = 14


class SLAConfig(models.Model):
    """The deadline for one kind (LW-6.2). Copied onto each request when it is filed, so a
    change affects new requests only. A kind with no row uses 14 calendar days."""

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, unique=True)
    days = models.PositiveSmallIntegerField(_("days"), default=DEFAULT_SLA_DAYS)
    day_mode = models.CharField(
        _("counted in"), max_length=10, choices=DayMode.choices, default=DayMode.CALENDAR
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("deadline (SLA)")
        verbose_name_plural = _("deadlines (SLA)")
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(condition=Q(days__gte=1), name="requests_sla_days_positive")
        ]

    def __str__(self) -> str:
        return _("%(kind)s: %(days)s (%(mode)s)") % {
            "kind": self.get_kind_display(),
            "days": self.days,
            "mode": self.get_day_mode_display(),
        }


class FeeSchedule(models.Model):
    """The fee for one kind and delivery method, in whole yen (LW-6.4, APPI Art. 38)."""

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    delivery_method = models.CharField(
        _("delivery method"), max_length=12, choices=DeliveryMethod.choices
    )
    amount_yen = models.PositiveIntegerField(_("fee (yen)"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("fee")
        verbose_name_plural = _("fee schedule")
        ordering = ["kind", "delivery_method"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "delivery_method"], name="requests_fee_one_per_kind_method"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in CHARGEABLE_KINDS]),
                name="requests_fee_chargeable_kinds_only",
                violation_error_message=_(
                    "Only disclosure, purpose notice and provision-record requests can carry a fee."
                ),
            ),
        ]

    def __str__(self) -> str:
        kind, method = self.get_kind_display(), self.get_delivery_method_display()
        return _("%(kind)s / %(method)s: ¥%(amount)s") % {
            "kind": kind,
            "method": method,
            "amount": f"{self.amount_yen:,}",
        }

    def clean(self) -> None:
        super().clean()
        if self.kind and self.kind not in CHARGEABLE_KINDS:
            raise ValidationError(
                {
                    "kind": _(
                        "A fee can be charged only for disclosure, purpose notice and "
                        "provision-record requests (APPI Art. 38); %(kind)s cannot carry a fee."
                    )
                    % {"kind": Kind(self.kind).label}
                }
            )


class ReferenceCounter(models.Model):
    """The last reference number handed out in a year; locked while the next is taken."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference counter")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class DataRequest(models.Model):
    """One request a person filed about their data (LW-6.1, LW-10).

    A request comes from an account (`customer`) or from a person without one, known by the
    contact details they gave (`requester_*`): online after proving control of an email
    address, or typed in by staff (`filed_by`) from a letter, call, email or visit. Staff
    match an account-less request to the data we hold (`matched_customer`), or record that
    we hold none (`matched_none`); `requests.principals.subject_of` answers whose data it is.
    """

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    status = models.CharField(
        _("state"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField(_("reason given"), blank=True)
    # The account that filed the request; none for a person without an account.
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="data_requests",
        verbose_name=_("customer"),
    )
    channel = models.CharField(
        _("received"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    # The requester without an account: who they say they are and where we write to them.
    requester_name = models.CharField(_("requester's name"), max_length=150, blank=True)
    requester_email = models.EmailField(_("requester's email address"), blank=True)
    requester_email_verified_at = models.DateTimeField(
        _("email address proved at"), null=True, blank=True
    )
    requester_address = models.TextField(_("requester's postal address"), blank=True)
    requester_phone = models.CharField(_("requester's phone number"), max_length=32, blank=True)
    requester_language = models.CharField(
        _("requester's language"),
        max_length=2,
        choices=Language.choices,
        default=Language.JA,
    )
    # The staff member who typed in a request that came by post, phone, email or in person.
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("typed in by"),
    )
    # Staff match an account-less requester to the data we hold while checking their
    # identity: an account (also an erased account's pseudonymous record), or none at all,
    # in which case the answer is "no data held" (APPI Art. 33).
    matched_customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests_matched_to_me",
        verbose_name=_("matched to account"),
    )
    matched_none = models.BooleanField(_("no data held about the requester"), default=False)
    matched_at = models.DateTimeField(_("matched at"), null=True, blank=True)
    # Filed by the customer as agent for someone else, with a power of attorney.
    on_behalf = models.BooleanField(_("filed as agent"), default=False)
    principal_name = models.CharField(_("on behalf of"), max_length=150, blank=True)
    principal_relationship = models.CharField(_("relationship"), max_length=100, blank=True)
    representation = models.CharField(
        _("filed as"), max_length=24, choices=Representation.choices, blank=True
    )
    # The person an agent's request is for: staff link it to their account, or record that
    # they have no account, after checking the power of attorney (or proof of the
    # relationship). Every fulfilment step acts on this person, never on the agent (LW-6.1).
    principal = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests_filed_for_me",
        verbose_name=_("person represented"),
    )
    principal_no_account = models.BooleanField(
        _("person represented has no account"), default=False
    )
    authority_confirmed_at = models.DateTimeField(
        _("authority to act checked at"), null=True, blank=True
    )
    details = models.JSONField(_("what was asked"), default=dict, blank=True)
    delivery_method = models.CharField(
        _("delivery method"),
        max_length=12,
        choices=DeliveryMethod.choices,
        default=DeliveryMethod.ELECTRONIC,
    )
    # The clock (LW-6.2). The SLA is copied from SLAConfig when the request is filed.
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    sla_days = models.PositiveSmallIntegerField(_("deadline (days)"))
    sla_day_mode = models.CharField(_("counted in"), max_length=10, choices=DayMode.choices)
    due_at = models.DateTimeField(_("due at"), db_index=True)
    paused_seconds = models.PositiveIntegerField(_("time paused (seconds)"), default=0)
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("approved extension (days)"), default=0)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    identity_confirmed_at = models.DateTimeField(_("identity confirmed at"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_requests",
        verbose_name=_("assignee"),
    )
    # Fee (LW-6.4): the schedule's amount is copied when the request is filed.
    fee_yen = models.PositiveIntegerField(_("fee (yen)"), null=True, blank=True)
    fee_status = models.CharField(
        _("fee"), max_length=10, choices=FeeStatus.choices, default=FeeStatus.NONE
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Who drafted the decision waiting for approval: they cannot approve it (LW-5, LW-6.3).
    decision_drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decision drafted by"),
    )
    # Set when the account was erased on a deletion request: the record keeps this pseudonym.
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # What staff asked a privacy administrator to approve about it (portal.approvals).
    approvals = GenericRelation(
        "portal.Approval",
        content_type_field="subject_type",
        object_id_field="subject_id",
        related_query_name="request",
    )

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-received_at"]),
            models.Index(fields=["status", "due_at"]),
            # The staff queue's order over open requests: a deep page walks this
            # index to its offset instead of sorting every open request.
            models.Index(
                fields=["due_at", "id"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="request_queue_open_idx",
            ),
            # The queue's other sort orders (requests.filters.SORTS), read forwards
            # or backwards: sorting by a column never sorts every open request either.
            models.Index(
                fields=["received_at", "id"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="request_queue_received_idx",
            ),
            models.Index(
                fields=["reference"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="request_queue_reference_idx",
            ),
            models.Index(
                fields=["kind", "due_at", "id"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="request_queue_kind_idx",
            ),
            models.Index(
                fields=["status", "due_at", "id"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="request_queue_status_idx",
            ),
        ]
        constraints = [
            # One open request of a kind per customer (the agent's filings are checked by the
            # service per person represented). Guards the duplicate rule under concurrency.
            models.UniqueConstraint(
                fields=["customer", "kind"],
                condition=~Q(status="closed") & Q(on_behalf=False),
                name="requests_one_open_per_kind",
            ),
            # The same rule for a person without an account, by the address they proved.
            models.UniqueConstraint(
                Lower("requester_email"),
                "kind",
                condition=~Q(status="closed")
                & Q(
                    on_behalf=False,
                    customer__isnull=True,
                    requester_email_verified_at__isnull=False,
                ),
                name="requests_one_open_per_kind_verified_email",
            ),
            # A request has an account or the requester's name and somewhere to write to
            # (unless it was erased).
            models.CheckConstraint(
                condition=Q(customer__isnull=False)
                | Q(erased_at__isnull=False)
                | (~Q(requester_name="") & (~Q(requester_email="") | ~Q(requester_address=""))),
                name="requests_account_or_requester",
            ),
            # The requester's details belong to account-less requests only.
            models.CheckConstraint(
                condition=Q(customer__isnull=True)
                | Q(
                    requester_name="",
                    requester_email="",
                    requester_email_verified_at__isnull=True,
                    requester_address="",
                    requester_phone="",
                ),
                name="requests_requester_only_without_account",
            ),
            models.CheckConstraint(
                condition=Q(requester_email_verified_at__isnull=True) | ~Q(requester_email=""),
                name="requests_verified_email_present",
            ),
            # Online, a person without an account files only after proving their address.
            models.CheckConstraint(
                condition=~Q(channel="online")
                | Q(customer__isnull=False)
                | Q(requester_email_verified_at__isnull=False)
                | Q(erased_at__isnull=False),
                name="requests_online_without_account_verified",
            ),
            # Staff type in exactly the requests that did not come online.
            models.CheckConstraint(
                condition=Q(channel="online", filed_by__isnull=True)
                | (~Q(channel="online") & Q(filed_by__isnull=False)),
                name="requests_filed_by_iff_offline",
            ),
            # Only a requester without an account (not an agent: that is `principal`) is
            # matched, to an account or to nothing, never both; matched_at says when.
            models.CheckConstraint(
                condition=Q(
                    matched_customer__isnull=True, matched_none=False, matched_at__isnull=True
                )
                | (
                    Q(customer__isnull=True, on_behalf=False, matched_at__isnull=False)
                    & (
                        Q(matched_customer__isnull=False, matched_none=False)
                        | Q(matched_customer__isnull=True, matched_none=True)
                    )
                ),
                name="requests_matched_once_without_account",
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False)
                | (~Q(status="closed") & Q(closed_at__isnull=True)),
                name="requests_closed_at_iff_closed",
            ),
            models.CheckConstraint(
                condition=Q(fee_yen__isnull=True) | Q(kind__in=[k.value for k in CHARGEABLE_KINDS]),
                name="requests_request_fee_chargeable_only",
            ),
            # Only an agent's request has a person represented, and that person is either
            # linked to an account or recorded as having none, never both, never the agent.
            models.CheckConstraint(
                condition=Q(on_behalf=True)
                | Q(
                    principal__isnull=True,
                    principal_no_account=False,
                    authority_confirmed_at__isnull=True,
                    representation="",
                ),
                name="requests_principal_only_on_behalf",
            ),
            models.CheckConstraint(
                condition=Q(principal__isnull=True) | Q(principal_no_account=False),
                name="requests_principal_linked_or_no_account",
            ),
            models.CheckConstraint(
                condition=Q(principal__isnull=True) | ~Q(principal=models.F("customer")),
                name="requests_principal_not_the_agent",
            ),
        ]
        permissions = [("work_request", "Can move a request through its workflow")]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED

    @property
    def is_disclosure(self) -> bool:
        """Answered by disclosing data: decided item by item, with a package (LW-6.3)."""
        return self.kind in DISCLOSURE_KINDS

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None

    def effective_due_at(self, now: datetime | None = None) -> datetime:
        """The due date as of now: a running pause pushes it further out (LW-6.2)."""
        if self.paused_since is None:
            return self.due_at
        return self.due_at + ((now or timezone.now()) - self.paused_since)

    @property
    def fee_payable(self) -> bool:
        return self.fee_status == FeeStatus.QUOTED

    @property
    def has_account(self) -> bool:
        """Filed from an account (as opposed to by a person without one)."""
        return self.customer_id is not None

    @property
    def requester_matched(self) -> bool:
        """An account-less request whose requester staff have matched: to an account, or
        to no data at all."""
        return self.matched_customer_id is not None or self.matched_none

    @property
    def principal_linked(self) -> bool:
        """An agent's request whose person represented is settled: linked or no account."""
        return self.on_behalf and (self.principal_id is not None or self.principal_no_account)

    @property
    def answered_to_principal(self) -> bool:
        """The answer went to the person represented, not to the agent: a decided request
        (identity and authority checked, not lapsed or withdrawn) with a linked person. An
        inquiry is answered to whoever asked it."""
        return (
            self.status == Status.CLOSED
            and self.on_behalf
            and self.principal_id is not None
            and self.kind != Kind.INQUIRY
            and self.identity_confirmed_at is not None
            and self.outcome not in (Outcome.WITHDRAWN, Outcome.LAPSED)
        )


# What each timeline event is called on the staff pages (the customer's page words them for
# the customer: templates/customer/requests/_event.html).
EVENT_LABELS = {
    "submitted": _("Filed by the customer"),
    "verification_start": _("Identity check started"),
    "customer_ask": _("Customer asked for documents or details"),
    "customer_respond": _("Customer answered"),
    "identity_confirm": _("Identity confirmed"),
    "identity_fail": _("Identity not confirmed"),
    "fee_quote": _("Fee quoted"),
    "payment_record": _("Payment recorded"),
    "fee_waive": _("Fee waived"),
    "approval_ask": _("Sent for approval"),
    "approval_return": _("Returned by the administrator"),
    "approve": _("Approved and closed"),
    "close": _("Closed"),
    "lapse": _("Lapsed"),
    "withdraw": _("Withdrawn by the customer"),
    "extension_grant": _("Deadline extended"),
    "erasure_ask": _("Account erasure sent for approval"),
    "erasure_return": _("Account erasure returned by the administrator"),
    "message_from_staff": _("Message to the customer"),
    "message_from_customer": _("Message from the customer"),
    "document_uploaded": _("Document uploaded"),
    "assign": _("Assigned"),
    "package_ready": _("Package ready for download"),
    "package_mailed": _("Package mailed"),
    "principal_link": _("Person represented linked and authority checked"),
    "requester_match": _("Requester matched to the data we hold"),
    "filed_by_staff": _("Typed in by staff (received by post, phone, email or at the counter)"),
    "notice_posted": _("Notice posted"),
}


class TimelineEntry(models.Model):
    """One thing that happened to a request: a state change, a note, an upload."""

    request = models.ForeignKey(
        DataRequest, on_delete=models.CASCADE, related_name="timeline", verbose_name=_("request")
    )
    event = models.CharField(_("event"), max_length=40)
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.event}"

    @property
    def event_label(self) -> str:
        return str(EVENT_LABELS.get(self.event, self.event))


class RequestMessage(models.Model):
    """A message between the customer and privacy staff about one request."""

    request = models.ForeignKey(
        DataRequest, on_delete=models.CASCADE, related_name="messages", verbose_name=_("request")
    )
    # None: the requester of a request filed without an account.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    from_staff = models.BooleanField(_("from staff"), default=False)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    # The token of the form it was posted from: a double submit of one form posts one message.
    client_token = models.UUIDField(_("form token"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "client_token"],
                condition=Q(client_token__isnull=False),
                name="requests_message_one_per_form_token",
            ),
            models.CheckConstraint(
                condition=Q(from_staff=False) | Q(author__isnull=False),
                name="requests_message_staff_author_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} message {self.pk}"


class DocumentPurpose(models.TextChoices):
    IDENTITY = "identity", _("Identity document")
    POWER_OF_ATTORNEY = "power_of_attorney", _("Power of attorney")
    RELATIONSHIP_PROOF = "relationship_proof", _("Proof of the relationship")
    # A request that came by post (or was handed in at the counter), scanned by staff.
    LETTER = "letter", _("The request as received (scan)")


class DocumentType(models.TextChoices):
    PDF = "application/pdf", "PDF"
    JPEG = "image/jpeg", "JPEG"
    PNG = "image/png", "PNG"


class RequestDocument(models.Model):
    """An uploaded identity document or power of attorney (LW-6.3 ground 4).

    The file lives under settings.PRIVATE_STORAGE_ROOT with a random name; the name the
    customer's computer gave it is kept only for display, stripped of any path."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(
        DataRequest, on_delete=models.CASCADE, related_name="documents", verbose_name=_("request")
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=DocumentPurpose.choices)
    # None: the requester of a request filed without an account.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    stored_name = models.CharField(_("stored as"), max_length=80, unique=True, editable=False)
    display_name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("type"), max_length=20, choices=DocumentType.choices)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    # Set when the retention job removes the file; the row stays as a record.
    deleted_at = models.DateTimeField(_("file deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("uploaded document")
        verbose_name_plural = _("uploaded documents")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.display_name


class PaymentKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    REFUND = "refund", _("Refund")


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    POSTAL_ORDER = "postal_order", _("Postal money order")
    CARD = "card", _("Card")


class FeePayment(models.Model):
    """A fee payment or refund recorded on the request it belongs to (LW-2.3, LW-6.4)."""

    request = models.ForeignKey(
        DataRequest, on_delete=models.PROTECT, related_name="payments", verbose_name=_("request")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=PaymentKind.choices)
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    amount_yen = models.PositiveIntegerField(_("amount (yen)"))
    paid_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("fee payment")
        verbose_name_plural = _("fee payments")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_yen__gt=0), name="requests_payment_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ¥{self.amount_yen:,}"


# --- the back-office ---------------------------------------------------------------


class Ground(models.IntegerChoices):
    """The four grounds on which a disclosure may be refused, wholly or in part (LW-6.3)."""

    HARM = (
        1,
        _("(1) Harm to the life, body, property or other rights of the person or a third party"),
    )
    BUSINESS = 2, _("(2) Serious hindrance to the proper conduct of our business")
    LAW = 3, _("(3) Violation of other laws")
    IDENTITY = 4, _("(4) The requester could not be confirmed as the person")


class DecisionItem(models.Model):
    """One data item (a category of the data inventory, LW-1) of a disclosure decision:
    disclosed, or withheld on one or more grounds with the reason the customer reads (LW-6.3)."""

    request = models.ForeignKey(
        DataRequest,
        on_delete=models.CASCADE,
        related_name="decision_items",
        verbose_name=_("request"),
    )
    category = models.CharField(_("data item"), max_length=32)
    withheld = models.BooleanField(_("withheld"), default=False)
    grounds = models.JSONField(_("grounds"), default=list, blank=True)
    reason = models.TextField(_("reason given"), blank=True)

    class Meta:
        verbose_name = _("decision item")
        verbose_name_plural = _("decision items")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "category"], name="requests_decision_item_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.category}"

    @property
    def category_label(self) -> str:
        return str(CATEGORIES.get(self.category, self.category))

    @property
    def ground_labels(self) -> list[str]:
        return [str(Ground(g).label) for g in self.grounds]


class ApprovalKind(models.TextChoices):
    """What privacy administrators approve about a request; each is a `portal.Approval` kind,
    registered in requests/apps.py."""

    DECISION = "decision", _("Partial or refused decision")
    WAIVER = "waiver", _("Fee waiver")
    EXTENSION = "extension", _("Deadline extension")
    # A whole-account deletion through a request (least privilege, LW-5): approving it erases.
    ERASURE = "erasure", _("Whole-account deletion")


class PackageStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be built")
    BUILDING = "building", _("Being built")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class DisclosurePackage(models.Model):
    """The customer's data as JSON and a readable page (LW-6.1, APPI Art. 33), built in the
    background from the data inventory and downloadable until `expires_at`."""

    request = models.OneToOneField(
        DataRequest, on_delete=models.CASCADE, related_name="package", verbose_name=_("request")
    )
    status = models.CharField(
        _("state"), max_length=10, choices=PackageStatus.choices, default=PackageStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("parts"), default=0)
    done = models.PositiveIntegerField(_("parts done"), default=0)
    json_name = models.CharField(_("JSON file"), max_length=80, blank=True)
    html_name = models.CharField(_("page file"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    built_at = models.DateTimeField(_("built at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("download until"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("first downloaded at"), null=True, blank=True)
    mailed_at = models.DateTimeField(_("mailed on paper at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)
    # The last sign of life: queued, claimed by a worker, or a part built. Queued or building
    # without it moving is stale work (portal/recovery.py) and is queued again.
    progress_at = models.DateTimeField(_("last progress"), default=timezone.now)

    class Meta:
        verbose_name = _("disclosure package")
        verbose_name_plural = _("disclosure packages")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.request_id} package {self.status}"

    @property
    def percent(self) -> int:
        if self.status == PackageStatus.READY:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    def downloadable(self, now: datetime | None = None) -> bool:
        return (
            self.status == PackageStatus.READY
            and self.expires_at is not None
            and self.expires_at > (now or timezone.now())
        )


class JobSettings(SingletonSettings):
    """When the request jobs remind, nudge, lapse and purge (LW-6.2, APPI-29). One row,
    edited in the admin; with no row the defaults below apply. Until migration 0011 the row
    lived in the base app (`portal_jobsettings`); that migration moved its values here."""

    reminder_days_before = models.CharField(
        _("staff reminders (days before the due date)"),
        max_length=40,
        default="3, 1",
        validators=[_validate_day_list],
        help_text=_("Comma-separated, e.g. “3, 1”."),
    )
    nudge_after_days = models.PositiveSmallIntegerField(
        _("nudge the customer after (days waiting)"), default=7
    )
    lapse_after_days = models.PositiveSmallIntegerField(
        _("lapse after a further (days)"), default=30
    )
    document_retention_days = models.PositiveSmallIntegerField(
        _("keep identity documents after closing (days)"), default=30
    )
    digest_hour = models.PositiveSmallIntegerField(
        _("overdue digest from (hour, Japan time)"), default=9
    )

    class Meta:
        verbose_name = _("job settings")
        verbose_name_plural = _("job settings")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="requests_job_settings_single"),
            models.CheckConstraint(
                condition=Q(digest_hour__lte=23), name="requests_job_settings_digest_hour"
            ),
            models.CheckConstraint(
                condition=Q(nudge_after_days__gte=1, lapse_after_days__gte=1),
                name="requests_job_settings_waits_positive",
            ),
        ]


# --- filing without an account ------------------------------------------------------------------

EMAIL_CODE_MAX_ATTEMPTS = 5


class EmailCode(models.Model):
    """A six-digit one-time code mailed to prove control of an email address before a person
    without an account files a request (requests/intake.py). Only a keyed hash of the code
    is kept. The rows are also the rate limit: codes asked for per address and per network
    address are counted from them."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("email address"))  # lower-case
    code_hash = models.CharField(_("code (keyed hash)"), max_length=64, editable=False)
    ip_address = models.GenericIPAddressField(_("network address"), null=True, blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("valid until"))
    attempts = models.PositiveSmallIntegerField(_("tries"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("email code")
        verbose_name_plural = _("email codes")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["email", "created_at"], name="requests_code_email_idx"),
            models.Index(fields=["ip_address", "created_at"], name="requests_code_ip_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(attempts__lte=EMAIL_CODE_MAX_ATTEMPTS),
                name="requests_code_attempts_limited",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="requests_code_expires_after_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"code for {self.email} ({self.created_at:%Y-%m-%d %H:%M})"


class ContactPoint(models.Model):
    """One version of the public contact point and the matters APPI Art. 32(1) and Cabinet Order
    Art. 10 ask a business to keep where people can learn them (LW-6.1, LW-10): who the business
    is, how each kind of request is made, the safety-management measures (LW-5), and where
    complaints go. Administrators edit it in the admin; every edit is a new version
    (`contact_point_revise`), the page shows the newest, and earlier versions stay readable.
    The purposes of use and the fees are not copied here: the page reads them from the purpose
    catalogue and the fee schedule, which are the ones the portal applies."""

    version = models.PositiveIntegerField(_("version"), unique=True, editable=False)
    business_name_ja = models.CharField(_("business name (Japanese)"), max_length=200)
    business_name_en = models.CharField(_("business name (English)"), max_length=200, blank=True)
    address_ja = models.CharField(_("address (Japanese)"), max_length=300)
    address_en = models.CharField(_("address (English)"), max_length=300, blank=True)
    representative_ja = models.CharField(
        _("representative (Japanese)"),
        max_length=200,
        help_text=_("Title and name of the person who represents the business."),
    )
    representative_en = models.CharField(_("representative (English)"), max_length=200, blank=True)
    administrator_ja = models.CharField(
        _("privacy administrator (Japanese)"),
        max_length=200,
        help_text=_("The person or office responsible for personal information (LW-5)."),
    )
    administrator_en = models.CharField(
        _("privacy administrator (English)"), max_length=200, blank=True
    )
    email = models.EmailField(_("contact email"))
    phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    hours_ja = models.CharField(_("opening hours (Japanese)"), max_length=200, blank=True)
    hours_en = models.CharField(_("opening hours (English)"), max_length=200, blank=True)
    postal_ja = models.TextField(
        _("requests by post (Japanese)"),
        help_text=_("Where to send a letter and what to enclose (APPI Art. 37)."),
    )
    postal_en = models.TextField(_("requests by post (English)"), blank=True)
    identity_ja = models.TextField(
        _("how identity is confirmed (Japanese)"),
        help_text=_("The documents a requester or an agent sends (APPI Art. 37)."),
    )
    identity_en = models.TextField(_("how identity is confirmed (English)"), blank=True)
    security_measures_ja = models.TextField(
        _("safety-management measures (Japanese)"),
        help_text=_("An outline of the measures taken (LW-5, Cabinet Order Art. 10(1))."),
    )
    security_measures_en = models.TextField(_("safety-management measures (English)"), blank=True)
    complaints_ja = models.TextField(
        _("where complaints go (Japanese)"),
        help_text=_("Our own contact and any outside body (Cabinet Order Art. 10(2)-(3))."),
    )
    complaints_en = models.TextField(_("where complaints go (English)"), blank=True)
    revision_notes_ja = models.TextField(_("what this version changed (Japanese)"), blank=True)
    revision_notes_en = models.TextField(_("what this version changed (English)"), blank=True)
    created_at = models.DateTimeField(_("published at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        verbose_name = _("contact point version")
        verbose_name_plural = _("contact point")
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(version__gte=1), name="requests_contact_point_version_positive"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version} ({timezone.localtime(self.created_at):%Y-%m-%d %H:%M})"

    # The English page reads the English text, or the Japanese where none is written.
    business_name = localized(fallback=True)
    address = localized(fallback=True)
    representative = localized(fallback=True)
    administrator = localized(fallback=True)
    hours = localized(fallback=True)
    postal = localized(fallback=True)
    identity = localized(fallback=True)
    security_measures = localized(fallback=True)
    complaints = localized(fallback=True)
    revision_notes = localized(fallback=True)

    # The fields an edit may change (everything but the version and who published it).
    EDITABLE = (
        "business_name_ja",
        "business_name_en",
        "address_ja",
        "address_en",
        "representative_ja",
        "representative_en",
        "administrator_ja",
        "administrator_en",
        "email",
        "phone",
        "hours_ja",
        "hours_en",
        "postal_ja",
        "postal_en",
        "identity_ja",
        "identity_en",
        "security_measures_ja",
        "security_measures_en",
        "complaints_ja",
        "complaints_en",
        "revision_notes_ja",
        "revision_notes_en",
    )


class PostalNotice(models.Model):
    """A notice about a request for a requester we can only write to by post (no email
    address; `principals.addressee(...).by_post`): the text is rendered, in their language,
    when the notice would otherwise have been mailed; staff print it, post it and mark it as
    sent (LW-6.2, APPI-36). The addressee is copied so that the letter shows where it went."""

    request = models.ForeignKey(
        DataRequest,
        on_delete=models.CASCADE,
        related_name="postal_notices",
        verbose_name=_("request"),
    )
    event = models.CharField(_("event"), max_length=40)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    addressee_name = models.CharField(_("addressee"), max_length=150)
    addressee_address = models.TextField(_("postal address"), blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    sent_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("posted by"),
    )

    class Meta:
        verbose_name = _("notice by post")
        verbose_name_plural = _("notices by post")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["request", "created_at"],
                condition=Q(sent_at__isnull=True),
                name="requests_postal_notice_unsent",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True, sent_by__isnull=True)
                | Q(sent_at__isnull=False, sent_by__isnull=False),
                name="requests_postal_notice_sent_by_whom",
            )
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.subject}"

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None
