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


@register.simple_tag(takes_context=True)
def queue_rows(context, rows) -> str:
    """The staff queue's table rows, written in Python: the template engine spent most of the
    queue page's time resolving the same dozen variables for each of its 50 rows (see
    docs/benchmarks.md, P1). The markup is the one the rows had as a template; every value is
    escaped. The view prepares each row's link, labels, urgency and texts
    (requests.views.staff.queue)."""
    from django.utils import timezone
    from django.utils.html import escape
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext, pgettext

    viewer = context["user"].pk
    you = escape(pgettext("the assignee of a request", "You"))
    badge = {
        "paused": f'<span class="badge urgency-paused">{escape(gettext("Paused"))}</span>',
        "overdue": f'<span class="badge urgency-overdue">{escape(gettext("Overdue"))}</span>',
        "soon": f'<span class="badge urgency-soon">{escape(gettext("Due soon"))}</span>',
    }
    out = []
    for r in rows:
        if r.customer_id:
            who = escape(r.customer.full_name or "—")
            contact = escape(r.customer.email)
        else:
            who = escape(r.requester_name or "—")
            contact = escape(r.requester_email or r.get_channel_display())
        assignee = you if r.assignee_id == viewer else escape(r.assignee or "—")
        left = escape(r.left_text)
        if r.urgency == "paused":
            time_left = badge["paused"]
        elif r.urgency == "overdue":
            time_left = f"{badge['overdue']} <strong>{left}</strong>"
        elif r.urgency == "soon":
            time_left = f"{badge['soon']} {left}"
        else:
            time_left = left
        reference = escape(r.reference)
        received = timezone.localtime(r.received_at).strftime("%Y-%m-%d")
        out.append(
            f'    <tr class="urgency-{escape(r.urgency or "none")}">\n'
            f'      <td><input type="checkbox" name="pick" value="{escape(r.pick)}" '
            f'id="pick-{r.pk}" aria-label="{reference}"></td>\n'
            f'      <td><a href="{escape(r.staff_url)}">{reference}</a></td>\n'
            f"      <td>{escape(r.kind_label)}</td>\n"
            f'      <td>{who}<br><span class="muted">{contact}</span></td>\n'
            f"      <td>{escape(r.status_label)}</td>\n"
            f"      <td>{assignee}</td>\n"
            f"      <td>{received}</td>\n"
            f'      <td>{time_left}<br><span class="muted">{escape(r.due_local)}</span></td>\n'
            f"    </tr>\n"
        )
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped)
