"""Reads of the requests app. Selectors own select_related/prefetch_related so that templates
never run queries of their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Func, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import TruncWeek
from django.utils import timezone

from consents.selectors import consent_history
from partners.selectors import provision_records_for
from portal.inventory import models_about_people
from portal.models import Approval, ApprovalStatus, User
from requests.models import (
    OPEN_STATUSES,
    ApprovalKind,
    DataRequest,
    DeliveryMethod,
    DisclosurePackage,
    FeeStatus,
    Kind,
    PackageStatus,
    RequestDocument,
    RequestMessage,
    Status,
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
            "on_behalf",
            "principal_id",
            "identity_confirmed_at",
        )
        .order_by("-received_at", "-id")
    )


def requests_for_principal(*, principal: User) -> QuerySet[DataRequest]:
    """Requests an agent filed for this person and staff linked to their account: they
    receive the answer, so they can read it (LW-6.1). One query, the agent's name joined.
    Inquiries are left out: they are answered to whoever asked."""
    return (
        DataRequest.objects.filter(on_behalf=True, principal=principal)
        .exclude(kind=Kind.INQUIRY)
        .select_related("customer")
        .only(
            "id",
            "reference",
            "kind",
            "status",
            "outcome",
            "received_at",
            "closed_at",
            "representation",
            "customer__id",
            "customer__full_name",
            "customer__email",
        )
        .order_by("-received_at", "-id")
    )


def request_for_principal(*, principal: User, reference: str) -> DataRequest:
    """A request filed for this person by an agent, for the person's read-only page."""
    return (
        _detail_queryset()
        .exclude(kind=Kind.INQUIRY)
        .get(on_behalf=True, principal=principal, reference=reference)
    )


def _detail_queryset() -> QuerySet[DataRequest]:
    return DataRequest.objects.select_related(
        "customer", "assignee", "package", "principal"
    ).prefetch_related(
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
        "decision_items",
        Prefetch("approvals", queryset=Approval.objects.select_related("asked_by", "decided_by")),
    )


def request_for_customer(*, customer: User, reference: str) -> DataRequest:
    """One of the customer's own requests with everything its page shows. Another customer's
    reference raises DataRequest.DoesNotExist (a 404, not a 403)."""
    return _detail_queryset().get(customer=customer, reference=reference)


def requests_without_account() -> QuerySet[DataRequest]:
    """Requests filed without an account, with everything their page shows; the signed
    link (requests.links) picks one."""
    return _detail_queryset().filter(customer__isnull=True)


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


# --- the staff queue ----------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    """What the queue page was asked to show; every field optional."""

    kind: str = ""
    status: str = ""
    assignee: int | None = None
    mine: bool = False
    unassigned: bool = False
    due_within_days: int | None = None
    overdue: bool = False
    search: str = ""


def queue(
    *, filters: QueueFilters, viewer: User, now: datetime | None = None
) -> QuerySet[DataRequest]:
    """Open requests, soonest due first (LW-6.2). One query per page: the customer and the
    assignee come joined, and only the columns the rows show are read."""
    now = now or timezone.now()
    qs = DataRequest.objects.filter(status__in=OPEN_STATUSES)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.mine:
        qs = qs.filter(assignee=viewer)
    elif filters.unassigned:
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee:
        qs = qs.filter(assignee_id=filters.assignee)
    if filters.overdue:
        # A paused request is never overdue: its due date moves while it waits.
        qs = qs.filter(due_at__lt=now, paused_since__isnull=True)
    elif filters.due_within_days is not None:
        qs = qs.filter(due_at__lt=now + timedelta(days=filters.due_within_days))
    term = filters.search.strip()
    if term:
        qs = qs.filter(
            Q(reference__iexact=term)
            | Q(reference__icontains=term)
            | Q(customer__email__icontains=term)
            | Q(customer__full_name__icontains=term)
            # A requester without an account (filed by staff or online), by what they gave.
            | Q(requester_email__icontains=term)
            | Q(requester_name__icontains=term)
        )
    return (
        qs.select_related("customer", "assignee")
        .only(
            "id",
            "reference",
            "kind",
            "status",
            "due_at",
            "paused_since",
            "received_at",
            "customer__id",
            "customer__email",
            "customer__full_name",
            "channel",
            "requester_name",
            "requester_email",
            "assignee__id",
            "assignee__email",
            "assignee__full_name",
        )
        .order_by("due_at", "id")
    )


