"""Template helpers of the requests app."""

from __future__ import annotations

from django import template

from portal.i18n import english_active, join_list
from portal.inventory import CATEGORIES
from requests import workflow
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


@register.simple_tag(takes_context=True)
def request_link(context, name: str, **kwargs) -> str:
    """The address of one of the request page's actions (`message_post`, `document_upload`,
    `document_download`, `package_download`): under the signed link when the page was opened
    by one (a requester without an account), else under the customer's reference."""
    from django.urls import reverse

    token = context.get("follow_token")
    if token:
        return reverse(f"requests:follow_{name}", kwargs={"token": token, **kwargs})
    return reverse(f"requests:{name}", kwargs={"reference": context["req"].reference, **kwargs})


@register.filter
def can(req, action: str) -> bool:
    """`{% if req|can:"close" %}`: what the lifecycle allows now (requests/workflow.py)."""
    return workflow.can(req, action)
