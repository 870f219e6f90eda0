"""Template helpers of the requests app."""

from __future__ import annotations

from django import template

from portal.i18n import english_active, join_list
from portal.inventory import CATEGORIES
from requests.choices import DELETION_ITEM_CHOICES, PROFILE_FIELD_CHOICES

register = template.Library()


@register.filter
def yen(amount) -> str:
    """Whole yen: `1,000円` in Japanese, `¥1,000` in English."""
    if amount in (None, ""):
        return ""
    value = f"{int(amount):,}"
    return f"¥{value}" if english_active() else f"{value}円"


@register.filter
def labels(values, vocabulary: str) -> str:
    """Codes stored in a request's details, shown with their labels in the current language."""
    table = {
        "categories": dict(CATEGORIES),
        "fields": dict(PROFILE_FIELD_CHOICES),
        "deletion": dict(DELETION_ITEM_CHOICES),
    }[vocabulary]
    if isinstance(values, str):
        values = [values]
    return join_list(table.get(v, v) for v in values or [])
