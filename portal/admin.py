from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite

from portal import approvals, audit_names
from portal.errors import PortalError
from portal.models import (
    AccessLogEntry,
    Approval,
    AuditEvent,
    OutboundMail,
    ReminderClaim,
    User,
)

# The Django admin asks for the same second factor as the staff pages: a session
# without a verified device is not let in (django-otp's documented way to swap the site).
admin.site.__class__ = OTPAdminSite
# In the portal's name, in the visitor's language, not "Django administration".
admin.site.site_header = _("LINE WORKS privacy portal administration")
admin.site.site_title = _("LINE WORKS privacy portal")
# Django puts this after every label it renders itself (the admin's forms); the Japanese
# catalogue makes it full-width, as Japanese punctuation is (the portal's own forms use none).
LABEL_SUFFIX = _(":")
admin.site.index_title = _("What the portal's administrators configure and review")


class LabelledListEditableAdmin(admin.ModelAdmin):
    """A change list whose editable cells say what they are: Django's list_editable inputs
    have no label, so each gets an accessible name of its column and its row (issue 16)."""

    def get_changelist_form(self, request, **kwargs):
        base = super().get_changelist_form(request, **kwargs)

        class LabelledForm(base):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, **form_kwargs)
                row = str(self.instance) if self.instance.pk else ""
                for name, field in self.fields.items():
                    if name in self._meta.model._meta._forward_fields_map:
                        label = str(field.label or name)
                        field.widget.attrs["aria-label"] = f"{label}, {row}" if row else label

        return LabelledForm


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records nobody may change: logs and ledgers."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    # When someone signed in or joined is a record, not a setting.
    readonly_fields = ("last_login", "date_joined")
    list_display = ("email", "full_name", "preferred_language", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "groups", "preferred_language")
    search_fields = ("email", "full_name", "phone")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Personal data"),
            {
                "fields": (
                    "full_name",
                    "phone",
                    "postal_code",
                    "prefecture",
                    "address",
                    "birth_year",
                    "preferred_language",
                )
            },
        ),
        (_("Roles"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "action", "ip_address")
    list_filter = ("action",)
    search_fields = ("user__email", "ip_address")
    list_select_related = ("user",)
    date_hierarchy = "created_at"


class AuditActionFilter(admin.SimpleListFilter):
    """Filter by an action's current name; rows written under an older name of the same action
    are included (portal/audit_names.py)."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        written = AuditEvent.objects.order_by().values_list("action", flat=True).distinct()
        current = {audit_names.current_name(a) for a in written}
        return sorted(((name, audit_names.label(name)) for name in current), key=lambda c: c[1])

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(action__in=audit_names.names_for(self.value()))
        return queryset


class TargetTypeFilter(admin.SimpleListFilter):
    """The target types present, with events about no object named as such: Django's own
    filter shows a blank link for them, which no screen reader can announce."""

    title = _("target type")
    parameter_name = "target_type"

    def lookups(self, request, model_admin):
        types = AuditEvent.objects.order_by("target_type").values_list("target_type", flat=True)
        return [(t or "-", t or _("no object")) for t in types.distinct()]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(target_type="" if value == "-" else value)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "actor",
        "action_name",
        "target_type",
        "target_id",
        "ip_address",
    )
    list_filter = (AuditActionFilter, TargetTypeFilter)
    search_fields = ("action", "target_id", "actor__email")
    list_select_related = ("actor",)
    date_hierarchy = "created_at"

    @admin.display(description=_("action"), ordering="action")
    def action_name(self, event: AuditEvent) -> str:
        """The action in words, with today's name beside it for searching; a row written
        under an older name says so."""
        current = audit_names.current_name(event.action)
        if current == event.action:
            return format_html("{} <code>{}</code>", audit_names.label(current), current)
        return format_html(
            "{} <code>{}</code> {}",
            audit_names.label(current),
            current,
            _("(written as %(written)s)") % {"written": event.action},
        )


@admin.register(OutboundMail)
class OutboundMailAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "to", "subject", "status", "attempts", "sent_at")
    list_filter = ("status", "language")
    search_fields = ("to", "subject")


# --- scheduled jobs --------------------------------------------------------------------------


class SingletonSettingsAdmin(admin.ModelAdmin):
    """The admin of a `SingletonSettings` row: it can be added once and never deleted."""

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not self.model.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


def _approvals_decide(modeladmin, request, queryset, *, approve: bool) -> None:
    for approval in queryset:
        try:
            approvals.decide(
                approval_id=approval.pk,
                actor=request.user,
                approve=approve,
                comment="" if approve else str(_("Returned from the administration.")),
            )
        except PortalError as exc:
            modeladmin.message_user(request, f"{approval.kind_label}: {exc}", messages.ERROR)
        else:
            modeladmin.message_user(
                request, f"{approval.kind_label}: {approval.get_status_display()}"
            )


@admin.action(description=_("Approve (not your own)"))
def approval_approve(modeladmin, request, queryset):
    _approvals_decide(modeladmin, request, queryset, approve=True)


@admin.action(description=_("Return (with a standard comment)"))
def approval_return(modeladmin, request, queryset):
    _approvals_decide(modeladmin, request, queryset, approve=False)


@admin.register(Approval)
class ApprovalAdmin(admin.ModelAdmin):
    """Every approval of every kind; the actions call the same service as the inbox, so
    "not your own", the kind's effect and the audit apply here too."""

    list_display = ("kind_label", "subject", "status", "asked_by", "asked_at", "decided_by")
    list_filter = ("status", "kind")
    list_select_related = ("asked_by", "decided_by", "subject_type")
    actions = [approval_approve, approval_return]
    # The subject's two fields have no verbose names of their own (a generic relation): shown
    # under the portal's words instead.
    readonly_fields = [
        {"subject_type": "subject_type_shown", "subject_id": "subject_id_shown"}.get(f.name, f.name)
        for f in Approval._meta.fields
    ]
    fields = readonly_fields

    @admin.display(description=_("subject type"))
    def subject_type_shown(self, obj: Approval):
        return obj.subject_type

    @admin.display(description=_("subject id"))
    def subject_id_shown(self, obj: Approval):
        return obj.subject_id

    @admin.display(description=_("kind"))
    def kind_label(self, obj: Approval) -> str:
        return obj.kind_label

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReminderClaim)
class ReminderClaimAdmin(ReadOnlyAdmin):
    list_display = ("claimed_at", "reminder", "subject_type", "subject_id", "due_at", "recipient")
    list_filter = ("reminder", "subject_type")
    search_fields = ("subject_id", "recipient__email")
    list_select_related = ("recipient",)
    date_hierarchy = "claimed_at"


