"""What the request services share: the row lock every write of a request takes, the staff
notification, and running in the language of the person a notice is for.
"""

from __future__ import annotations

from django.urls import reverse

from portal import selectors as portal_selectors
from portal.services import mail_queue
from requests.models import DataRequest


def lock(request_id: int) -> DataRequest:
    return DataRequest.objects.select_for_update().select_related("customer").get(pk=request_id)


def notify_staff(req: DataRequest, *, template: str) -> None:
    """Tell the assignee, or every privacy staff member while nobody is assigned."""
    recipients = [req.assignee] if req.assignee_id else list(portal_selectors.privacy_staff())
    url = reverse("requests:staff_detail", kwargs={"pk": req.pk})
    for person in recipients:
        if person is None or not person.is_active:
            continue
        mail_queue(
            to=person.email,
            language=person.preferred_language,
            template=template,
            context={"request": req, "url": url},
        )


def in_language(req: DataRequest, func):
    from django.utils import translation

    person = req.principal if req.on_behalf and req.principal_id else req.customer
    with translation.override(person.preferred_language):
        return func()
