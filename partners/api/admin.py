"""Admin of the partner API: systems, keys (made and revoked through the same
services as the staff page; a new key is shown once), webhook endpoints (secrets rotated
here), deliveries with their attempts (failed ones replayed from here)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from partners.api import keys, webhooks
from partners.api.models import (
    ApiKey,
    DeliveryStatus,
    PartnerEvent,
    PartnerSubject,
    PartnerSystem,
    Scope,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from partners.errors import PartnerError
from portal.admin import ReadOnlyAdmin


@admin.register(PartnerSystem)
class PartnerSystemAdmin(admin.ModelAdmin):
    list_display = ("name", "partner", "is_active", "created_at")
    list_filter = ("is_active",)
    list_select_related = ("partner",)

    def has_delete_permission(self, request, obj=None):
        return False


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiKey
        fields = ["system", "label", "scopes", "expires_at", "rate_limit_per_minute"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = (
        "prefix",
        "system",
        "label",
        "scopes",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    list_select_related = ("system__partner",)
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("system", "label", "scopes", "expires_at", "prefix", "created_at", "created_by",
                "last_used_at", "revoked_at", "revoked_by")  # fmt: skip

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["rate_limit_per_minute"])
            return
        try:
            row, key = keys.api_key_create(
                system=form.cleaned_data["system"],
                scopes=form.cleaned_data["scopes"],
                actor=request.user,
                label=form.cleaned_data.get("label") or "",
                expires_at=form.cleaned_data.get("expires_at"),
                rate_limit_per_minute=form.cleaned_data.get("rate_limit_per_minute"),
            )
        except PartnerError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        obj.pk = row.pk
        self.message_user(
            request,
            _("The new key (copy it now, it is not shown again): %(key)s") % {"key": key},
            messages.WARNING,
        )

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        for key in queryset:
            try:
                keys.api_key_revoke(key=key, actor=request.user)
            except PartnerError as exc:
                self.message_user(request, f"{key}: {exc}", messages.ERROR)


class WebhookEndpointForm(forms.ModelForm):
    """The address is checked before anything is saved: https, and a host that does not
    resolve to a loopback, private or other non-public address (webhooks.endpoint_check)."""

    class Meta:
        model = WebhookEndpoint
        fields = ("system", "url", "is_active")

    def clean_url(self) -> str:
        try:
            return webhooks.endpoint_check(self.cleaned_data["url"])
        except PartnerError as exc:
            raise forms.ValidationError(str(exc)) from None


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("url", "system", "is_active", "previous_secret_until")
    list_select_related = ("system__partner",)
    fields = ("system", "url", "is_active")
    actions = ["rotate"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            obj.url = webhooks.endpoint_check(obj.url)
        except PartnerError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        if change:
            obj.save()
            return
        endpoint, secret = webhooks.endpoint_register(
            system=obj.system, url=obj.url, actor=request.user
        )
        obj.pk = endpoint.pk
        self.message_user(
            request,
            _("The signing secret (copy it now, it is not shown again): %(secret)s")
            % {"secret": secret},
            messages.WARNING,
        )

    @admin.action(description=_("Rotate the signing secret"))
    def rotate(self, request, queryset):
        for endpoint in queryset:
            secret = webhooks.endpoint_secret_rotate(endpoint=endpoint, actor=request.user)
            self.message_user(
                request,
                _("%(url)s: the new secret (the old one signs too for a day): %(secret)s")
                % {"url": endpoint.url, "secret": secret},
                messages.WARNING,
            )


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ("number", "started_at", "status_code", "latency_ms", "succeeded", "error")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "event", "endpoint", "status", "attempts", "delivered_at")
    list_filter = ("status",)
    list_select_related = ("event", "endpoint")
    inlines = [WebhookAttemptInline]
    actions = ["replay"]

    def has_change_permission(self, request, obj=None):
        # Needed for the replay action; the fields stay read-only.
        return request.user.has_perm("partners.change_webhookdelivery")

    def get_readonly_fields(self, request, obj=None):
        return (
            "endpoint",
            "event",
            "status",
            "attempts",
            "created_at",
            "retry_until",
            "delivered_at",
        )

    @admin.action(description=_("Send the selected failed deliveries again"))
    def replay(self, request, queryset):
        for delivery in queryset.filter(status=DeliveryStatus.FAILED):
            webhooks.webhook_delivery_replay(delivery=delivery, actor=request.user)
            self.message_user(request, f"{delivery.event.event_id}: {_('queued again')}")


@admin.register(PartnerSubject)
class PartnerSubjectAdmin(ReadOnlyAdmin):
    list_display = ("subject_id", "partner", "customer", "trigger", "issued_at", "erased_at")
    list_filter = ("trigger",)
    list_select_related = ("partner", "customer")


@admin.register(PartnerEvent)
class PartnerEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "event_id", "type", "partner")
    list_filter = ("type",)
    list_select_related = ("partner",)
