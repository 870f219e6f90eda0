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


def message_body(body: str) -> str:
    """The message as posted, without surrounding blanks; empty or too long is refused."""
    body = body.strip()
    if not body:
        raise RequestError(_("Write a message."))
    if len(body) > 5000:
        raise RequestError(_("A message is at most 5,000 characters."))
    return body


def _lock(
    request: DataRequest, client_token: uuid.UUID | None
) -> tuple[DataRequest, RequestMessage | None]:
    """Lock the request, and find the message a first submit of the same form already
    posted: under the request's lock, so of two submits at once the second finds the first."""
    locked = DataRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
    if client_token is None:
        return locked, None
    return locked, RequestMessage.objects.filter(request=locked, client_token=client_token).first()


def message_post(
    *, request: DataRequest, author: User, body: str, client_token: uuid.UUID | None = None
) -> RequestMessage:
    """A message on a request, from the customer or from privacy staff, with a mail notice to
    the other side. A customer's reply while we wait on them starts the clock again (LW-6.2).
    A staff message is a staff action and is audited (LW-5). A second post with the same
    `client_token` (a double submit of one form) returns the first message and does nothing."""
    body = message_body(body)
    if author.pk == request.customer_id:
        return message_from_customer(
            request=request, author=author, body=body, client_token=client_token
        )
    if not author.is_privacy_staff:
        raise RequestError(_("Only privacy staff can write to the customer."))
    with transaction.atomic():
        locked, posted = _lock(request, client_token)
        if posted is not None:
            return posted
        message = RequestMessage.objects.create(
            request=locked, author=author, from_staff=True, body=body, client_token=client_token
        )
        TimelineEntry.objects.create(request=locked, event="message_from_staff", actor=author)
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
    return message


def message_from_customer(
    *,
    request: DataRequest,
    author: User | None,
    body: str,
    client_token: uuid.UUID | None = None,
) -> RequestMessage:
    """A message from the customer, or (`author=None`) from the requester without an account
    whose signed link the caller checked: staff are told; a reply while we wait on them
    starts the clock again (LW-6.2); a double submit of one form posts one message."""
    body = message_body(body)
    with transaction.atomic():
        locked, posted = _lock(request, client_token)
        if posted is not None:
            return posted
        if not locked.is_open:
            raise RequestError(
                _("This request is closed. Please file a new request or an inquiry.")
            )
        message = RequestMessage.objects.create(
            request=locked, author=author, from_staff=False, body=body, client_token=client_token
        )
        TimelineEntry.objects.create(request=locked, event="message_from_customer", actor=author)
        common.notify_staff(locked, template="requests/message_to_staff")
        if workflow.can_respond(locked):
            workflow.request_customer_respond(request_id=locked.pk, actor=author)
    return message
