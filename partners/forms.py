"""Forms of the partners pages. They validate input; services decide and write."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consents.models import Purpose
from partners.models import EXCEPTION_BASES, Basis, DataItem, Partner
from partners.selectors import RecordFilters
from partners.services import export_rows
from portal.models import User


class PurposeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Purpose) -> str:
        return obj.name


class PartnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Partner) -> str:
        return _("%(name)s (%(kind)s)") % {"name": obj.name, "kind": obj.get_kind_display()}


class RecordFilterForm(forms.Form):
    partner = PartnerChoiceField(
        label=_("Recipient"), queryset=Partner.objects.order_by("name_en"), required=False
    )
    basis = forms.ChoiceField(
        label=_("Basis"), choices=[("", _("Any")), *Basis.choices], required=False
    )
    purpose = PurposeChoiceField(
        label=_("Purpose"), queryset=Purpose.objects.order_by("position", "code"), required=False
    )
    customer_email = forms.EmailField(
        label=_("Customer's email address"), required=False, max_length=254
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            raise forms.ValidationError(_("The end date is before the start date."))
        return data

    def audit_values(self) -> dict[str, str]:
        """What the audit event records about the filters (LW-5): only cleaned values, each
        bounded by its field, as text; a field that did not validate is named, never copied
        (a NUL byte or a megabyte of text must not reach the append-only log)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        values: dict[str, str] = {}
        for name in self.fields:
            if name in self.errors:
                continue
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                continue
            if isinstance(value, models.Model):
                value = value.pk
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            values[name] = str(value)
        invalid = sorted(name for name in self.errors if name in self.fields)
        if invalid or NON_FIELD_ERRORS in self.errors:
            values["invalid"] = ",".join(invalid) or NON_FIELD_ERRORS
        return values

    def filters(self) -> RecordFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return RecordFilters(
            partner=data.get("partner"),
            basis=data.get("basis") or "",
            purpose=data.get("purpose"),
            customer_email=data.get("customer_email") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class ExportStartForm(forms.Form):
    partner = PartnerChoiceField(
        label=_("Partner"), queryset=Partner.objects.filter(is_active=True).order_by("name_en")
    )
    purpose = PurposeChoiceField(label=_("Purpose (LY-5)"), queryset=Purpose.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].queryset = export_rows.export_purposes().order_by("position", "code")


GATE = "gate"


class ProvisionForm(forms.Form):
    """A provision staff record by hand: through the gate, or under an exception B-F."""

    customer_email = forms.EmailField(label=_("Customer's email address"))
    partner = PartnerChoiceField(
        label=_("Recipient"), queryset=Partner.objects.filter(is_active=True).order_by("name_en")
    )
    purpose = PurposeChoiceField(
        label=_("Purpose"), queryset=Purpose.objects.filter(is_active=True).order_by("position")
    )
    items = forms.MultipleChoiceField(
        label=_("Data items"), choices=DataItem.choices, widget=forms.CheckboxSelectMultiple
    )
    basis = forms.ChoiceField(
        label=_("Basis"),
        choices=[(GATE, _("Consent, entrustment or joint use (the gate decides)"))]
        + [(b.value, b.label) for b in EXCEPTION_BASES],
        initial=GATE,
    )
    justification = forms.CharField(
        label=_("Written justification"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required for an exception: the facts and the legal ground."),
    )

    def clean_customer_email(self) -> User:
        email = self.cleaned_data["customer_email"].strip().lower()
        customer = User.objects.filter(email=email, is_active=True).first()
        if customer is None:
            raise forms.ValidationError(_("No active customer has this email address."))
        return customer

    def clean(self):
        data = super().clean()
        if data.get("basis") not in (None, GATE) and not (data.get("justification") or "").strip():
            self.add_error("justification", _("An exception needs a written justification."))
        return data


class ExceptionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve and provide")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when rejecting."),
    )


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(
        label=_("Reviewed on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    next_due = forms.DateField(
        label=_("Next review due"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["reviewed_on"].initial = today
        self.fields["next_due"].initial = today + datetime.timedelta(days=365)

    def clean(self):
        data = super().clean()
        reviewed, due = data.get("reviewed_on"), data.get("next_due")
        if reviewed and reviewed > timezone.localdate():
            self.add_error("reviewed_on", _("A review cannot be in the future."))
        if reviewed and due and due <= reviewed:
            self.add_error("next_due", _("The next review must be after this one."))
        return data
