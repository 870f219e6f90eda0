from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite

from portal.models import (
    AccessLogEntry,
    AuditEvent,
    JobSettings,
    OutboundMail,
    ReminderClaim,
    User,
)

# The Django admin asks for the same second factor as the staff pages (issue 11): a session
# without a verified device is not let in (django-otp's documented way to swap the site).
admin.site.__class__ = OTPAdminSite


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


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor", "action", "target_type", "target_id", "ip_address")
    list_filter = ("action", "target_type")
    search_fields = ("action", "target_id", "actor__email")
    list_select_related = ("actor",)
    date_hierarchy = "created_at"


@admin.register(OutboundMail)
class OutboundMailAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "to", "subject", "status", "attempts", "sent_at")
    list_filter = ("status", "language")
    search_fields = ("to", "subject")


# --- scheduled jobs (issue 6) ----------------------------------------------------------------


@admin.register(JobSettings)
class JobSettingsAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not JobSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReminderClaim)
class ReminderClaimAdmin(ReadOnlyAdmin):
    list_display = ("claimed_at", "reminder", "subject_type", "subject_id", "due_at", "recipient")
    list_filter = ("reminder", "subject_type")
    search_fields = ("subject_id", "recipient__email")
    list_select_related = ("recipient",)
    date_hierarchy = "claimed_at"
