"""Admin of the requests app: deadlines (SLA) and the fee schedule are configured here; requests
and their timelines can be looked at, and the actions that change state call the workflow
services, so the same checks, timeline, audit and notices apply (docs/architecture.md)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.contenttypes.admin import GenericTabularInline
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.admin import LabelledListEditableAdmin, ReadOnlyAdmin, SingletonSettingsAdmin
from portal.models import Approval
from requests import contact, workflow
from requests.errors import RequestError
from requests.models import (
    ContactPoint,
    DataRequest,
    DecisionItem,
    DisclosurePackage,
    FeePayment,
    FeeSchedule,
    JobSettings,
    RequestDocument,
    RequestMessage,
    SLAConfig,
    TimelineEntry,
)


@admin.register(JobSettings)
class JobSettingsAdmin(SingletonSettingsAdmin):
    """One row: when reminders, nudges, lapsing and purges happen. The schedules themselves
    are the periodic tasks of django-celery-beat."""

    list_display = (
        "__str__",
        "reminder_days_before",
        "nudge_after_days",
        "lapse_after_days",
        "document_retention_days",
        "digest_hour",
        "updated_at",
    )


@admin.register(SLAConfig)
class SLAConfigAdmin(LabelledListEditableAdmin):
    list_display = ("kind", "days", "day_mode", "updated_at")
    list_editable = ("days", "day_mode")


@admin.register(FeeSchedule)
class FeeScheduleAdmin(admin.ModelAdmin):
    """Saving a fee for a kind that cannot carry one shows the model's validation message
    (FeeSchedule.clean); the database refuses it as well (a check constraint)."""

    list_display = ("kind", "delivery_method", "amount_yen", "updated_at")
    list_filter = ("kind",)


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TimelineInline(_ReadOnlyInline):
    model = TimelineEntry
    fields = ("created_at", "event", "from_status", "to_status", "actor", "note")
    readonly_fields = fields


class MessageInline(_ReadOnlyInline):
    model = RequestMessage
    fields = ("created_at", "author", "from_staff", "body")
    readonly_fields = fields


class DocumentInline(_ReadOnlyInline):
    model = RequestDocument
    fields = ("uploaded_at", "purpose", "display_name", "content_type", "size", "deleted_at")
    readonly_fields = fields


class PaymentInline(_ReadOnlyInline):
    model = FeePayment
    fields = ("created_at", "kind", "method", "amount_yen", "paid_on", "recorded_by", "note")
    readonly_fields = fields


def _run(modeladmin, request, queryset, name: str, label, **kwargs) -> None:
    done = 0
    for req in queryset.select_related(None).only("pk", "reference"):
        try:
            workflow.SERVICES[name](request_id=req.pk, actor=request.user, **kwargs)
        except RequestError as exc:
            modeladmin.message_user(request, f"{req.reference}: {exc}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(
            request, _("%(label)s: %(n)d request(s).") % {"label": label, "n": done}
        )


@admin.action(description=_("Start the identity check"))
def start_verification(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, "verification_start", _("Identity check started"))


@admin.action(description=_("Confirm the requester's identity"))
def confirm_identity(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, "identity_confirm", _("Identity confirmed"))


@admin.action(description=_("Ask the customer for an identity document (pauses the clock)"))
def ask_identity_document(modeladmin, request, queryset):
    _run(
        modeladmin,
        request,
        queryset,
        "customer_ask",
        _("Identity document requested"),
        note=str(_("Please upload an identity document (PDF, JPEG or PNG) on the request's page.")),
    )


@admin.action(description=_("Quote the fee (pauses the clock)"))
def quote_fee(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, "fee_quote", _("Fee quoted"))


@admin.action(description=_("Approve the drafted decision and close"))
def approve(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, "approve", _("Approved and closed"))


class DecisionItemInline(_ReadOnlyInline):
    model = DecisionItem
    fields = ("category", "withheld", "grounds", "reason")
    readonly_fields = fields


class ApprovalInline(GenericTabularInline):
    """The request's approvals (portal.Approval), decided in the approvals inbox."""

    model = Approval
    ct_field, ct_fk_field = "subject_type", "subject_id"
    extra = 0
    can_delete = False
    fields = ("kind", "status", "asked_by", "asked_at", "reason", "days", "decided_by", "comment")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def paused_words(seconds: int) -> str:
    """A paused time in days and hours ("3 days 4 hours"), as staff count deadlines."""
    days, rest = divmod(int(seconds or 0), 86400)
    hours = rest // 3600
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours or not days:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    return " ".join(parts)


