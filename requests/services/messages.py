"""Messages between the customer and staff on a request."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from portal.models import User
from portal.services import audit_record, mail_queue
from requests import links, principals, workflow
from requests.errors import RequestError
from requests.models import DataRequest, RequestMessage, TimelineEntry
from requests.services import common


def message_post(
    *, request: DataRequest, author: User, body: str, client_token: uuid.UUID | None = None
) -> RequestMessage:
    """A message on a request, from the customer or from privacy staff, with a mail notice to
    the other side. A customer's reply while we wait on them starts the clock again (LW-6.2).
    A staff message is a staff action and is audited (LW-5). A second post with the same
    `client_token` (a double submit of one form) returns the first message and does nothing."""
    body = body.strip()
    if not body:
        raise RequestError(_("Write a message."))
    if len(body) > 5000:
        raise RequestError(_("A message is at most 5,000 characters."))
    from_staff = author.pk != request.customer_id
    if from_staff and not author.is_privacy_staff:
        raise RequestError(_("Only privacy staff can write to the customer."))
    with transaction.atomic():
        locked = DataRequest.objects.select_for_update().get(pk=request.pk)
        if client_token is not None:
            # Under the request's lock, so of two submits at once the second finds the first.
            posted = RequestMessage.objects.filter(
                request=locked, client_token=client_token
            ).first()
            if posted is not None:
                return posted
        if not from_staff and not locked.is_open:
            raise RequestError(
                _("This request is closed. Please file a new request or an inquiry.")
            )
        message = RequestMessage.objects.create(
            request=locked,
            author=author,
            from_staff=from_staff,
            body=body,
            client_token=client_token,
        )
        TimelineEntry.objects.create(
            request=locked,
            event="message_from_staff" if from_staff else "message_from_customer",
            actor=author,
        )
        if from_staff:
            audit_record(
                actor=author,
                action="requests.message.sent",
                target=locked,
                payload={"reference": locked.reference, "message": message.pk},
            )
            filer = principals.filer_addressee(locked)
            if not filer.by_post:
                mail_queue(
                    to=filer.email,
                    language=filer.language,
                    template="requests/message_to_customer",
                    context={
                        "request": locked,
                        "recipient": filer,
                        "url": links.path_for(locked, account=filer.user is not None),
                    },
                )
        else:
            common.notify_staff(locked, template="requests/message_to_staff")
            if workflow.can_respond(locked):
                workflow.request_customer_respond(request_id=locked.pk, actor=author)
    return message