def queue_page(*, queryset: QuerySet[DataRequest], number, per_page: int) -> Page:
    """One page of the queue with the total, in one query: the count rides along as an
    uncorrelated scalar subquery, which PostgreSQL evaluates once. The order
    (due_at, id) walks the partial index on open requests, so a deep page reads the index up
    to its offset and never sorts the table. Only an empty or out-of-range page falls back
    to the paginator's separate count."""
    paginator = Paginator(queryset, per_page)
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    total = Subquery(queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"))
    offset = (number - 1) * per_page
    rows = list(queryset.annotate(queue_total=total)[offset : offset + per_page])
    if rows:
        paginator.__dict__["count"] = rows[0].queue_total  # Paginator.count is cached
        return paginator._get_page(rows, number, paginator)
    return paginator.get_page(number)


def overview(*, now: datetime | None = None, weeks: int = 12) -> dict:
    """Counts of open requests per state and kind, requests received per week, and the share
    of closed requests that closed on time, per week (LW-6.2). Three aggregate queries."""
    now = now or timezone.now()
    counts: dict[tuple[str, str], int] = {}
    for row in (
        DataRequest.objects.filter(status__in=OPEN_STATUSES)
        .values("status", "kind")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[(row["status"], row["kind"])] = row["n"]
    local = timezone.localtime(now)
    this_monday = (local - timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    start = this_monday - timedelta(weeks=weeks - 1)
    received = {
        timezone.localtime(r["week"]).date(): r["n"]
        for r in DataRequest.objects.filter(received_at__gte=start)
        .annotate(week=TruncWeek("received_at"))
        .values("week")
        .annotate(n=Count("id"))
        .order_by()
    }
    on_time: dict = {}
    for r in (
        DataRequest.objects.filter(status="closed", closed_at__gte=start)
        .annotate(week=TruncWeek("closed_at"))
        .values("week")
        .annotate(
            n=Count("id"),
            in_time=Count("id", filter=Q(closed_at__lte=F("due_at"))),
        )
        .order_by()
    ):
        on_time[timezone.localtime(r["week"]).date()] = (r["in_time"], r["n"])
    week_starts = [(start + timedelta(weeks=i)).date() for i in range(weeks)]
    return {
        "counts": counts,
        "received": [(w, received.get(w, 0)) for w in week_starts],
        "on_time": [(w, *on_time.get(w, (0, 0))) for w in week_starts],
    }


def approval_for_admin(*, pk: int) -> Approval:
    """An approval about a request, with the request (`subject`) and what its page shows.
    Raises Approval.DoesNotExist for an unknown pk or an approval of another app."""
    approval = Approval.objects.select_related("asked_by", "decided_by").get(
        pk=pk, kind__in=ApprovalKind.values
    )
    approval.subject = (
        DataRequest.objects.select_related("customer")
        .prefetch_related("decision_items")
        .get(pk=approval.subject_id)
    )
    return approval


def package_for_customer(*, customer: User, reference: str) -> DisclosurePackage:
    """The package of a request about this person: their own request, or one an agent filed
    for them. The agent who filed it never gets the package (it is the answer)."""
    return DisclosurePackage.objects.select_related("request__customer", "request__principal").get(
        Q(request__on_behalf=False, request__customer=customer)
        | Q(request__on_behalf=True, request__principal=customer),
        request__reference=reference,
    )


# --- the disclosure package (LW-1, LW-6.1) ------------------------------------------------------


def package_parts(*, customer: User, categories: list[str]) -> list[tuple[str, str, QuerySet]]:
    """(category, model label, rows) for every model of the data inventory that is about a
    person and in one of `categories`. The consent ledger is read through consents'
    selectors and the provision records through partners' selectors; other models by the
    inventory's path to the person."""
    parts = []
    for model, entry in models_about_people():
        if entry.category not in categories:
            continue
        label = model._meta.label
        if label == "consents.ConsentEvent":
            rows = consent_history(customer=customer)
        elif label == "partners.ProvisionRecord":
            rows = provision_records_for(customer=customer)
        else:
            path = entry.subject or "pk"
            rows = model._default_manager.filter(**{path: customer.pk}).order_by("pk")
        parts.append((entry.category, label, rows))
    return parts


# --- what needs someone now (issue 16, portal.attention) ----------------------------------------


def requests_waiting_for_customer(*, customer: User) -> QuerySet[DataRequest]:
    """The customer's open requests that wait on them: a fee to pay, or documents or details
    staff asked for, with what was asked last (the note of the latest "customer_ask"). One
    query."""
    asked = (
        TimelineEntry.objects.filter(request=OuterRef("pk"), event="customer_ask")
        .order_by("-created_at", "-id")
        .values("note")[:1]
    )
    return (
        DataRequest.objects.filter(customer=customer)
        .filter(
            Q(status=Status.AWAITING_PAYMENT, fee_status=FeeStatus.QUOTED)
            | Q(status=Status.AWAITING_CUSTOMER)
        )
        .annotate(asked_note=Subquery(asked))
        .only("id", "reference", "kind", "status", "fee_yen", "fee_status", "paused_since")
        .order_by("paused_since", "id")
    )


def packages_ready_for(*, customer: User, now: datetime | None = None) -> QuerySet:
    """Answers this person can download now: ready electronic packages of their own requests
    or of requests an agent filed for them (as `package_for_customer` allows), soonest to
    expire first. One query."""
    now = now or timezone.now()
    return (
        DisclosurePackage.objects.filter(
            Q(request__on_behalf=False, request__customer=customer)
            | Q(request__on_behalf=True, request__principal=customer),
            status=PackageStatus.READY,
            expires_at__gt=now,
            request__delivery_method=DeliveryMethod.ELECTRONIC,
        )
        .select_related("request")
        .only("id", "status", "expires_at", "request__id", "request__reference", "request__kind")
        .order_by("expires_at", "id")
    )


def staff_home_counts(*, viewer: User, now: datetime | None = None, soon_days: int = 3) -> dict:
    """The staff home's figures over open requests, each the number of rows the queue shows
    for the same filter (selectors.queue): due within `soon_days` (overdue ones included, as
    the queue's filter does), overdue (a paused request never is), unassigned, assigned to
    the viewer. One aggregate query."""
    now = now or timezone.now()
    return DataRequest.objects.filter(status__in=OPEN_STATUSES).aggregate(
        due_soon=Count("id", filter=Q(due_at__lt=now + timedelta(days=soon_days))),
        overdue=Count("id", filter=Q(due_at__lt=now, paused_since__isnull=True)),
        unassigned=Count("id", filter=Q(assignee__isnull=True)),
        mine=Count("id", filter=Q(assignee=viewer)),
    )


def approvals_waiting_for(*, admin: User) -> int:
    """Pending approvals this administrator may decide: everyone's but their own (who asked
    cannot approve, LW-5). One query."""
    return Approval.objects.filter(status=ApprovalStatus.PENDING).exclude(asked_by=admin).count()
