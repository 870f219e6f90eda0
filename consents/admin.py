"""Consents in the admin: purposes, policy versions (publish action), services, the ledger
(read-only), the current state (read-only) and restrictions (read-only: requests records
and lifts them through the services)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from consents import services
from consents.models import (
    ConsentEvent,
    ConsentState,
    PolicyVersion,
    Purpose,
    Restriction,
    Service,
)
from portal.admin import ReadOnlyAdmin


@admin.register(Purpose)
class PurposeAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name_ja",
        "name_en",
        "category",
        "necessary",
        "default_granted",
        "is_active",
        "position",
    )
    list_filter = ("category", "necessary", "default_granted", "is_active")
    search_fields = ("code", "name_ja", "name_en", "description_ja", "description_en")
    ordering = ("position", "code")

    def has_delete_permission(self, request, obj=None):
        return False  # the ledger refers to purposes; retire one with "active" off


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    list_display = ("version", "effective_date", "is_published", "published_at", "announce")
    list_filter = ("is_published", "announce")
    search_fields = ("version", "text_ja", "text_en", "revision_notes_ja", "revision_notes_en")
    date_hierarchy = "effective_date"
    filter_horizontal = ("widened_purposes",)
    readonly_fields = ("is_published", "published_at")
    actions = ["publish"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            # A published version is a public record: its text no longer changes.
            return [f.name for f in self.model._meta.fields] + ["widened_purposes"]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Publish the selected versions (announces them to customers)"))
    def publish(self, request, queryset):
        for version in queryset.order_by("effective_date"):
            try:
                services.policy_version_publish(version=version, actor=request.user)
            except services.ConsentError as exc:
                self.message_user(request, str(exc), level=messages.ERROR)
            else:
                self.message_user(
                    request, _("Published version %s.") % version.version, level=messages.SUCCESS
                )


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ja", "name_en", "kind", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name_ja", "name_en")
    filter_horizontal = ("purposes",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConsentEvent)
class ConsentEventAdmin(ReadOnlyAdmin):
    """The ledger: no admin path adds, changes or deletes an event."""

    list_display = (
        "created_at",
        "customer",
        "purpose",
        "service",
        "granted",
        "source",
        "policy_version",
        "ip_address",
    )
    list_filter = ("source", "granted", "purpose", "service", "policy_version")
    search_fields = ("customer__email", "purpose__code", "change_id", "ip_address")
    list_select_related = ("customer", "purpose", "service", "policy_version")
    date_hierarchy = "created_at"
    actions = None

    def get_actions(self, request):
        return {}


@admin.register(ConsentState)
class ConsentStateAdmin(ReadOnlyAdmin):
    list_display = ("customer", "purpose", "service", "granted", "decided_at", "policy_version")
    list_filter = ("granted", "purpose", "service")
    search_fields = ("customer__email", "purpose__code")
    list_select_related = ("customer", "purpose", "service", "policy_version")
    actions = None

    def get_actions(self, request):
        return {}


@admin.register(Restriction)
class RestrictionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "customer", "kind", "reference", "lifted_at")
    list_filter = ("kind", ("lifted_at", admin.EmptyFieldListFilter))
    search_fields = ("customer__email", "reference")
    list_select_related = ("customer",)
    actions = None

    def get_actions(self, request):
        return {}
