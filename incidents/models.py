"""Incidents (APPI Art. 26, Enforcement Rules 7-10; APPI-26, LW-5).

An `Incident` is one leak, loss or damage (or the possibility of one) in the register; every
change to it is an `IncidentEvent` (the timeline and the change history in one). An
`Assessment` applies the four Art. 26 triggers; an `AffectedPerson` is one person scoped from
the portal's data; a `Report` is the preliminary or final report to the Personal Information
Protection Commission, approved by a privacy administrator who did not draft it.
`IncidentSettings` holds the configurable deadlines.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import DataItem
from portal.i18n import join_list, localized
from portal.models import SingletonSettings, _validate_day_list


class IncidentSettings(SingletonSettings):
    """The report deadlines (APPI Rule 8) and when staff are reminded. One row, edited in the
    admin; with no row the defaults below apply."""

    preliminary_days = models.PositiveSmallIntegerField(
        _("preliminary report due (days after awareness)"),
        default=5,
        help_text=_("“Promptly”: in practice 3 to 5 days (APPI Rule 8(1))."),
    )
    final_days = models.PositiveSmallIntegerField(
        _("final report due (days after awareness)"), default=30
    )
    final_days_unauthorised = models.PositiveSmallIntegerField(
        _("final report due when the cause was an unauthorised purpose (days)"), default=60
    )
    reminder_days_before = models.CharField(
        _("staff reminders (days before a due date)"),
        max_length=40,
        default="3, 1",
        validators=[_validate_day_list],
        help_text=_("Comma-separated, e.g. “3, 1”."),
    )

    class Meta:
        verbose_name = _("incident deadlines")
        verbose_name_plural = _("incident deadlines")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="incidents_settings_single"),
            models.CheckConstraint(
                condition=Q(
                    preliminary_days__gte=1, final_days__gte=1, final_days_unauthorised__gte=1
                ),
                name="incidents_settings_days_positive",
            ),
        ]


class IncidentKind(models.TextChoices):
    LEAK = "leak", _("Leak")
    LOSS = "loss", _("Loss")
    DAMAGE = "damage", _("Damage")


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class NoticeStatus(models.TextChoices):
    """Where the notices' send job stands (the work runs in a Celery task, not the request)."""

    IDLE = "idle", _("Not started")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    DONE = "done", _("Sent")


