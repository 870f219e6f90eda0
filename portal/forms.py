from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from portal.models import User

# Django's own Japanese labels put half-width brackets around Japanese; the portal's catalogue
# gives them full-width ones. The ids are Django's, listed here so that extraction
# keeps them in the catalogue.
DJANGO_LABELS = (_("Password confirmation"), _("New password confirmation"))


class SignUpForm(UserCreationForm):
    """Sign-up asks only for what the service needs to start (LW-2.1)."""

    class Meta:
        model = User
        fields = ("email", "full_name", "preferred_language")

    def validate_unique(self):
        # Whether the address has an account is never said here: the sign-up
        # service tells its holder by mail instead.
        pass


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


class EmailChangeForm(forms.Form):
    new_email = forms.EmailField(
        label=_("New email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To make sure it is you."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not right."))
        return password


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=User._meta.get_field("preferred_language").choices)
    next = forms.CharField(required=False)
