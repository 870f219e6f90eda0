"""The back-office: claiming and assigning requests, linking the principal, and
the audit of staff views (LW-5).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import User
from portal.services import audit_record
from requests import principals
from requests.errors import RequestError
from requests.models import DataRequest, TimelineEntry
from requests.services import common


def request_staff_view_record(*, request: DataRequest, viewer: User) -> None:
    """A staff view of a customer's request is itself audited (LW-5)."""
    audit_record(
        actor=viewer,
        action="requests.request.viewed",
        target=request,
        payload={"reference": request.reference},
    )


def request_assign(
    *,
    request_id: int,
    actor: User,
    assignee: User | None,
    expected_assignee_id: int | None,
) -> DataRequest:
    """Claim, assign or reassign an open request (LW-5). `expected_assignee_id` is who the
    actor saw as the assignee: if someone changed it meanwhile, nothing is done and the actor
    is told, so that of two people claiming at once one wins and the other knows."""
    if not actor.is_privacy_staff:
        raise RequestError(_("Only privacy staff can do this."))
    if assignee is not None and not assignee.is_privacy_staff:
        raise RequestError(_("Requests can be assigned to privacy staff only."))
    with transaction.atomic():
        req = common.lock(request_id)
        if not req.is_open:
            raise RequestError(_("Request %(reference)s is closed.") % {"reference": req.reference})
        if req.assignee_id != expected_assignee_id:
            raise RequestError(
                _(
                    "Request %(reference)s was assigned to someone else meanwhile; nothing "
                    "was changed. Please look at it again."
                )
                % {"reference": req.reference}
            )
        old = req.assignee_id
        req.assignee = assignee
        req.save(update_fields=["assignee", "updated_at"])
        # No staff name in the note: the timeline is part of the customer's disclosure package.
        TimelineEntry.objects.create(request=req, event="assign", actor=actor)
        audit_record(
            actor=actor,
            action="requests.request.assigned",
            target=req,
            payload={
                "reference": req.reference,
                "from": old,
                "to": assignee.pk if assignee else None,
            },
        )
    return req


@dataclass(frozen=True)
class AssignOutcome:
    assigned: list[str]  # references now assigned as asked
    refused: list[str]  # the reason for each one left alone (changed meanwhile, closed)


def request_assign_many(
    *,
    actor: User,
    assignee: User | None,
    picks: list[tuple[int, int | None]],
) -> AssignOutcome:
    """Assign several requests to one person from the queue (LW-5). Each pick is
    (request id, the assignee the page showed) and goes through `request_assign` on its own,
    with its own row lock and the same "changed meanwhile" check: a row someone else changed
    is left alone and reported, the others are assigned. Separate transactions, so that two
    people assigning overlapping selections never wait on each other's whole selection."""
    assigned: list[str] = []
    refused: list[str] = []
    for request_id, expected in picks:
        try:
            req = request_assign(
                request_id=request_id,
                actor=actor,
                assignee=assignee,
                expected_assignee_id=expected,
            )
        except DataRequest.DoesNotExist:
            continue  # a request that no longer exists was not on anyone's page
        except RequestError as exc:
            refused.append(str(exc))
        else:
            assigned.append(req.reference)
    return AssignOutcome(assigned=assigned, refused=refused)


def principal_link(
    *,
    request_id: int,
    actor: User,
    principal_email: str = "",
    no_account: bool = False,
    expected_status: str | None = None,
) -> DataRequest:
    """Staff checked the agent's power of attorney (or a legal representative's proof of the
    relationship) and link the request to the account of the person represented, or record
    that the person has no account (LW-6.1, APPI Art. 37). From then on every fulfilment
    step acts on that person; until then none can. Not a state change: the clock runs on."""
    if not actor.is_privacy_staff:
        raise RequestError(_("Only privacy staff can do this."))
    principal_email = principal_email.strip()
    if no_account == bool(principal_email):
        raise RequestError(
            _("Give the email address of the person's account, or record that they have none.")
        )
    with transaction.atomic():
        req = common.lock(request_id)
        if expected_status is not None and req.status != expected_status:
            raise RequestError(
                _("Request %(reference)s changed meanwhile; nothing was done.")
                % {"reference": req.reference}
            )
        if not req.on_behalf:
            raise RequestError(_("This request was not filed by an agent."))
        if not req.is_open:
            raise RequestError(_("Request %(reference)s is closed.") % {"reference": req.reference})
        if not req.documents.filter(
            purpose=principals.authority_document(req), deleted_at__isnull=True
        ).exists():
            raise RequestError(
                _("No %(document)s is attached to this request: ask the agent for it first.")
                % {"document": principals.authority_document_label(req)}
            )
        principal = None
        if not no_account:
            principal = User.objects.filter(email__iexact=principal_email, is_active=True).first()
            if principal is None:
                raise RequestError(
                    _(
                        "No active account has the address %(email)s. Check the address, or "
                        "record that the person has no account."
                    )
                    % {"email": principal_email}
                )
            if principal.pk == req.customer_id:
                raise RequestError(
                    _("That is the agent's own account: an agent cannot act for themselves.")
                )
        req.principal = principal
        req.principal_no_account = no_account
        req.authority_confirmed_at = timezone.now()
        req.save(
            update_fields=[
                "principal",
                "principal_no_account",
                "authority_confirmed_at",
                "updated_at",
            ]
        )
        # No name in the note: the timeline is part of the agent's disclosure package.
        TimelineEntry.objects.create(request=req, event="principal_link", actor=actor)
        audit_record(
            actor=actor,
            action="requests.principal.linked",
            target=req,
            payload={
                "reference": req.reference,
                "principal": principal.pk if principal else None,
                "no_account": no_account,
                "document": principals.authority_document(req),
            },
        )
    return req


def queue_view_record(*, viewer: User, request_ids: list[int], page: int) -> None:
    """The queue shows customers' names and addresses: a staff view of personal data (LW-5)."""
    audit_record(
        actor=viewer,
        action="requests.queue.viewed",
        payload={"page": page, "requests": request_ids},
    )


def queue_download_record(*, viewer: User, request_ids: list[int], filters: dict) -> None:
    """A download of the queue as CSV carries the same personal data as the page, for every
    row that matched (LW-5): audited like a view, with the filters that chose the rows."""
    audit_record(
        actor=viewer,
        action="requests.queue.downloaded",
        payload={"filters": filters, "requests": request_ids},
    )
