"""The staff form for a request that came by post, phone, email or at the counter (LW-6.1,
LW-6.2): who asked, how and when it reached us, and, through the kind's own filing form,
what they ask."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from consents.models import Purpose
from portal.models import Language, User
from requests.forms import FORMS, FilingForm
from requests.models import Channel, DeliveryMethod, Kind

# --- staff file a request that came by post, phone, email or at the counter ------

# The parts of a customer's filing form that do not apply when staff type a request in: the
# LW-8 question and agent filing (staff file account-less requests for the requester
# themselves), and delivery and the fee acceptance (asked once, in `OfflineFilingForm`).
OFFLINE_DROPPED_FIELDS = (
    "requester_type",
    "on_behalf",
    "representation",
    "principal_name",
    "principal_relationship",
    "power_of_attorney",
    "delivery_method",
    "accept_fee",
)


def offline_details_form(kind: str, data=None, *, staff: User) -> FilingForm:
    """The kind's own filing form, for what the requester asks, without the parts above."""
    form = FORMS[kind](data, customer=staff, prefix="details")
    for name in OFFLINE_DROPPED_FIELDS:
        form.fields.pop(name, None)
    if "purposes" in form.fields:
        # A requester without an account may name any optional purpose we use.
        form.fields["purposes"].choices = [
            (p.code, p.name)
            for p in Purpose.objects.filter(is_active=True, necessary=False).order_by(
                "position", "code"
            )
        ]
    return form


class OfflineKindForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of request"), choices=Kind.choices)


class OfflineFilingForm(forms.Form):
    """Who asked, how it reached us and when (LW-6.2: the clock starts then)."""

    channel = forms.ChoiceField(
        label=_("How it reached us"),
        choices=[(c, label) for c, label in Channel.choices if c != Channel.ONLINE],
        initial=Channel.POST,
        widget=forms.RadioSelect,
    )
    received_on = forms.DateField(
        label=_("Date it reached us"),
        help_text=_("The deadline counts from this day (Japan time), not from today."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    received_time = forms.TimeField(
        label=_("Time it reached us (if known)"),
        required=False,
        help_text=_("Without a time, the deadline counts from the start of the day."),
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    requester_name = forms.CharField(label=_("Requester's name"), max_length=150)
    requester_address = forms.CharField(
        label=_("Postal address"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    requester_email = forms.EmailField(
        label=_("Email address"),
        required=False,
        help_text=_("With an address, notices go by email; without, they are printed for post."),
    )
    requester_phone = forms.CharField(label=_("Phone number"), max_length=32, required=False)
    requester_language = forms.ChoiceField(
        label=_("Language to write in"), choices=Language.choices, initial=Language.JA
    )
    delivery_method = forms.ChoiceField(
        label=_("How the requester wants the answer"),
        choices=DeliveryMethod.choices,
        initial=DeliveryMethod.PAPER,
        widget=forms.RadioSelect,
    )
    scan = forms.FileField(
        label=_("Scan of the letter or form (PDF, JPEG or PNG)"),
        required=False,
        help_text=_("Required for a letter and for a form handed in at the counter."),
    )

    def clean(self):
        data = super().clean()
        if not data.get("requester_email") and not (data.get("requester_address") or "").strip():
            self.add_error(
                "requester_address",
                _("Give an email address or a postal address: we must be able to answer."),
            )
        if data.get("channel") in (Channel.POST, Channel.COUNTER) and not data.get("scan"):
            self.add_error("scan", _("Attach the scan of the letter or form as it reached us."))
        return data
