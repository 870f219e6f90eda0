"""The admin: administrators configure the deadlines; the register itself is worked on the
staff pages (its services keep the history), so here it is read-only."""

from django.contrib import admin

from incidents.models import (
    AffectedPerson,
    Assessment,
    Incident,
    IncidentEvent,
    IncidentSettings,
    Report,
)
from portal.admin import ReadOnlyAdmin, SingletonSettingsAdmin


@admin.register(IncidentSettings)
class IncidentSettingsAdmin(SingletonSettingsAdmin):
    list_display = (
        "__str__",
        "preliminary_days",
        "final_days",
        "final_days_unauthorised",
        "reminder_days_before",
    )


class EventInline(admin.TabularInline):
    model = IncidentEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "event", "actor", "note", "changes")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "title",
        "status",
        "aware_at",
        "preliminary_due_at",
        "final_due_at",
        "reportable",
        "affected_count",
    )
    list_filter = ("status", "reportable", "kind")
    search_fields = ("title", "summary")
    inlines = [EventInline]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ("incident", "reportable", "assessed_by", "assessed_at", "confirmed_by")


@admin.register(AffectedPerson)
class AffectedPersonAdmin(ReadOnlyAdmin):
    list_display = ("incident", "customer_reference", "source", "notified_at", "notice_language")
    list_filter = ("source",)


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("incident", "kind", "status", "drafted_by", "approved_by", "submitted_on")
    exclude = ("pdf",)