class Incident(models.Model):
    """One leak, loss or damage of personal data, or the possibility of one (APPI-26)."""

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(
        _("what happened"), max_length=10, choices=IncidentKind.choices, default=IncidentKind.LEAK
    )
    status = models.CharField(
        _("status"), max_length=10, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    discovered_at = models.DateTimeField(_("discovered at"))
    aware_at = models.DateTimeField(
        _("the business became aware at"),
        help_text=_("The report deadlines count from this moment (APPI Rule 8)."),
    )
    summary = models.TextField(_("summary of what happened"))
    systems = models.TextField(_("systems involved"), blank=True)
    partners = models.ManyToManyField(
        "partners.Partner",
        blank=True,
        related_name="+",
        verbose_name=_("partners involved"),
    )
    at_processor = models.BooleanField(
        _("it happened at an entrusted processor"),
        default=False,
        help_text=_("The processor told us; we report for it (LW-4.2, APPI Art. 26(1))."),
    )
    data_items = models.JSONField(_("data items involved"), default=list, blank=True)
    data_items_note = models.TextField(_("data items, in more detail"), blank=True)
    cause = models.TextField(_("cause"), blank=True)
    deliberate = models.BooleanField(
        _("deliberate (an attack, theft or an insider's leak)"), default=False
    )
    containment = models.TextField(_("what was done to contain it"), blank=True)
    secondary_harm = models.TextField(_("secondary harm, or the risk of it"), blank=True)
    response_to_people = models.TextField(_("what was done for the people affected"), blank=True)
    public_announcement = models.TextField(_("public announcement"), blank=True)
    recurrence_measures = models.TextField(_("measures against recurrence"), blank=True)
    other_matters = models.TextField(_("other matters"), blank=True)
    # The notice to each person affected, in both languages (APPI Rule 10).
    notice_summary_ja = models.TextField(_("notice: what happened (Japanese)"), blank=True)
    notice_summary_en = models.TextField(_("notice: what happened (English)"), blank=True)
    notice_actions_ja = models.TextField(_("notice: what we did (Japanese)"), blank=True)
    notice_actions_en = models.TextField(_("notice: what we did (English)"), blank=True)
    notice_advice_ja = models.TextField(_("notice: what you can do (Japanese)"), blank=True)
    notice_advice_en = models.TextField(_("notice: what you can do (English)"), blank=True)
    notice_contact_ja = models.CharField(_("contact point (Japanese)"), max_length=300, blank=True)
    notice_contact_en = models.CharField(_("contact point (English)"), max_length=300, blank=True)
    # The deadlines, written by the services whenever awareness or the cause changes.
    preliminary_due_at = models.DateTimeField(_("preliminary report due"))
    final_due_at = models.DateTimeField(_("final report due"))
    final_days = models.PositiveSmallIntegerField(_("final report deadline (days)"))
    # The newest assessment's answer (None: not assessed yet), kept here for the list and jobs.
    reportable = models.BooleanField(_("reportable"), null=True, blank=True)
    reportable_confirmed_at = models.DateTimeField(
        _("assessment confirmed at"), null=True, blank=True
    )
    affected_count = models.PositiveIntegerField(_("people affected (scoped)"), default=0)
    unreachable_count = models.PositiveIntegerField(_("people who cannot be told"), default=0)
    notices_sent_at = models.DateTimeField(_("notices sent at"), null=True, blank=True)
    # The send job (incidents.notices): staff confirm, a task tells everyone chunk by chunk.
    notices_status = models.CharField(
        _("notices"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.IDLE
    )
    notices_total = models.PositiveIntegerField(_("notices to send"), default=0)
    notices_done = models.PositiveIntegerField(_("notices sent so far"), default=0)
    notices_requested_at = models.DateTimeField(_("notices requested at"), null=True, blank=True)
    notices_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("notices requested by"),
    )
    # The job's last sign of life (queued, claimed, each committed chunk): the stale-work
    # sweep queues the job again when this is too old (portal.recovery).
    notices_progress_at = models.DateTimeField(_("notices progress at"), null=True, blank=True)
    announcement_published_at = models.DateTimeField(
        _("substitute announcement published at"), null=True, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    notice_summary = localized(fallback=True)
    notice_actions = localized(fallback=True)
    notice_advice = localized(fallback=True)
    notice_contact = localized(fallback=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-aware_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(aware_at__gte=models.F("discovered_at")),
                name="incidents_aware_after_discovery",
                violation_error_message=_(
                    "The business cannot become aware before the incident was discovered."
                ),
            ),
        ]
        indexes = [models.Index(fields=["status", "preliminary_due_at"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"INC-{self.pk or 0:05d}"

    @property
    def is_open(self) -> bool:
        return self.status == IncidentStatus.OPEN

    @property
    def notices_in_flight(self) -> bool:
        return self.notices_status in (NoticeStatus.QUEUED, NoticeStatus.SENDING)

    @property
    def data_item_labels(self) -> list[str]:
        labels = dict(DataItem.choices)
        return [str(labels.get(item, item)) for item in self.data_items]


def deadline_for(aware_at, days: int):
    """The due date `days` calendar days after awareness (APPI Rule 8 counts calendar days)."""
    return aware_at + timedelta(days=days)


class IncidentEvent(models.Model):
    """One thing that happened to an incident, with the fields it changed (who, when, what)."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="events", verbose_name=_("incident")
    )
    event = models.CharField(_("event"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("incident event")
        verbose_name_plural = _("incident timeline")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.event}"

    @property
    def event_label(self) -> str:
        label = str(EVENT_LABELS.get(self.event, self.event))
        kind = (self.changes or {}).get("kind")
        if kind in ReportKind.values:
            label = _("%(event)s: %(kind)s") % {"event": label, "kind": ReportKind(kind).label}
        return label

    @property
    def field_changes(self) -> list[tuple[str, object, object]]:
        """(field label, old, new) of a register change, for the history."""
        if self.event != "changed":
            return []
        rows = []
        for name, pair in sorted((self.changes or {}).items()):
            try:
                label = str(Incident._meta.get_field(name).verbose_name)
            except Exception:  # a field that no longer exists keeps its name
                label = name
            old, new = (_readable(name, value) for value in pair)
            rows.append((label, old, new))
        return rows


def _readable(name: str, value):
    """A value of the change history as the active language reads it."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        if name == "data_items":
            labels = dict(DataItem.choices)
            value = [labels.get(v, v) for v in value]
        return join_list(value) if value else None
    if value == "":
        return None
    if name == "kind" and value in IncidentKind.values:
        return IncidentKind(value).label
    return value


EVENT_LABELS = {
    "recorded": _("Incident recorded"),
    "changed": _("Register changed"),
    "assessed": _("Reportability assessed"),
    "assessment_confirmed": _("Assessment confirmed by a privacy administrator"),
    "scoped": _("People affected added"),
    "report_drafted": _("Report drafted"),
    "report_approved": _("Report approved"),
    "report_submitted": _("Report submitted to the Commission"),
    "notices_sent": _("Notices sent to the people affected"),
    "announcement_published": _("Substitute public announcement published"),
    "closed": _("Incident closed"),
}


class Assessment(models.Model):
    """Whether the incident must be reported and the people told: the four triggers of APPI
    Art. 26(1) and Rule 7, each with its reason. The newest row counts; older rows stay as the
    history of the answer."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("incident")
    )
    special_care = models.BooleanField(_("(1) special-care-required information"), default=False)
    special_care_reason = models.TextField(_("reason for (1)"), blank=True)
    financial_loss = models.BooleanField(
        _("(2) data whose misuse may cause financial loss"), default=False
    )
    financial_loss_reason = models.TextField(_("reason for (2)"), blank=True)
    unauthorised_purpose = models.BooleanField(
        _("(3) an unauthorised purpose (an attack, theft, a deliberate leak)"), default=False
    )
    unauthorised_purpose_reason = models.TextField(_("reason for (3)"), blank=True)
    over_thousand = models.BooleanField(_("(4) more than 1,000 people"), default=False)
    over_thousand_reason = models.TextField(_("reason for (4)"), blank=True)
    people_counted = models.PositiveIntegerField(_("people scoped when assessed"), default=0)
    reportable = models.BooleanField(_("reportable"))
    note = models.TextField(_("further reasons"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    assessed_at = models.DateTimeField(_("assessed at"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reportability assessment")
        verbose_name_plural = _("reportability assessments")
        ordering = ["-assessed_at", "-id"]
        constraints = [
            # The answer is the four triggers: reportable exactly when one of them holds.
            models.CheckConstraint(
                condition=Q(
                    reportable=True,
                )
                & (
                    Q(special_care=True)
                    | Q(financial_loss=True)
                    | Q(unauthorised_purpose=True)
                    | Q(over_thousand=True)
                )
                | Q(
                    reportable=False,
                    special_care=False,
                    financial_loss=False,
                    unauthorised_purpose=False,
                    over_thousand=False,
                ),
                name="incidents_assessment_reportable_is_a_trigger",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} {'reportable' if self.reportable else 'not reportable'}"

    @property
    def triggers(self) -> list[tuple[str, bool, str]]:
        """(label, holds, reason) for each of the four triggers."""
        return [
            (
                str(self._meta.get_field(name).verbose_name),
                getattr(self, name),
                getattr(self, f"{name}_reason"),
            )
            for name in TRIGGERS
        ]


TRIGGERS = ("special_care", "financial_loss", "unauthorised_purpose", "over_thousand")
# More than this many people is trigger (4) (APPI Rule 7(iv)).
PEOPLE_THRESHOLD = 1000


class ScopeSource(models.TextChoices):
    PROVISION = "provision", _("Provided to a partner in a period")
    ACCOUNTS = "accounts", _("Accounts created before a date")
    UPLOAD = "upload", _("Uploaded list of customer references")


class AffectedPerson(models.Model):
    """One person affected by an incident, scoped from the portal's own data (APPI-26).
    `customer` is empty when the record names only a pseudonym (an erased account): that
    person cannot be told, and the substitute public announcement covers them."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="people", verbose_name=_("incident")
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incident_notices",
        verbose_name=_("customer"),
    )
    customer_reference = models.CharField(_("customer reference"), max_length=64)
    source = models.CharField(_("found by"), max_length=12, choices=ScopeSource.choices)
    data_items = models.JSONField(_("their data involved"), default=list, blank=True)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    notified_at = models.DateTimeField(_("told at"), null=True, blank=True)
    notice_language = models.CharField(_("told in"), max_length=2, blank=True)

    class Meta:
        verbose_name = _("person affected")
        verbose_name_plural = _("people affected")
        ordering = ["incident", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "customer_reference"], name="incidents_person_once"
            ),
        ]
        indexes = [models.Index(fields=["customer", "notified_at"])]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.customer_reference[:8]}"


