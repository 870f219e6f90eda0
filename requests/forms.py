"""Filing forms: one per kind, each asking only what that kind needs (LW-6.1), after the
LW-8 question of who is asking. `details()` is what is stored as the request's JSON."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from consents.selectors import purposes_for_customer
from portal.inventory import CATEGORIES
from portal.models import User
from portal.widgets import PlainSelect
from requests.choices import DELETION_ITEM_CHOICES, PROFILE_FIELD_CHOICES
from requests.models import (
    CHARGEABLE_KINDS,
    DeliveryMethod,
    DocumentPurpose,
    Ground,
    Kind,
    Outcome,
    PaymentMethod,
    Representation,
)


class RequesterType:
    CUSTOMER = "customer"
    MANAGED = "managed"


REQUESTER_CHOICES = [
    (
        RequesterType.CUSTOMER,
        _("I use the service myself as a customer (an individual or the contract holder)"),
    ),
    (
        RequesterType.MANAGED,
        _("My account is managed by an organization that is a customer (for example my employer)"),
    ),
]


class StartForm(forms.Form):
    """The first question (LW-8) and the kind of request."""

    requester_type = forms.ChoiceField(
        label=_("Who is asking?"), choices=REQUESTER_CHOICES, widget=forms.RadioSelect
    )
    kind = forms.ChoiceField(
        label=_("What would you like to ask?"), choices=Kind.choices, widget=forms.RadioSelect
    )


_TAIL = (
    "delivery_method",
    "accept_fee",
    "on_behalf",
    "representation",
    "principal_name",
    "principal_relationship",
    "power_of_attorney",
)


class FilingForm(forms.Form):
    """What every filing asks: the LW-8 question and, optionally, agent filing."""

    kind: str = ""
    requester_type = forms.ChoiceField(
        label=_("Who is asking?"), choices=REQUESTER_CHOICES, widget=forms.RadioSelect
    )
    on_behalf = forms.BooleanField(
        label=_("I am filing as the agent of another person"),
        required=False,
        help_text=_(
            "Attach a power of attorney signed by the person you act for; a parent or guardian "
            "attaches proof of the relationship instead."
        ),
    )
    representation = forms.ChoiceField(
        label=_("You act as"),
        choices=Representation.choices,
        initial=Representation.AGENT,
        required=False,
        widget=forms.RadioSelect,
    )
    principal_name = forms.CharField(
        label=_("Name of the person you act for"), max_length=150, required=False
    )
    principal_relationship = forms.CharField(
        label=_("Your relationship to them"), max_length=100, required=False
    )
    power_of_attorney = forms.FileField(
        label=_("Power of attorney or proof of the relationship (PDF, JPEG or PNG)"),
        required=False,
    )

    def __init__(self, *args, customer: User, fees: dict[str, int] | None = None, **kwargs):
        self.customer = customer
        self.fees = fees or {}
        super().__init__(*args, **kwargs)
        # The LW-8 question first, then what this kind needs, then delivery and fee, and
        # agent filing last (most people file for themselves).
        tail = [f for f in _TAIL if f in self.fields]
        middle = [f for f in self.fields if f not in tail and f != "requester_type"]
        self.order_fields(["requester_type", *middle, *tail])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("on_behalf"):
            if not data.get("principal_name", "").strip():
                self.add_error("principal_name", _("Name the person you act for."))
            if not data.get("power_of_attorney"):
                self.add_error(
                    "power_of_attorney",
                    _("Attach the power of attorney, or the proof of the relationship."),
                )
            if not data.get("representation"):
                data["representation"] = Representation.AGENT
        if self.kind in CHARGEABLE_KINDS:
            fee = self.fees.get(data.get("delivery_method") or DeliveryMethod.ELECTRONIC)
            if fee and not data.get("accept_fee"):
                self.add_error(
                    "accept_fee",
                    _("Please confirm that you accept the fee of ¥%(fee)s.") % {"fee": f"{fee:,}"},
                )
        return data

    @property
    def is_managed_user(self) -> bool:
        return self.cleaned_data.get("requester_type") == RequesterType.MANAGED

    def details(self) -> dict[str, Any]:
        return {}

    def delivery_method(self) -> str:
        return self.cleaned_data.get("delivery_method") or DeliveryMethod.ELECTRONIC


class _DeliveryMixin(forms.Form):
    delivery_method = forms.ChoiceField(
        label=_("How would you like to receive the answer?"),
        choices=DeliveryMethod.choices,
        initial=DeliveryMethod.ELECTRONIC,
        widget=forms.RadioSelect,
    )
    accept_fee = forms.BooleanField(
        label=_("I accept the fee shown above and will pay it once asked to."), required=False
    )


class DisclosureForm(_DeliveryMixin, FilingForm):
    kind = Kind.DISCLOSURE
    scope = forms.ChoiceField(
        label=_("Which data?"),
        choices=[("all", _("Everything you hold about me")), ("chosen", _("Only these:"))],
        initial="all",
        widget=forms.RadioSelect,
    )
    categories = forms.MultipleChoiceField(
        label=_("Categories"),
        # Read when the form is built: the apps register their categories at start-up.
        choices=lambda: list(CATEGORIES.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self):
        data = super().clean()
        if data.get("scope") == "chosen" and not data.get("categories"):
            self.add_error("categories", _("Choose at least one category."))
        return data

    def details(self):
        if self.cleaned_data["scope"] == "all":
            return {"scope": "all", "categories": sorted(CATEGORIES)}
        return {"scope": "chosen", "categories": sorted(self.cleaned_data["categories"])}


class _FieldValueForm(FilingForm):
    field = forms.ChoiceField(label=_("Which item?"), choices=PROFILE_FIELD_CHOICES)
    new_value = forms.CharField(label=_("The correct value"), max_length=255)
    explanation = forms.CharField(
        label=_("Anything we should know (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("field") == "birth_year" and data.get("new_value"):
            value = data["new_value"].strip()
            if not value.isdigit() or not 1900 <= int(value) <= 2100:
                self.add_error("new_value", _("Enter a year such as 1988."))
        if data.get("field") == "email" and data.get("new_value"):
            try:
                forms.EmailField().clean(data["new_value"])
            except forms.ValidationError:
                self.add_error("new_value", _("Enter a valid email address."))
        return data

    def details(self):
        return {
            "field": self.cleaned_data["field"],
            "new_value": self.cleaned_data["new_value"].strip(),
            "explanation": self.cleaned_data.get("explanation", "").strip(),
        }


class CorrectionForm(_FieldValueForm):
    kind = Kind.CORRECTION


class AdditionForm(_FieldValueForm):
    kind = Kind.ADDITION

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_value"].label = _("The value to add")


class DeletionForm(FilingForm):
    kind = Kind.DELETION
    scope = forms.ChoiceField(
        label=_("What should we delete?"),
        choices=[
            ("account", _("My whole account (I will no longer be able to sign in)")),
            ("items", _("Only these items:")),
        ],
        widget=forms.RadioSelect,
    )
    items = forms.MultipleChoiceField(
        label=_("Items"),
        choices=DELETION_ITEM_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self):
        data = super().clean()
        if data.get("scope") == "items" and not data.get("items"):
            self.add_error("items", _("Choose at least one item."))
        return data

    def details(self):
        if self.cleaned_data["scope"] == "account":
            return {"scope": "account", "data_items": []}
        return {"scope": "items", "data_items": sorted(self.cleaned_data["items"])}


class SuspensionForm(FilingForm):
    kind = Kind.SUSPENSION
    purposes = forms.MultipleChoiceField(
        label=_("Stop using my data for"), widget=forms.CheckboxSelectMultiple
    )
    explanation = forms.CharField(
        label=_("Why (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purposes"].choices = [
            (p.code, p.name) for p in purposes_for_customer(customer=self.customer)
        ]

    def details(self):
        return {
            "purposes": sorted(self.cleaned_data["purposes"]),
            "explanation": self.cleaned_data.get("explanation", "").strip(),
        }


class ThirdPartyStopForm(FilingForm):
    kind = Kind.THIRD_PARTY_STOP
    scope = forms.ChoiceField(
        label=_("Stop providing my data to"),
        choices=[("all", _("Every third party")), ("named", _("The third party named below"))],
        initial="all",
        widget=forms.RadioSelect,
    )
    recipient = forms.CharField(label=_("Third party"), max_length=200, required=False)
    explanation = forms.CharField(
        label=_("Why (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("scope") == "named" and not data.get("recipient", "").strip():
            self.add_error("recipient", _("Name the third party."))
        return data

    def details(self):
        return {
            "scope": self.cleaned_data["scope"],
            "recipient": self.cleaned_data.get("recipient", "").strip(),
            "explanation": self.cleaned_data.get("explanation", "").strip(),
        }


class PurposeNoticeForm(_DeliveryMixin, FilingForm):
    kind = Kind.PURPOSE_NOTICE


class ProvisionRecordsForm(_DeliveryMixin, FilingForm):
    kind = Kind.PROVISION_RECORDS


class InquiryForm(FilingForm):
    kind = Kind.INQUIRY
    subject = forms.CharField(label=_("Subject"), max_length=200)
    message = forms.CharField(
        label=_("Your question or complaint"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def details(self):
        return {
            "subject": self.cleaned_data["subject"].strip(),
            "message": self.cleaned_data["message"].strip(),
        }


FORMS: dict[str, type[FilingForm]] = {
    form.kind: form
    for form in (
        DisclosureForm,
        CorrectionForm,
        AdditionForm,
        DeletionForm,
        SuspensionForm,
        ThirdPartyStopForm,
        PurposeNoticeForm,
        ProvisionRecordsForm,
        InquiryForm,
    )
}


class FormTokenField(forms.Field):
    """A hidden, fresh token per rendered form (idempotency): what comes back is a UUID or,
    if it was tampered with, nothing; it never makes the form invalid."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, initial=uuid.uuid4, **kwargs)

    def to_python(self, value):
        try:
            return uuid.UUID(str(value)) if value not in (None, "") else None
        except (ValueError, TypeError, AttributeError):
            return None


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    token = FormTokenField()


class DocumentForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("What is it?"), choices=DocumentPurpose.choices, initial=DocumentPurpose.IDENTITY
    )
    file = forms.FileField(
        label=_("File (PDF, JPEG or PNG)"),
        help_text=_("For example a photo of your driving licence or My Number card (front only)."),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- the back-office ---------------------------------------------------------------


class BulkAssignForm(forms.Form):
    """The queue's one assignment control: the rows ticked, and the person they go to.
    Each ticked row says who it showed as assignee, `<id>:<assignee id>` (empty
    after the colon when nobody), so that a row someone changed meanwhile is left alone."""

    NOBODY = "none"

    assignee = forms.ChoiceField(label=_("Assign the selected requests to"), widget=PlainSelect)

    def __init__(self, *args, staff: list[User], viewer: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = {u.pk: u for u in staff} | {viewer.pk: viewer}
        others = [(str(u.pk), str(u)) for u in staff if u.pk != viewer.pk]
        self.fields["assignee"].choices = [
            (str(viewer.pk), _("Me")),
            *others,
            (self.NOBODY, _("Nobody (unassign)")),
        ]

    def clean(self):
        cleaned = super().clean()
        picks: list[tuple[int, int | None]] = []
        for raw in self.data.getlist("pick") if hasattr(self.data, "getlist") else []:
            pk, sep, expected = str(raw).partition(":")
            if not sep or not pk.isdigit() or (expected and not expected.isdigit()):
                raise forms.ValidationError(_("The selection could not be read; please try again."))
            picks.append((int(pk), int(expected) if expected else None))
        if not picks:
            raise forms.ValidationError(_("Tick at least one request to assign."))
        if len(picks) > 500:
            raise forms.ValidationError(_("Assign at most 500 requests at once."))
        cleaned["picks"] = picks
        return cleaned

    def chosen(self) -> User | None:
        """The person chosen (None = nobody); only called on a valid form."""
        value = self.cleaned_data["assignee"]
        return None if value == self.NOBODY else self.staff[int(value)]


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(
        label=_("Assign to"), coerce=int, required=False, empty_value=None
    )
    # Who the page showed as the assignee: a change meanwhile is refused (two staff at once).
    expected = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, staff: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Nobody"))] + [(u.pk, str(u)) for u in staff]


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("What should the customer send?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the customer reads it)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ErasureAskForm(forms.Form):
    """Staff ask a privacy administrator to erase a whole account (LW-5)."""

    reason = forms.CharField(
        label=_("For the administrator: identity checked, other requests closed, anything else"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PaymentForm(forms.Form):
    method = forms.ChoiceField(label=_("Paid by"), choices=PaymentMethod.choices)
    amount_yen = forms.IntegerField(label=_("Amount (yen)"), min_value=1, max_value=10_000_000)
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ExtensionAskForm(forms.Form):
    days = forms.IntegerField(label=_("Extend by (days)"), min_value=1, max_value=60)
    reason = forms.CharField(
        label=_("Reason (the customer reads it)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer to the customer"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (Outcome.FULFILLED, Outcome.FULFILLED.label),
            (Outcome.NO_DATA, Outcome.NO_DATA.label),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("What the customer reads"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class DecisionForm(forms.Form):
    """One row per data item of the request (inventory categories, LW-1): withheld or not,
    the grounds (1)-(4) and the reason the customer reads (LW-6.3)."""

    summary = forms.CharField(
        label=_("Explanation for the customer (needed when something is withheld)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, categories: list[str], initial_items=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = categories
        initial_items = initial_items or {}
        for category in categories:
            item = initial_items.get(category)
            self.fields[f"{category}__withheld"] = forms.BooleanField(
                label=_("Withhold"), required=False, initial=bool(item and item.withheld)
            )
            self.fields[f"{category}__grounds"] = forms.TypedMultipleChoiceField(
                label=_("Grounds"),
                choices=Ground.choices,
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                initial=item.grounds if item else [],
            )
            self.fields[f"{category}__reason"] = forms.CharField(
                label=_("Reason for withholding"),
                max_length=2000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=item.reason if item else "",
            )

    def clean(self):
        data = super().clean()
        for category in self.categories:
            if data.get(f"{category}__withheld"):
                if not data.get(f"{category}__grounds"):
                    self.add_error(f"{category}__grounds", _("Choose at least one ground."))
                if not (data.get(f"{category}__reason") or "").strip():
                    self.add_error(f"{category}__reason", _("Write the reason the customer reads."))
        return data

    def rows(self):
        """(category label, withheld field, grounds field, reason field) for the template."""
        labels = dict(CATEGORIES)
        return [
            (
                labels.get(c, c),
                self[f"{c}__withheld"],
                self[f"{c}__grounds"],
                self[f"{c}__reason"],
            )
            for c in self.categories
        ]

    def items(self) -> dict[str, dict]:
        return {
            c: {
                "withheld": self.cleaned_data.get(f"{c}__withheld", False),
                "grounds": self.cleaned_data.get(f"{c}__grounds") or [],
                "reason": self.cleaned_data.get(f"{c}__reason", ""),
            }
            for c in self.categories
        }


class ApprovalDecideForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment (needed to return it)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PrincipalLinkForm(forms.Form):
    """Staff link an agent's request to the account of the person represented, or record
    that the person has no account, once the authority document is checked (LW-6.1)."""

    principal_email = forms.EmailField(
        label=_("Email address of the person's account"), max_length=254, required=False
    )
    no_account = forms.BooleanField(label=_("The person has no account with us"), required=False)
    authority_checked = forms.BooleanField(
        label=_(
            "I checked the power of attorney (for a legal representative: the proof of the "
            "relationship) and it covers this request"
        ),
        error_messages={"required": _("Check the document first, then tick this box.")},
    )

    def clean(self):
        data = super().clean()
        if data.get("no_account") and data.get("principal_email"):
            self.add_error("principal_email", _("Leave the address empty if there is no account."))
        elif not (data.get("no_account") or data.get("principal_email") or self.errors):
            self.add_error(
                "principal_email",
                _("Give the address of the person's account, or tick “no account”."),
            )
        return data