@admin.register(DataRequest)
class DataRequestAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "kind",
        "status",
        "customer",
        "assignee",
        "received_at",
        "due_at",
        "fee_status",
    )
    list_filter = ("status", "kind", "fee_status")
    search_fields = (
        "reference",
        "customer__email",
        "customer__full_name",
        "requester_email",
        "requester_name",
    )
    list_select_related = ("customer", "assignee")
    date_hierarchy = "received_at"
    actions = [start_verification, confirm_identity, ask_identity_document, quote_fee, approve]
    inlines = [
        TimelineInline,
        MessageInline,
        DocumentInline,
        PaymentInline,
        DecisionItemInline,
        ApprovalInline,
    ]
    # Nothing about a request is edited here: state moves only through the actions above.
    # What was asked and the paused time read as on the staff page, not as JSON and seconds.
    readonly_fields = [f.name for f in DataRequest._meta.fields] + ["asked", "paused"]
    fieldsets = (
        (None, {"fields": ("reference", "kind", "status", "outcome", "outcome_reason")}),
        (
            _("Who"),
            {
                "fields": (
                    "customer",
                    "on_behalf",
                    "representation",
                    "principal_name",
                    "principal_relationship",
                    "principal",
                    "principal_no_account",
                    "authority_confirmed_at",
                    "assignee",
                )
            },
        ),
        (_("What was asked"), {"fields": ("asked", "delivery_method")}),
        (
            _("Clock"),
            {
                "fields": (
                    "received_at",
                    "sla_days",
                    "sla_day_mode",
                    "due_at",
                    "paused",
                    "paused_since",
                    "extension_days",
                    "extension_reason",
                    "identity_confirmed_at",
                    "closed_at",
                )
            },
        ),
        (_("Fee"), {"fields": ("fee_yen", "fee_status")}),
    )

    @admin.display(description=_("what was asked"))
    def asked(self, obj: DataRequest) -> str:
        return render_to_string(
            "customer/requests/_details.html", {"details": obj.details, "kind": obj.kind}
        )

    @admin.display(description=_("clock paused for"))
    def paused(self, obj: DataRequest) -> str:
        return paused_words(obj.paused_seconds)

    def has_add_permission(self, request):
        return False  # customers file requests; the admin does not

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Workflow actions need the back-office role; the services check it again.
        if not request.user.has_perm("requests.work_request"):
            actions = {}
        return actions


@admin.register(FeePayment)
class FeePaymentAdmin(ReadOnlyAdmin):
    """Payments are recorded through the workflow (request_payment_record); here they are
    listed, never edited, as the LW-2.3 record."""

    list_display = ("request", "kind", "method", "amount_yen", "paid_on", "recorded_by")
    list_select_related = ("request", "recorded_by")
    readonly_fields = [f.name for f in FeePayment._meta.fields]


@admin.register(DisclosurePackage)
class DisclosurePackageAdmin(ReadOnlyAdmin):
    list_display = ("request", "status", "built_at", "expires_at", "downloaded_at", "mailed_at")
    list_filter = ("status",)
    list_select_related = ("request",)
    readonly_fields = [f.name for f in DisclosurePackage._meta.fields]


@admin.register(ContactPoint)
class ContactPointAdmin(admin.ModelAdmin):
    """The public contact point (LW-6.1, LW-10). A published version is never changed: "Add"
    opens a form filled in from the current version, and saving it publishes the next version
    through `contact_point_revise` (with its checks and audit event). Earlier versions stay
    readable here and on the public history."""

    list_display = ("version", "created_at", "created_by", "business_name_ja", "email")
    readonly_fields = ("version", "created_at", "created_by")
    fieldsets = (
        (
            _("The business"),
            {
                "fields": (
                    ("business_name_ja", "business_name_en"),
                    ("address_ja", "address_en"),
                    ("representative_ja", "representative_en"),
                )
            },
        ),
        (
            _("Contact"),
            {
                "fields": (
                    ("administrator_ja", "administrator_en"),
                    ("email", "phone"),
                    ("hours_ja", "hours_en"),
                )
            },
        ),
        (
            _("Requests"),
            {"fields": (("postal_ja", "postal_en"), ("identity_ja", "identity_en"))},
        ),
        (
            _("Safety management and complaints"),
            {
                "fields": (
                    ("security_measures_ja", "security_measures_en"),
                    ("complaints_ja", "complaints_en"),
                )
            },
        ),
        (_("This version"), {"fields": (("revision_notes_ja", "revision_notes_en"),)}),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.fieldsets
        return ((None, {"fields": self.readonly_fields}), *self.fieldsets)

    def has_change_permission(self, request, obj=None):
        return False  # a published version is a public record; "Add" publishes the next

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        current = contact.contact_point_current()
        if current is None:
            return super().get_changeform_initial_data(request)
        initial = {name: getattr(current, name) for name in ContactPoint.EDITABLE}
        initial["revision_notes_ja"] = initial["revision_notes_en"] = ""
        return initial

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            admin_site = self

            class RevisionForm(form):
                def clean(self):
                    cleaned = super().clean()
                    if not self.errors:
                        admin_site._check_revision(self, cleaned)
                    return cleaned

            return RevisionForm
        return form

    def _check_revision(self, form, cleaned) -> None:
        current = contact.contact_point_current()
        if current is not None and all(
            cleaned.get(name, "") == getattr(current, name)
            for name in ContactPoint.EDITABLE
            if not name.startswith("revision_notes")
        ):
            form.add_error(
                None,
                _("Nothing changed since version %(v)d; no new version was published.")
                % {"v": current.version},
            )

    def save_model(self, request, obj, form, change):
        try:
            saved = contact.contact_point_revise(
                actor=request.user,
                values={name: form.cleaned_data.get(name, "") for name in ContactPoint.EDITABLE},
            )
        except RequestError as exc:
            # Only a race is left here (the form checked the rest): show the version that won.
            self.message_user(request, str(exc), messages.ERROR)
            saved = contact.contact_point_current()
        obj.pk, obj.version = saved.pk, saved.version
        obj.created_at, obj.created_by = saved.created_at, saved.created_by
