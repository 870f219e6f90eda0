"""Reads of the incidents app: the staff list, one incident with everything its page shows,
finding the people affected from the portal's data, and what a customer was told."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, When
from django.utils import timezone

from incidents.models import (
    AffectedPerson,
    Assessment,
    Incident,
    IncidentEvent,
    IncidentStatus,
    Report,
)
from partners.models import ProvisionRecord
from portal import selectors as portal_selectors
from portal.models import User

if TYPE_CHECKING:
    from incidents.services import ScopeRule

ERASED_SUFFIX = "@erased.invalid"


def _reachable() -> Q:
    """People a notice can reach: an active account with a real address."""
    return (
        Q(customer__isnull=False)
        & Q(customer__is_active=True)
        & ~Q(customer__email__endswith=ERASED_SUFFIX)
    )


# --- the staff list ------------------------------------------------------------------------


@dataclass(frozen=True)
class ListFilters:
    status: str = IncidentStatus.OPEN  # "open", "closed" or "" for all
    overdue: bool = False
    search: str = ""


def incident_list(*, filters: ListFilters, now: datetime.datetime) -> QuerySet[Incident]:
    """Incidents by the nearest report deadline not yet met (APPI Rule 8), like the request
    queue; `next_due_at` is that deadline (none once the final report was submitted). Reports
    come prefetched: 2 queries for a page, however many rows."""

    def submitted(kind: str) -> Exists:
        return Exists(Report.objects.filter(incident=OuterRef("pk"), kind=kind, status="submitted"))

    qs = Incident.objects.annotate(
        preliminary_done=submitted("preliminary"), final_done=submitted("final")
    ).annotate(
        next_due_at=Case(
            When(preliminary_done=False, then=F("preliminary_due_at")),
            When(final_done=False, then=F("final_due_at")),
            default=None,
        )
    )
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.search:
        term = filters.search.strip()
        by_ref = term.upper().removeprefix("INC-").lstrip("0")
        q = Q(title__icontains=term) | Q(summary__icontains=term)
        if by_ref.isdigit():
            q |= Q(pk=int(by_ref))
        qs = qs.filter(q)
    if filters.overdue:
        qs = qs.filter(next_due_at__lte=now)
    return qs.prefetch_related(
        Prefetch(
            "reports",
            queryset=Report.objects.only("id", "incident_id", "kind", "status", "submitted_on"),
        )
    ).order_by(F("next_due_at").asc(nulls_last=True), "-aware_at", "id")


def incident_for_staff(*, pk: int) -> Incident:
    return (
        Incident.objects.select_related("recorded_by")
        .prefetch_related(
            "partners",
            Prefetch(
                "reports", queryset=Report.objects.select_related("drafted_by", "approved_by")
            ),
            Prefetch(
                "assessments",
                queryset=Assessment.objects.select_related("assessed_by", "confirmed_by"),
            ),
            Prefetch("events", queryset=IncidentEvent.objects.select_related("actor")),
        )
        .get(pk=pk)
    )


def report_for_staff(*, incident_id: int, kind: str) -> Report | None:
    return (
        Report.objects.select_related("incident", "drafted_by", "approved_by")
        .filter(incident_id=incident_id, kind=kind)
        .first()
    )


def latest_assessment(incident: Incident) -> Assessment | None:
    """From the prefetched rows when there are, otherwise one query."""
    rows = list(incident.assessments.all())
    return max(rows, key=lambda a: (a.assessed_at, a.pk)) if rows else None


# --- who is affected ------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    reference: str
    customer_id: int | None
    data_items: list[str]


@dataclass
class ScopeResult:
    new: list[Found] = field(default_factory=list)
    matched: int = 0  # everyone the rule finds, including people already on the incident
    unknown: list[str] = field(default_factory=list)  # uploaded lines that name nobody
    unreachable_new: int = 0

    @property
    def new_count(self) -> int:
        return len(self.new)


def _customers() -> QuerySet[User]:
    """Accounts of customers: privacy staff and administrators are not customers."""
    return User.objects.exclude(pk__in=portal_selectors.privacy_staff().values("pk"))


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def scope_find(*, incident: Incident, rule: ScopeRule) -> ScopeResult:
    """Who a rule finds in the portal's data, and who of them is not yet on the incident.

    - provision: everyone whose data went to the partner in the period (Japan dates,
      inclusive), from the APPI-29 provision records, with the items that went;
    - accounts: every customer account created before the date;
    - upload: customer references (the pseudonym of the provision records) or email
      addresses, one a line or cell.
    """
    from partners.services import records

    people: dict[str, Found] = {}
    result = ScopeResult()
    if rule.source == "provision":
        rows = ProvisionRecord.objects.filter(
            partner=rule.partner,
            provided_at__gte=_day_start(rule.date_from),
            provided_at__lt=_day_start(rule.date_to + datetime.timedelta(days=1)),
        ).values_list("customer_reference", "customer_id", "data_items")
        items: dict[str, set[str]] = {}
        ids: dict[str, int | None] = {}
        for ref, customer_id, data_items in rows.iterator(chunk_size=5000):
            items.setdefault(ref, set()).update(data_items or [])
            ids[ref] = ids.get(ref) or customer_id
        people = {ref: Found(ref, ids[ref], sorted(items[ref])) for ref in items}
    elif rule.source == "accounts":
        for pk in (
            _customers()
            .filter(date_joined__lt=_day_start(rule.created_before))
            .values_list("pk", flat=True)
            .iterator(chunk_size=5000)
        ):
            ref = records.customer_reference(pk)
            people[ref] = Found(ref, pk, [])
    else:
        wanted = [r.strip() for r in rule.references if r.strip()]
        emails = {r.lower() for r in wanted if "@" in r}
        refs = {r.lower() for r in wanted if "@" not in r}
        by_email = dict(_customers().filter(email__in=emails).values_list("email", "pk"))
        by_ref: dict[str, int | None] = {}
        if refs:
            for ref, customer_id in ProvisionRecord.objects.filter(
                customer_reference__in=refs
            ).values_list("customer_reference", "customer_id"):
                by_ref[ref] = by_ref.get(ref) or customer_id
            missing = refs - set(by_ref)
            if missing:
                # A customer with no provision record: their reference is still theirs.
                for pk in _customers().values_list("pk", flat=True).iterator(chunk_size=5000):
                    ref = records.customer_reference(pk)
                    if ref in missing:
                        by_ref[ref] = pk
        for line in wanted:
            key = line.lower()
            if key in by_email:
                ref = records.customer_reference(by_email[key])
                people[ref] = Found(ref, by_email[key], [])
            elif key in by_ref:
                people[key] = Found(key, by_ref[key], [])
            else:
                result.unknown.append(line)
    result.matched = len(people)
    already = (
        set(
            AffectedPerson.objects.filter(
                incident=incident, customer_reference__in=list(people)
            ).values_list("customer_reference", flat=True)
        )
        if people
        else set()
    )
    result.new = [p for ref, p in sorted(people.items()) if ref not in already]
    new_ids = [p.customer_id for p in result.new if p.customer_id]
    reachable = (
        set(
            User.objects.filter(pk__in=new_ids, is_active=True)
            .exclude(email__endswith=ERASED_SUFFIX)
            .values_list("pk", flat=True)
        )
        if new_ids
        else set()
    )
    result.unreachable_new = sum(1 for p in result.new if p.customer_id not in reachable)
    return result


@dataclass(frozen=True)
class PeopleCounts:
    total: int
    reachable: int
    notified: int

    @property
    def unreachable(self) -> int:
        return self.total - self.reachable

    @property
    def to_notify(self) -> int:
        return self.reachable - self.notified


def people_counts(*, incident: Incident) -> PeopleCounts:
    """One query: everyone scoped, who a notice can reach, who was told."""
    counts = AffectedPerson.objects.filter(incident=incident).aggregate(
        total=Count("id"),
        reachable=Count("id", filter=_reachable()),
        notified=Count("id", filter=Q(notified_at__isnull=False)),
    )
    return PeopleCounts(**counts)


def people_to_notify(*, incident: Incident) -> QuerySet[AffectedPerson]:
    return (
        AffectedPerson.objects.filter(incident=incident, notified_at__isnull=True)
        .filter(_reachable())
        .select_related("customer")
        .order_by("id")
    )


def people_sample(*, incident: Incident, limit: int = 20) -> QuerySet[AffectedPerson]:
    return (
        AffectedPerson.objects.filter(incident=incident)
        .select_related("customer")
        .order_by("id")[:limit]
    )


# --- what the public and the customer see ---------------------------------------------------


def announcements() -> QuerySet[Incident]:
    return Incident.objects.filter(announcement_published_at__isnull=False).order_by(
        "-announcement_published_at", "-id"
    )


def announcement(*, pk: int) -> Incident:
    return announcements().get(pk=pk)


def notices_for_customer(*, customer: User) -> QuerySet[AffectedPerson]:
    """The incidents this customer was told about, newest first (one query)."""
    return (
        AffectedPerson.objects.filter(customer=customer, notified_at__isnull=False)
        .select_related("incident")
        .order_by("-notified_at", "-id")
    )


def notice_for_customer(*, customer: User, incident_id: int) -> AffectedPerson:
    return notices_for_customer(customer=customer).get(incident_id=incident_id)