# --- the schedules' crontabs (django-celery-beat's admin, checked by Celery's parser) -------

from celery import schedules as celery_schedules  # noqa: E402
from django import forms  # noqa: E402
from django_celery_beat import admin as beat_admin  # noqa: E402  (registers its admin first)
from django_celery_beat.models import CrontabSchedule  # noqa: E402

CRONTAB_FIELDS = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")


class CrontabScheduleForm(forms.ModelForm):
    """django-celery-beat validates a crontab with python-crontab, which lets through values
    (`5,`, `-1`) that Celery's own parser, used by beat and by the page itself, rejects with
    an exception: the page answered 500 and beat would stop on the schedule. Each
    field is parsed here the way beat will parse it, and a bad one gets a message."""

    class Meta:
        model = CrontabSchedule
        fields = [*CRONTAB_FIELDS, "timezone"]

    def clean(self):
        data = super().clean()
        for name in CRONTAB_FIELDS:
            value = data.get(name)
            if name in self.errors or value is None:
                continue
            try:
                celery_schedules.crontab(**{name: value})
            except (celery_schedules.ParseException, ValueError, TypeError):
                self.add_error(
                    name,
                    _(
                        "“%(value)s” is not a valid crontab value here. Use numbers, ranges "
                        "(1-5), lists (1,15) and steps (*/10), for example."
                    )
                    % {"value": value[:40]},
                )
        return data


admin.site.unregister(CrontabSchedule)


@admin.register(CrontabSchedule)
class CrontabScheduleAdmin(beat_admin.CrontabScheduleAdmin):
    form = CrontabScheduleForm
