from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from portal.models import User


class SignUpForm(UserCreationForm):
    """Sign-up asks only for what the service needs to start (LW-2.1)."""

    class Meta:
        model = User
        fields = ("email", "full_name", "preferred_language")


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = (
            "full_name",
            "email",
            "phone",
            "postal_code",
            "prefecture",
            "address",
            "birth_year",
            "preferred_language",
        )
        widgets = {
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
        }

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        this_year = datetime.date.today().year
        if year is not None and not (1900 <= year <= this_year):
            raise forms.ValidationError(
                _("Enter a year between 1900 and %(year)s.") % {"year": this_year}
            )
        return year

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("An account with this email address exists."))
        return email


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=User._meta.get_field("preferred_language").choices)
    next = forms.CharField(required=False)
