"""Reads of the requests app. Selectors own select_related/prefetch_related so that templates
never run queries of their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Func, JSONField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import JSONArray, TruncWeek
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


def queue_open() -> QuerySet[DataRequest]:
    """Every open request (LW-6.2); the queue's filters (requests.filters) narrow it."""
    return DataRequest.objects.filter(status__in=OPEN_STATUSES)


QUEUE_COLUMNS = (
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


class JSONList(Func):
    """The rows of a subquery as one JSON array (PostgreSQL jsonb_agg, SQLite
    json_group_array). A plain function rather than an Aggregate on purpose: the subquery is
    one group and Django must not add a GROUP BY."""

    function = "JSONB_AGG"
    output_field = JSONField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra_context)


@dataclass
class QueuePage:
    page: Page
    rows: list[DataRequest]
    staff: list[User]


def _staff_from_json(items) -> list[User]:
    staff = [User(id=i, email=e, full_name=n or "") for i, e, n in items or []]
    return sorted(staff, key=lambda u: (str(u).casefold(), u.pk))


def queue_page_ids(
    queryset: QuerySet[DataRequest], *, order: tuple[str, ...], offset: int, per_page: int
) -> QuerySet[DataRequest]:
    """The ids of one page, on the requests table alone (the filters may join the customer)."""
    return queryset.order_by(*order).values("pk")[offset : offset + per_page]


def queue_page(
    *, queryset: QuerySet[DataRequest], order: tuple[str, ...], number, per_page: int
) -> QueuePage:
    """One page of the queue, its total and the privacy staff (for the assignee menus), in
    one statement: the total and the staff list ride along as uncorrelated scalar
    subqueries, which PostgreSQL evaluates once. The page's ids are chosen first, on the
    requests table alone (a deferred join), in an order that a partial index on open
    requests matches, so a deep page reads that index up to its offset and joins the
    customer and assignee of its 50 rows only; nothing sorts the table. Only an empty page
    falls back to separate queries for what it still needs."""
    from portal.selectors import privacy_staff

    paginator = Paginator(queryset, per_page)
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    filtered = queryset.order_by()
    total = Subquery(filtered.annotate(n=Func(F("pk"), function="COUNT")).values("n"))
    staff = Subquery(
        privacy_staff()
        .order_by()
        .annotate(j=JSONList(JSONArray("id", "email", "full_name")))
        .values("j")
    )
    ids = queue_page_ids(filtered, order=order, offset=(number - 1) * per_page, per_page=per_page)
    rows = list(
        DataRequest.objects.filter(pk__in=Subquery(ids))
        .select_related("customer", "assignee")
        .only(*QUEUE_COLUMNS)
        .annotate(queue_total=total, queue_staff=staff)
        .order_by(*order)
    )
    if rows:
        paginator.__dict__["count"] = rows[0].queue_total  # Paginator.count is cached
        page = paginator._get_page(rows, number, paginator)
        return QueuePage(page=page, rows=rows, staff=_staff_from_json(rows[0].queue_staff))
    if number > 1:
        count = filtered.count()
        if count:  # asked past the end: show the last page
            last = (count + per_page - 1) // per_page
            return queue_page(queryset=queryset, order=order, number=last, per_page=per_page)
    paginator.__dict__["count"] = 0  # nothing matches: an empty first page
    staff_rows = privacy_staff().values_list("id", "email", "full_name")
    return QueuePage(page=paginator.page(1), rows=[], staff=_staff_from_json(staff_rows))


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


def request_with_package_for(*, person: User, reference: str) -> DataRequest:
    """A request whose package this person receives (their own, or one an agent filed for
    them), with the package, for its progress while it builds. Others: DoesNotExist."""
    return DataRequest.objects.select_related("package").get(
        Q(on_behalf=False, customer=person) | Q(on_behalf=True, principal=person),
        reference=reference,
    )


def request_with_package_for_staff(*, pk: int) -> DataRequest:
    """A request with its package and the people its paper copy is mailed to."""
    return DataRequest.objects.select_related("package", "customer", "principal").get(pk=pk)


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


# --- what needs someone now (portal.attention) ----------------------------------------


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
