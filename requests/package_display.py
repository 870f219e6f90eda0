"""The disclosure package as the customer reads it (LW-6.1): every value in the
customer's language, times in Tokyo time, names instead of codes and internal ids.

The JSON file keeps the stored values under stable keys (the field names) for machines; the
readable page and its PDF show `cell()` of each field. A value this module has no rule for
is shown as the JSON has it.
"""

from __future__ import annotations

from datetime import date, datetime

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consents.countries import country_name
from portal.i18n import join_list
from portal.models import User

# What decided the consent a provision relied on (partners' ProvisionRecord.decided_by, LY-6).
DECIDED_BY = {
    "service": gettext_lazy("your consent for that service"),
    "general": gettext_lazy("your general consent"),
    "default": gettext_lazy("the policy's default: you had not turned it off"),
    "restriction": gettext_lazy("stopped at your request"),
    "reconsent": gettext_lazy("waiting for your fresh decision"),
    "none": gettext_lazy("no consent given"),
}

# Column names the readable page words for the customer where the model's own name is a
# staff word.
LABELS = {
    ("requests.TimelineEntry", "from_status"): gettext_lazy("state before"),
    ("requests.TimelineEntry", "to_status"): gettext_lazy("state after"),
}

# Fields whose stored value is a list of data-item codes (partners' DataItem).
DATA_ITEM_FIELDS = {"data_items"}
COUNTRY_FIELDS = {"recipient_country", "country"}


def when(value: datetime | None) -> str | None:
    """A moment in Tokyo time, to the minute: 2026-12-01 15:28."""
    if value is None:
        return None
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _data_items(codes) -> str:
    from partners.models import DataItem

    labels = dict(DataItem.choices)
    return join_list(str(labels.get(code, code)) for code in codes or [])


def person_label(obj, name: str, customer: User) -> str | None:
    """Who a user field names, as the customer reads it: you, the person you act for, or
    privacy staff. Compared by id: no query per row, and no staff member's name."""
    person = getattr(obj, obj._meta.get_field(name).attname)
    if person is None:
        return None
    if person == customer.pk:
        return _("you")
    if name == "principal":
        return _("the person you act for")
    return _("privacy staff")


def _related(obj, name: str) -> str | None:
    from consents.models import ConsentEvent
    from requests.models import DataRequest

    rel = getattr(obj, name)
    if rel is None:
        return None
    if isinstance(rel, ConsentEvent):
        # The event's own text is an internal summary (ids, UTC); the customer reads when.
        return _("your consent choice of %(when)s") % {"when": when(rel.created_at)}
    if isinstance(rel, DataRequest):
        return rel.reference
    label = rel._meta.label
    if label == "consents.PolicyVersion":
        return _("%(version)s (in force from %(date)s)") % {
            "version": rel.version,
            "date": rel.effective_date.strftime("%Y-%m-%d"),
        }
    if label == "partners.Arrangement":
        return str(rel.title)  # the partner is named in its own column
    return str(rel)


def _special(obj, name: str, value) -> str | SafeString | None:
    """Fields of particular models whose stored values are codes."""
    from portal.inventory import CATEGORIES
    from requests.models import EVENT_LABELS, DataRequest, DecisionItem, Ground, TimelineEntry

    if isinstance(obj, DataRequest) and name == "details":
        if not value:
            return None
        return render_to_string("customer/requests/_details.html", {"details": value})
    if isinstance(obj, TimelineEntry) and name == "event":
        return str(EVENT_LABELS.get(value, value))
    if isinstance(obj, DecisionItem) and name == "category":
        return str(CATEGORIES.get(value, value))
    if isinstance(obj, DecisionItem) and name == "grounds":
        return join_list(str(Ground(g).label) for g in value or []) or None
    if name in DATA_ITEM_FIELDS and isinstance(value, list):
        return _data_items(value) or None
    if name in COUNTRY_FIELDS and isinstance(value, str) and value:
        return country_name(value)
    if name == "decided_by" and isinstance(value, str):
        return str(DECIDED_BY[value]) if value in DECIDED_BY else (value or None)
    return None


def cell(obj, name: str, customer: User) -> str | SafeString | None:
    """One field of one row as the readable page shows it; None for nothing held."""
    field = obj._meta.get_field(name)
    if field.many_to_many:
        return join_list(str(x) for x in getattr(obj, name).all()) or None
    if field.is_relation:
        if field.related_model is User:
            return person_label(obj, name, customer)
        return _related(obj, name)
    value = field.value_from_object(obj)
    special = _special(obj, name, value)
    if special is not None:
        return special
    if value is None or value == "" or value == [] or value == {}:
        return None
    if field.choices:
        return str(getattr(obj, f"get_{name}_display")())
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, list):
        return join_list(str(v) for v in value)
    if isinstance(value, dict):
        return join_list(f"{k}: {v}" for k, v in value.items())
    return str(value)


# Each ground of LW-6.3 (APPI Art. 33(2), and the policy's own (4)) in plain words.
GROUNDS_EXPLAINED = {
    1: gettext_lazy(
        "Showing it to you could harm the life, body, property or other rights and interests "
        "of you or of someone else."
    ),
    2: gettext_lazy(
        "Showing it to you could seriously hinder the proper conduct of our business, for "
        "example an investigation of fraud that is still going on."
    ),
    3: gettext_lazy("Showing it to you would break another law."),
    4: gettext_lazy("We could not confirm that the request came from you."),
}

SCHEMA = "privacy-portal/disclosure-package"
SCHEMA_VERSION = 2


def json_preamble() -> dict:
    """The JSON file's first keys: what it is and how to read it, for machines and people.
    The keys and the schema version stay the same in every language."""
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "language": _language(),
        "note": _(
            "A machine-readable copy of the data we hold about you. The keys are stable "
            "English field names and do not change with your language; each section's "
            "'labels' give the fields' names in your language, and times are in Japan time "
            "(ISO 8601, +09:00). The readable page shows the same data."
        ),
    }


def _language() -> str:
    from django.utils.translation import get_language

    return (get_language() or "ja").split("-")[0]


def page_context(*, req, sections, readable, withheld, generated_at) -> dict:
    """What customer/requests/package.html shows: per category, the kinds of data held, each
    row as label-value pairs with the empty values left out, and the kinds of which nothing is
    held named in one line; the withheld items with their grounds in plain words."""
    categories: list[dict] = []
    for section, rows in zip(sections, readable, strict=True):
        if not categories or categories[-1]["label"] != section["category_label"]:
            categories.append({"label": section["category_label"], "held": [], "empty": []})
        group = categories[-1]
        if not rows:
            group["empty"].append(section["title"])
            group["empty_text"] = join_list(group["empty"])
            continue
        labels = [
            str(LABELS.get((section["model"], name), label))
            for name, label in zip(section["fields"], section["labels"], strict=True)
        ]
        records = [
            [(label, value) for label, value in zip(labels, row, strict=True) if value]
            for row in rows
        ]
        group["held"].append({"title": section["title"], "records": records})
    explained = [
        {
            "category_label": w["category_label"],
            "grounds": [
                {"label": label, "plain": str(GROUNDS_EXPLAINED.get(g, ""))}
                for g, label in zip(w["grounds"], w["ground_labels"], strict=True)
            ],
            "reason": w["reason"],
        }
        for w in withheld
    ]
    return {
        "req": req,
        "generated": when(generated_at),
        "categories": categories,
        "withheld": explained,
    }
