"""Configuration of the registry by privacy administrators (Django admin).

Provision records, exceptions and exports are read-only here: records are never edited
(APPI-29), exceptions are decided on the staff pages, exports are started there. Activating
an arrangement goes through the same service as everywhere (LW-4.3 checks, audit).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from partners.errors import PartnerError
from partners.models import (
    KIND_BASES,
    Arrangement,
    ArrangementStatus,
    Country,
    DataItem,
    ExceptionRequest,
    Export,
    Partner,
    PartnerKind,
    ProvisionRecord,
)
from partners.services import registry
from portal.admin import ReadOnlyAdmin


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ja", "name_en", "equivalent_protection", "consent_purpose")
    search_fields = ("code", "name_ja", "name_en")


class ArrangementInline(admin.TabularInline):
    model = Arrangement
    fields = ("title_en", "basis", "status", "starts_on", "ends_on")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class PartnerForm(forms.ModelForm):
    class Meta:
        model = Partner
        fields = ["kind"]  # the admin passes every field of the change page

    def clean_kind(self):
        """A new kind must fit the basis of every arrangement the partner has (LW-4.3).
        Checked here, on the kind field: the arrangements inline shows no basis field, so
        the arrangement's own validation could not say what is wrong."""
        kind = self.cleaned_data["kind"]
        if not self.instance.pk or kind == self.instance.kind:
            return kind
        misfits = [
            a
            for a in self.instance.arrangements.order_by("pk")
            if a.basis not in KIND_BASES.get(kind, ())
        ]
        if misfits:
            raise forms.ValidationError(
                _(
                    "The kind cannot become “%(kind)s”: the basis of these arrangements does "
                    "not fit it: %(arrangements)s. End them and set up new ones under a "
                    "separate partner, or keep the kind."
                )
                % {
                    "kind": PartnerKind(kind).label,
                    "arrangements": "; ".join(
                        f"{a.title_en or a.title_ja} ({a.get_basis_display()})" for a in misfits
                    ),
                }
            )
        return kind


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    form = PartnerForm
    list_display = ("name_en", "name_ja", "kind", "country", "listed", "is_active")
    list_filter = ("kind", "country", "is_active", "listed")
    search_fields = ("name_ja", "name_en")
    inlines = [ArrangementInline]

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: records point at the partner


class ArrangementForm(forms.ModelForm):
    data_items = forms.MultipleChoiceField(
        label=_("data items"), choices=DataItem.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Arrangement
        fields = [
            "partner", "basis", "needs_consent", "title_ja", "title_en", "purposes", "data_items",
            "trigger_ja", "trigger_en", "starts_on", "ends_on", "status",
            "contract_date", "instructions_ja", "instructions_en", "review_due_on",
            "last_reviewed_on", "joint_users_ja", "joint_users_en", "joint_purpose_ja",
            "joint_purpose_en", "administrator_name_ja", "administrator_name_en",
            "administrator_address_ja", "administrator_address_en",
            "administrator_representative_ja", "administrator_representative_en",
        ]  # fmt: skip

    def clean_status(self):
        status = self.cleaned_data["status"]
        was = self.instance.status if self.instance.pk else ArrangementStatus.DRAFT
        if status == ArrangementStatus.ACTIVE and was != ArrangementStatus.ACTIVE:
            # Activation goes through the service (checks, timestamp, audit): save as draft,
            # then use the "Activate" action.
            raise forms.ValidationError(
                _("Save the arrangement as a draft, then use the “Activate” action.")
            )
        return status


@admin.register(Arrangement)
class ArrangementAdmin(admin.ModelAdmin):
    form = ArrangementForm
    list_display = ("__str__", "basis", "status", "starts_on", "ends_on", "review_due_on")
    list_filter = ("basis", "status", "partner__kind")
    search_fields = ("title_ja", "title_en", "partner__name_en", "partner__name_ja")
    filter_horizontal = ("purposes",)
    actions = ["activate"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Activate the selected arrangements"))
    def activate(self, request, queryset):
        for arrangement in queryset:
            try:
                registry.arrangement_activate(arrangement=arrangement, actor=request.user)
            except PartnerError as exc:
                self.message_user(request, f"{arrangement}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{arrangement}: {_('active')}", messages.SUCCESS)


@admin.register(ProvisionRecord)
class ProvisionRecordAdmin(ReadOnlyAdmin):
    list_display = ("provided_at", "recipient_name", "customer", "purpose", "basis", "export")
    list_filter = ("basis", "partner")
    list_select_related = ("customer", "purpose", "export", "partner")
    # Whose data went where: find a customer's records by address, name or reference.
    search_fields = ("customer__email", "customer__full_name", "customer_reference")
    date_hierarchy = "provided_at"


@admin.register(ExceptionRequest)
class ExceptionRequestAdmin(ReadOnlyAdmin):
    """Exceptions B-F; their approval is a portal.Approval, decided in the approvals inbox."""

    list_display = ("requested_at", "basis", "partner", "customer", "state", "requested_by")
    list_filter = ("basis",)
    list_select_related = ("partner", "customer", "requested_by")
    search_fields = (
        "customer__email",
        "customer__full_name",
        "partner__name_ja",
        "partner__name_en",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("approvals")

    @admin.display(description=_("status"))
    def state(self, obj: ExceptionRequest) -> str:
        return obj.get_status_display()


@admin.register(Export)
class ExportAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "partner", "purpose", "status", "rows", "requested_by")
    list_filter = ("status",)
    list_select_related = ("partner", "purpose", "requested_by")
    search_fields = ("partner__name_ja", "partner__name_en", "requested_by__email")
    exclude = ("file_name",)


# The partner API's admin.
from partners.api import admin as api_admin  # noqa: E402, F401
