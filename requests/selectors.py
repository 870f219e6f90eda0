"""Reads of the requests app. Selectors own select_related/prefetch_related so that templates
never run queries of their own."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from portal.models import User
from portal.roles import ADMIN_GROUP, STAFF_GROUP
from requests.models import (
    OPEN_STATUSES,
    DataRequest,
    RequestDocument,
    RequestMessage,
    TimelineEntry,
)


def requests_for_customer(*, customer: User) -> QuerySet[DataRequest]:
    """The customer's own requests, newest first: one query, no joins needed for the list."""
    return (
        DataRequest.objects.filter(customer=customer)
        .only(
            "id",
            "reference",
            "kind",
            "status",
            "outcome",
            "received_at",
            "due_at",
            "paused_since",
            "fee_yen",
            "fee_status",
            "closed_at",
            "customer_id",
        )
        .order_by("-received_at", "-id")
    )


def _detail_queryset() -> QuerySet[DataRequest]:
    return DataRequest.objects.select_related("customer", "assignee").prefetch_related(
        Prefetch(
            "timeline",
            queryset=TimelineEntry.objects.select_related("actor").order_by("created_at", "id"),
        ),
        Prefetch(
            "messages",
            queryset=RequestMessage.objects.select_related("author").order_by("created_at", "id"),
        ),
        Prefetch("documents", queryset=RequestDocument.objects.order_by("uploaded_at", "id")),
        "payments",
    )


def request_for_customer(*, customer: User, reference: str) -> DataRequest:
    """One of the customer's own requests with everything its page shows. Another customer's
    reference raises DataRequest.DoesNotExist (a 404, not a 403)."""
    return _detail_queryset().get(customer=customer, reference=reference)


def request_for_staff(*, pk: int) -> DataRequest:
    return _detail_queryset().get(pk=pk)


def document_for_viewer(*, viewer: User, reference: str, public_id) -> RequestDocument:
    """A document its owner or privacy staff may open; anyone else gets DoesNotExist."""
    qs = RequestDocument.objects.select_related("request").filter(
        request__reference=reference, public_id=public_id
    )
    if not viewer.is_privacy_staff:
        qs = qs.filter(request__customer=viewer)
    return qs.get()


def open_request_of_kind(
    *, customer: User, kind: str, principal_name: str = ""
) -> DataRequest | None:
    """The customer's open request of a kind, for the person it is about: themselves, or (when
    filing as an agent) the person named."""
    qs = DataRequest.objects.filter(customer=customer, kind=kind, status__in=OPEN_STATUSES)
    if principal_name:
        qs = qs.filter(on_behalf=True, principal_name__iexact=principal_name)
    else:
        qs = qs.filter(on_behalf=False)
    return qs.order_by("received_at").first()


def privacy_staff() -> QuerySet[User]:
    """Everyone who works the back-office, for notices while a request has no assignee."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__name__in=[STAFF_GROUP, ADMIN_GROUP]))
        .distinct()
        .order_by("id")
    )