class ReportKind(models.TextChoices):
    PRELIMINARY = "preliminary", _("Preliminary report")
    FINAL = "final", _("Final report")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft, waiting for approval")
    APPROVED = "approved", _("Approved")
    SUBMITTED = "submitted", _("Submitted")


# The report's name inside a sentence ("the final report for INC-00001 is due ...").
REPORT_NOUNS = {
    ReportKind.PRELIMINARY: _("preliminary report"),
    ReportKind.FINAL: _("final report"),
}

# The items of the Commission's report form (APPI Rule 8(1)), in its order.
REPORT_ITEMS = (
    "summary",
    "data_items",
    "people",
    "cause",
    "secondary_harm",
    "response_to_people",
    "public_announcement",
    "recurrence_measures",
    "other_matters",
)


class Report(models.Model):
    """The preliminary (速報) or final (確報) report to the Commission: the register's answers to
    the form's items, frozen when drafted, approved by a privacy administrator who did not
    draft it (the database refuses self-approval), kept as a PDF, with its submission date."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="reports", verbose_name=_("incident")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ReportKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    content = models.JSONField(_("contents (Japanese)"), default=dict)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("drafted by"),
    )
    drafted_at = models.DateTimeField(_("drafted at"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    pdf = models.BinaryField(_("printable document (PDF)"), blank=True, default=b"")
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    submitted_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submission recorded by"),
    )

    class Meta:
        verbose_name = _("report to the Commission")
        verbose_name_plural = _("reports to the Commission")
        ordering = ["incident", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "kind"], name="incidents_report_once"),
            # Four eyes: whoever drafted a report never approves it.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("drafted_by")),
                name="incidents_report_not_self_approved",
            ),
            models.CheckConstraint(
                condition=Q(status="draft", approved_by__isnull=True)
                | Q(status__in=["approved", "submitted"], approved_by__isnull=False),
                name="incidents_report_approved_has_approver",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind}"
