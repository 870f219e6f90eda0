"""The requests app's eraser (LW-6.1, LW-1): an erased customer's requests keep their records
(the request itself is a legal record) with the personal text blanked, the identity documents
and disclosure packages deleted. Registered with `portal.erasure` from the app's
`AppConfig.ready()`; it writes only this app's tables."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from portal.models import User
from requests.models import (
    Approval,
    DataRequest,
    DecisionItem,
    DisclosurePackage,
    FeePayment,
    PackageStatus,
    RequestDocument,
    RequestMessage,
    TimelineEntry,
)

ERASED = "[erased]"


def requests_erase(*, customer: User) -> None:
    from requests.services import package_storage, private_storage

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
    Approval.objects.filter(request__customer=customer).update(reason=ERASED, comment="")
    DecisionItem.objects.filter(request__customer=customer).update(reason="")
    storage = private_storage()
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
    pkg_storage = package_storage()
    for package in DisclosurePackage.objects.filter(request__customer=customer):
        for name in (package.json_name, package.html_name):
            if name:
                transaction.on_commit(
                    lambda n=name: pkg_storage.exists(n) and pkg_storage.delete(n)
                )
    DisclosurePackage.objects.filter(request__customer=customer).update(
        status=PackageStatus.EXPIRED, json_name="", html_name=""
    )
