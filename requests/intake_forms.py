"""The forms of filing without an account: the address, the code, and each kind's
filing form with the requester's own details in place of an account's, and no agent filing
(an agent without an account writes to us; staff type the request in)."""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from requests.forms import FORMS, FilingForm
from requests.models import DeliveryMethod, Kind

AGENT_FIELDS = (
    "on_behalf",
    "representation",
    "principal_name",
    "principal_relationship",
    "power_of_attorney",
)
REQUESTER_FIELDS = ("requester_name", "requester_address", "requester_phone")


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_(
            "We send a six-digit code to this address. Every mail about your request goes "
            "there too."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("The six-digit code from the mail"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
    )

    def clean_code(self) -> str:
        # Full-width digits typed with a Japanese input method count as digits.
        code = "".join(unicodedata.normalize("NFKC", self.cleaned_data["code"]).split())
        if len(code) != 6 or not code.isascii() or not code.isdigit():
            raise forms.ValidationError(_("Enter the six digits of the code."))
        return code


class _RequesterDetails(forms.Form):
    requester_name = forms.CharField(
        label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    requester_address = forms.CharField(
        label=_("Your postal address (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
        help_text=_("Needed only if you want the answer on paper."),
    )
    requester_phone = forms.CharField(
        label=_("Your phone number (optional)"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel"}),
    )


class _PublicFiling:
    """Mixed in before a kind's filing form: no account, no agent filing."""

    def __init__(self, *args, **kwargs):
        kwargs["customer"] = None
        super().__init__(*args, **kwargs)
        for name in AGENT_FIELDS:
            self.fields.pop(name, None)
        if "scope" in self.fields and self.kind == Kind.DELETION:
            self.fields["scope"].choices = [
                ("account", _("Everything you hold about me")),
                ("items", _("Only these items:")),
            ]
        rest = [f for f in self.fields if f not in ("requester_type", *REQUESTER_FIELDS)]
        self.order_fields(["requester_type", *REQUESTER_FIELDS, *rest])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            data.get("delivery_method") == DeliveryMethod.PAPER
            and not (data.get("requester_address") or "").strip()
        ):
            self.add_error(
                "requester_address", _("Enter the postal address we should send the answer to.")
            )
        return data


PUBLIC_FORMS: dict[str, type[FilingForm]] = {
    kind: type(f"Public{form.__name__}", (_PublicFiling, _RequesterDetails, form), {})
    for kind, form in FORMS.items()
}


class RequesterMatchForm(forms.Form):
    """Staff match the requester of an account-less request to the data we hold, while
    checking their identity: an account by its address, an erased account by the reference
    of an earlier request the requester quotes, or nothing at all (APPI Art. 33)."""

    account_email = forms.EmailField(
        label=_("Email address of their account"), max_length=254, required=False
    )
    earlier_reference = forms.CharField(
        label=_("Or the reference of an earlier request (also of an erased account)"),
        max_length=20,
        required=False,
    )
    no_data = forms.BooleanField(label=_("We hold no data about this person"), required=False)
    identity_checked = forms.BooleanField(
        label=_("I checked the requester's identity documents against this match"),
        error_messages={"required": _("Check the identity documents first, then tick this box.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        given = [
            bool(data.get("account_email")),
            bool((data.get("earlier_reference") or "").strip()),
            bool(data.get("no_data")),
        ]
        if sum(given) != 1 and not self.errors:
            raise forms.ValidationError(
                _(
                    "Give one of these: the account's address, an earlier reference, or "
                    "“no data held”."
                )
            )
        return data
