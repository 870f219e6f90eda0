"""Deletion requests and account erasure (LW-6.1, LW-1)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import User
from portal.services import audit_record
from portal.signals import account_erased
from requests import principals, workflow
from requests.errors import RequestError
from requests.models import (
    OPEN_STATUSES,
    Approval,
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

logger = logging.getLogger(__name__)

ERASED = "[erased]"


def erased_email(user_id: int) -> str:
    from partners.services import records

    return f"erased-{records.customer_reference(user_id)[:16]}@erased.invalid"


def deletion_carry_out(
    *, request_id: int, actor: User, expected_status: str | None = None
) -> DataRequest:
    """Erase what a deletion request names, or the whole account, and close (LW-6.1). The
    closing notice is written first (to the address still on file); then personal fields are
    erased or anonymized as the data inventory classifies them (LW-1). Request records and
    provision records stay, tied to the anonymized account and its pseudonym."""
    from requests.forms import DELETION_ITEM_CHOICES

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
            transaction.on_commit(lambda: _queue_mail_scrub(pending))
    return closed


def _queue_mail_scrub(mail_ids: list[int]) -> None:
    from requests.tasks import erased_mail_scrub_task

    try:
        erased_mail_scrub_task.apply_async((mail_ids,), countdown=60)
    except Exception:  # a dead broker: the mails keep the old address until scrubbed by hand
        logger.warning("broker unavailable; mails %s wait to be scrubbed", mail_ids)


def items_erase(*, customer: User, items: list[str], actor: User) -> None:
    """Erase chosen items of a customer's data (the choices of the deletion form)."""
    from portal.models import AccessLogEntry

    changes: dict[str, Any] = {}
    if "phone" in items:
        changes["phone"] = ""
    if "postal_address" in items:
        changes.update(postal_code="", prefecture="", address="")
    if "birth_year" in items:
        changes["birth_year"] = None
    if changes:
        User.objects.filter(pk=customer.pk).update(**changes)
    if "access_log" in items:
        AccessLogEntry.objects.filter(user=customer).delete()
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

    Kept: the rows of the append-only audit log and consent ledger (LW-5, LW-9: evidence,
    tied to the anonymized account, with the network address and device blanked), and the
    rows of requests and provision records with a pseudonym."""
    from consents.services import consent_devices_erase
    from partners.services import records
    from portal.mfa import second_factor_devices_delete
    from portal.models import AccessLogEntry, OutboundMail
    from portal.services import audit_addresses_erase

    old_email = customer.email
    address = erased_email(customer.pk)
    customer.email = address
    customer.full_name = ""
    customer.phone = ""
    customer.postal_code = ""
    customer.prefecture = ""
    customer.address = ""
    customer.birth_year = None
    customer.last_login = None
    customer.is_active = False
    customer.set_unusable_password()
    customer.save()
    customer.groups.clear()
    customer.user_permissions.clear()
    AccessLogEntry.objects.filter(user=customer).delete()
    second_factor_devices_delete(user=customer)  # app secrets, recovery codes, passkeys
    # The ledgers' narrow writes, through the database's own functions (portal/dbroles.py).
    audit_addresses_erase(customer=customer)
    consent_devices_erase(customer=customer)
    records.provision_records_unlink(customer=customer)
    requests_qs = DataRequest.objects.filter(customer=customer)
    requests_qs.update(
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
    Approval.objects.filter(request__customer=customer).update(reason=ERASED, comment="")
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
    # Mails already sent to the old address: their copies go; pending ones wait until sent.
    OutboundMail.objects.filter(to=old_email).exclude(
        status__in=[OutboundMail.Status.PENDING, OutboundMail.Status.SENDING]
    ).update(to=address, subject="", body="")
    pending = list(
        OutboundMail.objects.filter(
            to=old_email,
            status__in=[OutboundMail.Status.PENDING, OutboundMail.Status.SENDING],
        ).values_list("pk", flat=True)
    )
    # Marked in this transaction, so the stale-work sweep scrubs them even if the scrub task
    # is never queued (a dead broker at commit).
    OutboundMail.objects.filter(pk__in=pending).update(scrub_after_send=True)
    # Signed out everywhere: every session carries a hash of the password, which the unusable
    # password above no longer matches, so Django ends them on their next request.
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
    from portal.models import OutboundMail

    waiting = 0
    for mail in OutboundMail.objects.filter(pk__in=mail_ids):
        if mail.status in (OutboundMail.Status.PENDING, OutboundMail.Status.SENDING):
            waiting += 1
            continue
        if mail.to.endswith("@erased.invalid"):
            if mail.scrub_after_send:
                OutboundMail.objects.filter(pk=mail.pk).update(scrub_after_send=False)
            continue
        OutboundMail.objects.filter(pk=mail.pk).update(
            to="erased@erased.invalid", subject="", body="", scrub_after_send=False
        )
    return waiting
