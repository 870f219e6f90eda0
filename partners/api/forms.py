"""Forms of the partner API's staff and customer pages."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.api.models import PartnerSystem, Scope
from portal.models import User


class ApiKeyCreateForm(forms.Form):
    system = forms.ModelChoiceField(
        label=_("System"),
        queryset=PartnerSystem.objects.filter(is_active=True).select_related("partner"),
    )
    label = forms.CharField(label=_("Label"), max_length=200, required=False)
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    valid_days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=_("Empty: no expiry."),
    )

    def expires_at(self) -> datetime.datetime | None:
        days = self.cleaned_data.get("valid_days")
        return timezone.now() + datetime.timedelta(days=days) if days else None


class SubjectLinkForm(forms.Form):
    system = forms.ModelChoiceField(
        label=_("System"),
        queryset=PartnerSystem.objects.filter(is_active=True).select_related("partner"),
    )
    customer_email = forms.EmailField(label=_("Customer's email address"))

    def clean_customer_email(self):
        email = self.cleaned_data["customer_email"].strip().lower()
        customer = User.objects.filter(email=email, is_active=True).first()
        if customer is None:
            raise forms.ValidationError(_("No active customer has this email address."))
        return customer
