"""Deletion requests and account erasure (LW-6.1, LW-1)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.services import records
from portal import approvals, tasking
from portal.erasure import account_erase as base_account_erase
from portal.erasure import profile_items_erase
from portal.models import User
from portal.services import audit_record
from portal.signals import account_erased
from requests import principals, workflow
from requests.choices import DELETION_ITEM_CHOICES
from requests.errors import RequestError
from requests.models import (
    OPEN_STATUSES,
    DataRequest,
    DecisionItem,
    DisclosurePackage,
    FeePayment,
    Kind,
    Outcome,
    PackageStatus,
    RequestDocument,
    RequestMessage,
    Status,
    TimelineEntry,
)
from requests.services import common, documents, packages

ERASED = "[erased]"


def erased_email(user_id: int) -> str:
    return f"erased-{records.customer_reference(user_id)[:16]}@erased.invalid"


def deletion_carry_out(
    *, request_id: int, actor: User, expected_status: str | None = None
) -> DataRequest:
    """Erase what a deletion request names, or the whole account, and close (LW-6.1). The
    closing notice is written first (to the address still on file); then personal fields are
    erased or anonymized as the data inventory classifies them (LW-1). Request records and
    provision records stay, tied to the anonymized account and its pseudonym."""
    with transaction.atomic():
        req = common.lock(request_id)
        if req.kind != Kind.DELETION:
            raise RequestError(_("Only a deletion request erases data."))
        subject = principals.subject_of(req)
        details = req.details or {}
        whole = details.get("scope") == "account"
        items = list(details.get("data_items") or [])
        if whole:
            others = list(
                DataRequest.objects.filter(
                    Q(customer_id=subject.pk) | Q(principal_id=subject.pk),
                    status__in=OPEN_STATUSES,
                )
                .exclude(pk=req.pk)
                .values_list("reference", flat=True)
            )
            if others:
                # Their answers would go to an address that no longer exists.
                raise RequestError(
                    _(
                        "Close this customer's other open requests first (%(references)s); "
                        "nothing was deleted."
                    )
                    % {"references": ", ".join(others)}
                )
        labels = dict(DELETION_ITEM_CHOICES)

        def reason() -> str:
            if whole:
                return _(
                    "We deleted your account and the personal data it held. You can no longer "
                    "sign in. Records we must keep by law (your requests and records of provision "
                    "to third parties) keep only a pseudonym."
                )
            return _("We deleted:") + "\n" + "\n".join(f"- {labels.get(i, i)}" for i in items)

        closed = workflow.request_close(
            request_id=req.pk,
            actor=actor,
            outcome=Outcome.FULFILLED,
            reason=common.in_language(req, reason),
            expected_status=expected_status,
        )
        customer = User.objects.select_for_update().get(pk=subject.pk)
        if whole:
            pending = account_erase(customer=customer, actor=actor)
        else:
            items_erase(customer=customer, items=items, actor=actor)
            pending = []
        if pending:
            # A dead broker: the mails keep the old address until scrubbed by hand.
            tasking.enqueue_on_commit(
                "requests.tasks.erased_mail_scrub_task",
                pending,
                countdown=60,
                what=f"scrubbing mails {pending}",
            )
    return closed


def items_erase(*, customer: User, items: list[str], actor: User) -> None:
    """Erase chosen items of a customer's data (the choices of the deletion form): the
    profile fields and access log through the base, the messages here."""

    changes: dict[str, Any] = {}
    if "phone" in items:
        changes["phone"] = ""
    if "postal_address" in items:
        changes.update(postal_code="", prefecture="", address="")
    if "birth_year" in items:
        changes["birth_year"] = None
    profile_items_erase(customer=customer, fields=changes, access_log="access_log" in items)
    if "messages" in items:
        RequestMessage.objects.filter(
            request__customer=customer, request__status=Status.CLOSED
        ).update(body=ERASED)
    audit_record(
        actor=actor,
        action="requests.data.erased",
        target=customer,
        payload={"items": sorted(items)},
    )


def account_erase(*, customer: User, actor: User) -> list[int]:
    """Erase or anonymize every personal field held about the customer (LW-1, LW-6.1) and
    close the account for good. Returns the ids of mails still waiting to be sent to the old
    address (the closing notice), which are scrubbed once sent.

    The base closes the account under its pseudonym and runs every app's eraser
    (portal/erasure.py); this app's own is `requests_rows_erase`. Kept: the rows of the
    append-only audit log and consent ledger (LW-5, LW-9: evidence, tied to the anonymized
    account, with the network address and device blanked), and the rows of requests and
    provision records with a pseudonym."""

    address = erased_email(customer.pk)
    pending = base_account_erase(customer=customer, address=address)
    audit_record(
        actor=actor,
        action="requests.account.erased",
        target=customer,
        payload={"pseudonym": address},
    )
    account_erased.send(sender=type(customer), customer=customer)
    return pending


def erased_mail_scrub(*, mail_ids: list[int]) -> int:
    """Scrub the address and text of mails to an erased account once they were sent (or
    failed for good). Returns how many are still waiting to be sent."""
    from portal.erasure import erased_mail_scrub as base_mail_scrub

    return base_mail_scrub(mail_ids=mail_ids)


def requests_rows_erase(*, customer: User) -> None:
    """This app's eraser (registered with portal.erasure from the app's ready()): an erased
    customer's requests stay as records (the request itself is a legal record), with the
    personal text blanked and the identity documents and disclosure packages deleted."""
    DataRequest.objects.filter(customer=customer).update(
        principal_name="",
        principal_relationship="",
        details={},
        outcome_reason="",
        extension_reason="",
        erased_at=timezone.now(),
    )
    # Requests an agent filed for them keep the agent's record, without the person's name.
    DataRequest.objects.filter(principal=customer).update(
        principal_name="", principal_relationship=""
    )
    TimelineEntry.objects.filter(request__customer=customer).update(note="")
    RequestMessage.objects.filter(request__customer=customer).update(body=ERASED)
    FeePayment.objects.filter(request__customer=customer).update(note="")
    approvals.scrub(subjects=DataRequest.objects.filter(customer=customer), text=ERASED)
    DecisionItem.objects.filter(request__customer=customer).update(reason="")
    storage = documents.private_storage()
    for doc in RequestDocument.objects.filter(request__customer=customer):
        if doc.stored_name and storage.exists(doc.stored_name):
            name = doc.stored_name
            transaction.on_commit(lambda n=name: storage.delete(n))
        RequestDocument.objects.filter(pk=doc.pk).update(
            stored_name=f"erased-{doc.public_id}",
            display_name="",
            sha256="",
            deleted_at=timezone.now(),
        )
    pkg_storage = packages.package_storage()
    for package in DisclosurePackage.objects.filter(request__customer=customer):
        for name in (package.json_name, package.html_name):
            if name:
                transaction.on_commit(
                    lambda n=name: pkg_storage.exists(n) and pkg_storage.delete(n)
                )
    DisclosurePackage.objects.filter(request__customer=customer).update(
        status=PackageStatus.EXPIRED, json_name="", html_name=""
    )
