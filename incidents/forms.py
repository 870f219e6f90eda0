"""Forms of the incident back-office. They validate input; the services decide."""

from __future__ import annotations

import csv
import datetime
import io

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import Incident, IncidentStatus, ScopeSource
from incidents.services import REGISTER_FIELDS
from partners.models import DataItem, Partner

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
# An uploaded list holds at most this many lines (a larger scope is a partner or date rule).
MAX_REFERENCES = 50_000
MAX_UPLOAD_BYTES = 4 * 1024 * 1024


def _datetime_field(label) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        help_text=_("Japan time."),
    )


class IncidentForm(forms.ModelForm):
    discovered_at = _datetime_field(_("Discovered at"))
    aware_at = _datetime_field(_("The business became aware at"))
    data_items = forms.MultipleChoiceField(
        label=_("Data items involved"),
        choices=DataItem.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Partners involved"),
        queryset=Partner.objects.order_by("name_en"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Incident
        fields = [*REGISTER_FIELDS[:6], "partners", *REGISTER_FIELDS[6:]]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in REGISTER_FIELDS
            if name
            not in {
                "title",
                "kind",
                "discovered_at",
                "aware_at",
                "at_processor",
                "data_items",
                "deliberate",
                "notice_contact_ja",
                "notice_contact_en",
            }
        }

    def clean(self):
        data = super().clean()
        discovered, aware = data.get("discovered_at"), data.get("aware_at")
        if discovered and aware and aware < discovered:
            self.add_error(
                "aware_at",
                _("The business cannot become aware before the incident was discovered."),
            )
        if aware and aware > timezone.now() + datetime.timedelta(minutes=5):
            self.add_error("aware_at", _("The time of awareness cannot be in the future."))
        return data

    def register_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in REGISTER_FIELDS}

    def _post_clean(self):
        # The services write the model (and its due dates); the form only validates input.
        pass


class AssessmentForm(forms.Form):
    special_care = forms.BooleanField(
        label=_(
            "(1) Special-care-required information (race, creed, social status, medical "
            "history, criminal record, having been a victim of a crime, and the like)"
        ),
        required=False,
    )
    special_care_reason = forms.CharField(
        label=_("Reason for (1)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    financial_loss = forms.BooleanField(
        label=_(
            "(2) Data whose misuse may cause financial loss (e.g. card numbers with their "
            "codes, banking credentials)"
        ),
        required=False,
    )
    financial_loss_reason = forms.CharField(
        label=_("Reason for (2)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    unauthorised_purpose = forms.BooleanField(
        label=_("(3) An unauthorised purpose (an attack, theft, a deliberate leak by an insider)"),
        required=False,
    )
    unauthorised_purpose_reason = forms.CharField(
        label=_("Reason for (3)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    may_exceed_thousand = forms.BooleanField(
        label=_("(4) More than 1,000 people may be affected"),
        required=False,
        help_text=_("Also holds on its own when more than 1,000 people are scoped."),
    )
    over_thousand_reason = forms.CharField(
        label=_("Reason for (4)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    note = forms.CharField(
        label=_("Further reasons (required when none applies)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def answers(self) -> dict[str, bool]:
        d = self.cleaned_data
        return {n: d[n] for n in ("special_care", "financial_loss", "unauthorised_purpose")}

    def reasons(self) -> dict[str, str]:
        d = self.cleaned_data
        return {
            n: d[f"{n}_reason"]
            for n in ("special_care", "financial_loss", "unauthorised_purpose", "over_thousand")
        }


class ScopeForm(forms.Form):
    source = forms.ChoiceField(
        label=_("Find the people affected by"),
        choices=ScopeSource.choices,
        widget=forms.RadioSelect,
        initial=ScopeSource.PROVISION,
    )
    partner = forms.ModelChoiceField(
        label=_("Partner"), queryset=Partner.objects.order_by("name_en"), required=False
    )
    date_from = forms.DateField(
        label=_("Provided from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Provided until (inclusive)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_before = forms.DateField(
        label=_("Accounts created before"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    upload = forms.FileField(
        label=_("List of customer references or email addresses (text or CSV)"),
        required=False,
        help_text=_("One a line or cell."),
    )
    references = forms.CharField(
        label=_("…or paste them here"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    # The count the staff member saw in the preview; present when confirming.
    expected = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        source = data.get("source")
        if source == ScopeSource.PROVISION:
            if not data.get("partner"):
                self.add_error("partner", _("Choose the partner."))
            start, end = data.get("date_from"), data.get("date_to")
            if not start:
                self.add_error("date_from", _("Give the first day."))
            if not end:
                self.add_error("date_to", _("Give the last day."))
            if start and end and end < start:
                self.add_error("date_to", _("The last day cannot be before the first."))
        elif source == ScopeSource.ACCOUNTS:
            if not data.get("created_before"):
                self.add_error("created_before", _("Give the date."))
        elif source == ScopeSource.UPLOAD:
            refs = self._references(data)
            if not refs:
                self.add_error("upload", _("Upload or paste at least one reference."))
            elif len(refs) > MAX_REFERENCES:
                self.add_error(
                    "upload",
                    _("At most %(n)s references at a time.") % {"n": f"{MAX_REFERENCES:,}"},
                )
            data["reference_list"] = tuple(refs)
        return data

    def _references(self, data) -> list[str]:
        text = data.get("references") or ""
        upload = data.get("upload")
        if upload:
            if upload.size > MAX_UPLOAD_BYTES:
                self.add_error("upload", _("The file is too large (at most 4 MB)."))
                return []
            raw = upload.read()
            try:
                text += "\n" + raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("upload", _("The file must be plain text or CSV in UTF-8."))
                return []
        seen: dict[str, None] = {}
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                cell = cell.strip()
                if cell:
                    seen.setdefault(cell, None)
        return list(seen)


class ConfirmCountForm(forms.Form):
    expected = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class SubmittedForm(forms.Form):
    submitted_on = forms.DateField(
        label=_("Submitted to the Commission on"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_("Why the incident is closed"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ListFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            ("open", IncidentStatus.OPEN.label),
            ("closed", IncidentStatus.CLOSED.label),
            ("all", _("All")),
        ],
        required=False,
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
