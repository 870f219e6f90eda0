"""What the requests app tells portal.attention: on the customer's home, a fee to pay
and how, documents or details asked for, an answer ready to download and until when; on the
staff home, the queue's figures (due soon, overdue, unassigned, mine) and the approvals that
wait for this administrator. Registered in RequestsConfig.ready()."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import User
from requests import selectors, workflow
from requests.models import JobSettings

SOON_DAYS = 3


def customer_items(user: User) -> list[dict]:
    """Fees, documents and answers waiting for this customer. Two queries, a third (the job
    settings, for the date a wait lapses) only when something waits on them."""
    if user is None or not user.is_authenticated:
        return []
    items = []
    waiting = list(selectors.requests_waiting_for_customer(customer=user))
    if waiting:
        config = JobSettings.current()
        wait_days = config.nudge_after_days + config.lapse_after_days
    for req in waiting:
        # The request lapses this long after the wait began (requests.jobs, the waiting sweep).
        by = req.paused_since + timedelta(days=wait_days) if req.paused_since else None
        url = reverse("requests:detail", kwargs={"reference": req.reference})
        if workflow.can_record_payment(req):
            template = "customer/requests/attention_fee.html"
        else:
            template = "customer/requests/attention_documents.html"
        items.append(
            {"template": template, "context": {"req": req, "by": by, "url": url}, "by": by}
        )
    for package in selectors.packages_ready_for(customer=user):
        req = package.request
        items.append(
            {
                "template": "customer/requests/attention_package.html",
                "context": {
                    "req": req,
                    "package": package,
                    "url": reverse("requests:detail", kwargs={"reference": req.reference}),
                },
                "by": package.expires_at,
            }
        )
    return items


def staff_counts(user: User) -> list[dict]:
    """The queue's figures for privacy staff (one query) and, for an administrator, what waits
    for their approval (one more)."""
    if user is None or not user.is_authenticated or not user.is_privacy_staff:
        return []
    counts = selectors.staff_home_counts(viewer=user, now=timezone.now(), soon_days=SOON_DAYS)
    queue = reverse("requests:staff_queue")
    found = [
        {
            "key": "overdue",
            "label": _("Overdue"),
            "count": counts["overdue"],
            "url": f"{queue}?overdue=1",
            "tone": "danger" if counts["overdue"] else "",
        },
        {
            "key": "due_soon",
            "label": _("Due within %(days)s days") % {"days": SOON_DAYS},
            "count": counts["due_soon"],
            "url": f"{queue}?due_within={SOON_DAYS}",
            "tone": "warn" if counts["due_soon"] else "",
        },
        {
            "key": "unassigned",
            "label": _("Unassigned"),
            "count": counts["unassigned"],
            "url": f"{queue}?unassigned=1",
        },
        {
            "key": "mine",
            "label": _("Assigned to me"),
            "count": counts["mine"],
            "url": f"{queue}?mine=1",
        },
    ]
    if user.is_privacy_admin:
        found.append(
            {
                "key": "approvals",
                "label": _("Waiting for my approval"),
                "count": selectors.approvals_waiting_for(admin=user),
                "url": reverse("approvals"),
            }
        )
    return found
