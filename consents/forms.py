"""Forms of the consent page and the cookie banner."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ConsentForm(forms.Form):
    """One checkbox per optional purpose on the customer's consent page (LW-3).

    Necessary purposes get no field: they cannot be withdrawn here. Purposes the browser's
    Global Privacy Control signal refuses are shown disabled (LW-7).
    """

    def __init__(self, *args, rows, locked_codes=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = {}
        for row in rows:
            purpose = row.purpose
            if purpose.necessary:
                continue
            name = f"purpose-{purpose.code}"
            self.fields[name] = forms.BooleanField(
                label=purpose.name,
                required=False,
                initial=row.granted,
                disabled=purpose.code in locked_codes,
            )
            self.rows[name] = row

    def bound_field_for(self, code: str):
        name = f"purpose-{code}"
        return self[name] if name in self.fields else None

    def changes(self) -> dict[str, bool]:
        """{purpose code: granted} for what differs from what the page showed, and for every
        purpose that waits for a fresh decision after a policy revision (LW-9)."""
        changed = {}
        for name, row in self.rows.items():
            if self.fields[name].disabled:
                continue
            value = bool(self.cleaned_data.get(name))
            if value != row.granted or row.decided_by == "reconsent":
                changed[row.purpose.code] = value
        return changed


class CookieChoiceForm(forms.Form):
    CHOICES = (
        ("necessary", _("Necessary cookies only")),
        ("analytics", _("Accept analytics cookies")),
    )

    choice = forms.ChoiceField(label=_("Cookies"), choices=CHOICES, widget=forms.RadioSelect)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class PolicyDiffForm(forms.Form):
    old = forms.ChoiceField(label=_("Older version"))
    new = forms.ChoiceField(label=_("Newer version"))

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(v.version, f"{v.version} ({v.effective_date:%Y-%m-%d})") for v in versions]
        self.fields["old"].choices = choices
        self.fields["new"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("old") and data.get("old") == data.get("new"):
            raise forms.ValidationError(_("Choose two different versions."))
        return data
