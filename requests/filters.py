"""The staff queue's filters and sort order, with django-filter.

The URL parameters are the ones the queue always had, and other pages link to them: `q`,
`kind`, `status`, `assignee`, `mine=1`, `unassigned=1`, `due_within=N`, `overdue=1`, `page`;
`sort` is new. A bad value is left out of the filtering and shown as an error next to its
field, never a 500. "Mine" wins over "unassigned", which wins over "assignee".
"""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import User
from portal.widgets import PlainSelect
from requests.models import OPEN_STATUSES, Kind, Status

# Sortable columns: the URL's name, the label, and the order it means (ties broken so that the
# order is total; every order has a partial index on open requests, see migration
# `request_queue_sort_indexes`, so a deep page never sorts the table). A leading "-" in the
# URL reverses every column of the order, which PostgreSQL reads as the same index backwards.
SORTS: dict[str, tuple[str, ...]] = {
    "due": ("due_at", "id"),
    "received": ("received_at", "id"),
    "reference": ("reference",),
    "kind": ("kind", "due_at", "id"),
    "status": ("status", "due_at", "id"),
}
DEFAULT_SORT = "due"


def sort_order(sort: str) -> tuple[str, ...]:
    """The ORDER BY of a `sort` value ("due", "-received", ...); the default when unknown."""
    name = sort.removeprefix("-")
    if name not in SORTS:
        return SORTS[DEFAULT_SORT]
    if sort.startswith("-"):
        return tuple(f"-{field}" for field in SORTS[name])
    return SORTS[name]


class FlagInput(forms.CheckboxInput):
    """A checkbox whose URL value is `1` (what other pages link with); `on`, `true` and `1`
    all mean ticked, `0`, `false` and nothing mean not."""

    def __init__(self, attrs=None):
        super().__init__(attrs, check_test=bool)

    def format_value(self, value):
        return "1"

    def value_from_datadict(self, data, files, name):
        value = data.get(name)
        return str(value).lower() in {"1", "on", "true", "yes"} if value is not None else False


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class QueueFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=200)
    # The menus are written in Python (portal.widgets): the queue is a hot page (issue 13).
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Kind.choices, empty_label=None, widget=PlainSelect
    )
    status = django_filters.ChoiceFilter(label=_("State"), empty_label=None, widget=PlainSelect)
    # A number, not a choice among staff: the staff list comes with the page's rows (one
    # statement), after the filters were read; `set_staff` fills the menu.
    assignee = IntegerFilter(
        label=_("Assignee"), min_value=1, widget=PlainSelect, method="filter_assignee"
    )
    mine = django_filters.BooleanFilter(label=_("Mine"), widget=FlagInput, method="filter_mine")
    unassigned = django_filters.BooleanFilter(
        label=_("Unassigned"), widget=FlagInput, method="filter_unassigned"
    )
    due_within = IntegerFilter(
        label=_("Due within (days)"), min_value=0, max_value=365, method="filter_due_within"
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue"), widget=FlagInput, method="filter_overdue"
    )
    # Applied by the selector (queue_page) with its tie-breakers; here only validated.
    sort = django_filters.ChoiceFilter(
        label=_("Sort"),
        choices=[(s, s) for name in SORTS for s in (name, f"-{name}")],
        method="filter_nothing",
        widget=forms.HiddenInput,
    )

    def __init__(self, data=None, *, queryset, viewer: User, now=None):
        super().__init__(data, queryset=queryset)
        self.viewer = viewer
        self.now = now or timezone.now()
        self.filters["kind"].extra["choices"] = [("", _("All kinds")), *Kind.choices]
        self.filters["status"].extra["choices"] = [("", _("All open states"))] + [
            (s, Status(s).label) for s in OPEN_STATUSES
        ]

    def set_staff(self, staff: list[User]) -> None:
        """The assignee menu's choices, once the page has read who the staff are."""
        self.form.fields["assignee"].widget.choices = [("", _("Anyone"))] + [
            (u.pk, str(u)) for u in staff
        ]

    def chosen_sort(self) -> str:
        """The `sort` asked for when valid, else the default."""
        if not self.is_bound or "sort" in self.errors:
            return DEFAULT_SORT
        return self.form.cleaned_data.get("sort") or DEFAULT_SORT

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # Each field alone: a bad value drops out of cleaned_data and the others still apply.
        data = self.form.cleaned_data
        for name, value in data.items():
            if name == "unassigned" and data.get("mine"):
                continue
            if name == "assignee" and (data.get("mine") or data.get("unassigned")):
                continue
            if name == "due_within" and data.get("overdue"):
                continue
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    # --- one method per filter ------------------------------------------------------------

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_search(self, queryset, name, value):
        term = (value or "").strip()
        if not term:
            return queryset
        return queryset.filter(
            Q(reference__icontains=term)
            | Q(customer__email__icontains=term)
            | Q(customer__full_name__icontains=term)
            # A requester without an account (filed by staff or online), by what they gave.
            | Q(requester_email__icontains=term)
            | Q(requester_name__icontains=term)
        )

    def filter_assignee(self, queryset, name, value):
        return queryset.filter(assignee_id=value) if value else queryset

    def filter_mine(self, queryset, name, value):
        return queryset.filter(assignee=self.viewer) if value else queryset

    def filter_unassigned(self, queryset, name, value):
        return queryset.filter(assignee__isnull=True) if value else queryset

    def filter_overdue(self, queryset, name, value):
        # A paused request is never overdue: its due date moves while it waits.
        return (
            queryset.filter(due_at__lt=self.now, paused_since__isnull=True) if value else queryset
        )

    def filter_due_within(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(due_at__lt=self.now + timedelta(days=int(value)))
