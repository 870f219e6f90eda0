"""Reads of the partners app that span relations. Other apps (requests) use
`provision_records_for`; views use the rest. Each list is one query or a fixed few."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from consents.countries import country_name
from consents.models import ANALYTICS_PURPOSE, Purpose
from consents.selectors import consent_decide
from partners.models import (
    HOME_COUNTRY,
    Arrangement,
    ArrangementStatus,
    Basis,
    Country,
    DataItem,
    ExceptionRequest,
    ExceptionStatus,
    Export,
    Partner,
    PartnerKind,
    ProvisionRecord,
)
from portal.models import User


def _in_force(today: datetime.date) -> Q:
    return Q(status=ArrangementStatus.ACTIVE, starts_on__lte=today) & (
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )


def _arrangements_in_force(today: datetime.date, **filters) -> Prefetch:
    return Prefetch(
        "arrangements",
        queryset=Arrangement.objects.filter(_in_force(today), **filters)
        .prefetch_related("purposes")
        .order_by("starts_on", "pk"),
        to_attr="current_arrangements",
    )


def provision_records_for(*, customer: User) -> QuerySet[ProvisionRecord]:
    """Every provision record about a customer, newest first (APPI Art. 29, 33(5)): for the
    customer's consent page and the requests app's provision-records request."""
    return (
        ProvisionRecord.objects.filter(customer=customer)
        .select_related("partner__country", "purpose")
        .order_by("-provided_at", "-id")
    )


@dataclass
class RecordFilters:
    partner: Partner | None = None
    basis: str = ""
    purpose: Purpose | None = None
    customer_email: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def records_list(*, filters: RecordFilters) -> QuerySet[ProvisionRecord]:
    """All provision records for the staff list, filtered; one query per page."""
    qs = ProvisionRecord.objects.select_related(
        "partner__country", "purpose", "customer", "recorded_by", "export", "exception"
    )
    if filters.partner is not None:
        qs = qs.filter(partner=filters.partner)
    if filters.basis:
        qs = qs.filter(basis=filters.basis)
    if filters.purpose is not None:
        qs = qs.filter(purpose=filters.purpose)
    if filters.customer_email:
        qs = qs.filter(customer__email__iexact=filters.customer_email.strip())
    tz = timezone.get_current_timezone()
    if filters.date_from:
        start = datetime.datetime.combine(filters.date_from, datetime.time.min, tzinfo=tz)
        qs = qs.filter(provided_at__gte=start)
    if filters.date_to:
        end = datetime.datetime.combine(
            filters.date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        )
        qs = qs.filter(provided_at__lt=end)
    return qs.order_by("-provided_at", "-id")


def group_companies() -> QuerySet[Partner]:
    """The public Group Companies List (LY-4) with the shared use each is part of."""
    today = timezone.localdate()
    return (
        Partner.objects.filter(kind=PartnerKind.GROUP_COMPANY, listed=True, is_active=True)
        .select_related("country")
        .prefetch_related(_arrangements_in_force(today))
        .order_by("name_en")
    )


@dataclass
class Destination:
    """A country or region outside Japan data goes to (LY-2, APPI Art. 28): the register's
    row when there is one, the partners with an arrangement in force there, and the active
    purposes that name it (the analytics purpose's Google LLC in the USA, for one)."""

    code: str
    country: Country | None
    partners: list[Partner] = field(default_factory=list)
    purposes: list[Purpose] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.country.name if self.country is not None else country_name(self.code)

    @property
    def analytics(self) -> bool:
        return any(p.code == ANALYTICS_PURPOSE for p in self.purposes)


def countries_provided_to(*, today: datetime.date | None = None) -> list[Destination]:
    """Every country or region outside Japan data goes to, derived from what is in force:
    the countries of active partners with an active arrangement in force, and the countries
    active purposes name (`Purpose.countries`), analytics included. Three queries."""
    today = today or timezone.localdate()
    in_force = Arrangement.objects.filter(_in_force(today), partner=OuterRef("pk"))
    partners = list(
        Partner.objects.filter(is_active=True)
        .filter(Exists(in_force))
        .exclude(country__code=HOME_COUNTRY)
        .select_related("country")
        .order_by("kind", "name_en")
    )
    purposes = list(
        Purpose.objects.filter(is_active=True).exclude(countries="").order_by("position", "code")
    )
    destinations: dict[str, Destination] = {}
    for partner in partners:
        entry = destinations.setdefault(
            partner.country.code, Destination(partner.country.code, partner.country)
        )
        entry.partners.append(partner)
    for purpose in purposes:
        for code in purpose.country_list:
            if code == HOME_COUNTRY:
                continue
            destinations.setdefault(code, Destination(code, None)).purposes.append(purpose)
    missing = [code for code, entry in destinations.items() if entry.country is None]
    for country in Country.objects.filter(code__in=missing):
        destinations[country.code].country = country
    return [destinations[code] for code in sorted(destinations)]


def joint_use_announcements() -> QuerySet[Arrangement]:
    """Joint-use arrangements in force, with the items LW-4.3 announces."""
    today = timezone.localdate()
    return (
        Arrangement.objects.filter(_in_force(today), basis=Basis.JOINT_USE, partner__is_active=True)
        .select_related("partner__country")
        .prefetch_related("purposes")
        .order_by("starts_on", "pk")
    )


def partner_registry() -> QuerySet[Partner]:
    """Every partner with all its arrangements, for staff."""
    return (
        Partner.objects.select_related("country")
        .prefetch_related(
            Prefetch(
                "arrangements",
                queryset=Arrangement.objects.prefetch_related("purposes").order_by("starts_on"),
            )
        )
        .order_by("kind", "name_en")
    )


def reviews_due(*, within_days: int = 30) -> QuerySet[Arrangement]:
    """Active entrustments whose supervision review is due soon or overdue (LW-4.2)."""
    horizon = timezone.localdate() + datetime.timedelta(days=within_days)
    return (
        Arrangement.objects.filter(
            status=ArrangementStatus.ACTIVE, basis=Basis.ENTRUSTMENT, review_due_on__lte=horizon
        )
        .select_related("partner")
        .order_by("review_due_on")
    )


def exports_list() -> QuerySet[Export]:
    return Export.objects.select_related("partner", "purpose", "requested_by").order_by(
        "-created_at", "-id"
    )


def exceptions_list() -> QuerySet[ExceptionRequest]:
    return ExceptionRequest.objects.select_related(
        "customer", "partner", "purpose", "requested_by", "decided_by"
    ).order_by(
        # pending first, then newest
        "-status",
        "-requested_at",
    )


def exceptions_pending_count() -> int:
    return ExceptionRequest.objects.filter(status=ExceptionStatus.PENDING).count()


@dataclass
class PurposeLine:
    purpose: Purpose
    basis: str
    needs_consent: bool
    granted: bool
    decided_by: str

    @property
    def basis_label(self) -> str:
        return str(Basis(self.basis).label)


@dataclass
class PartnerOverview:
    partner: Partner
    lines: list[PurposeLine] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    provided_count: int = 0
    last_provided_at: datetime.datetime | None = None
    provided_items: list[str] = field(default_factory=list)


def customer_partner_overview(*, customer: User) -> list[PartnerOverview]:
    """Per partner: what the customer allowed for each purpose (and which consent decided,
    LY-6) and what was provided to it (APPI-29) - the customer's consent page (LY-1, LY-4,
    LY-7). Queries: partners, arrangements, purposes, record counts; plus one consent
    lookup per consent-based purpose."""
    today = timezone.localdate()
    partners = list(
        Partner.objects.filter(is_active=True)
        .select_related("country", "service")
        .prefetch_related(_arrangements_in_force(today))
        .order_by("kind", "name_en")
    )
    provided = {
        row["partner"]: row
        for row in ProvisionRecord.objects.filter(customer=customer)
        .values("partner")
        .annotate(count=Count("id"), last=Max("provided_at"))
    }
    provided_items: dict[int, set[str]] = {}
    for partner_id, items in (
        ProvisionRecord.objects.filter(customer=customer)
        .values_list("partner", "data_items")
        .distinct()
    ):
        provided_items.setdefault(partner_id, set()).update(items or [])
    overview = []
    for partner in partners:
        if not partner.current_arrangements and partner.pk not in provided:
            continue
        entry = PartnerOverview(partner=partner)
        seen_items: list[str] = []
        for arrangement in partner.current_arrangements:
            for item in arrangement.data_item_labels:
                if item not in seen_items:
                    seen_items.append(item)
            for purpose in arrangement.purposes.all():
                if arrangement.consults_consent:
                    decision = consent_decide(
                        customer=customer,
                        purpose_code=purpose.code,
                        service_code=partner.service.code if partner.service_id else None,
                    )
                    line = PurposeLine(
                        purpose,
                        arrangement.provision_basis,
                        True,
                        decision.granted,
                        decision.decided_by,
                    )
                else:
                    line = PurposeLine(purpose, arrangement.basis, False, True, "")
                entry.lines.append(line)
        entry.items = seen_items
        if partner.pk in provided:
            entry.provided_count = provided[partner.pk]["count"]
            entry.last_provided_at = provided[partner.pk]["last"]

            labels = dict(DataItem.choices)
            entry.provided_items = [
                str(labels.get(i, i)) for i in sorted(provided_items.get(partner.pk, ()))
            ]
        overview.append(entry)
    return overview


def consent_bound_recipients(*, today: datetime.date | None = None) -> dict[str, list[str]]:
    """{purpose code: recipient names}: for each purpose, the active partners the gate asks
    the customer's consent to it for, with an arrangement in force. A consent arrangement or
    one marked as needing consent asks for its purposes; a recipient abroad that needs the
    country's consent asks for the overseas purpose too (APPI Art. 28). The consent page
    shows it under each choice (LY-1, LY-4). Queries: partners with arrangements and their
    purposes, plus the overseas purposes."""
    from partners.services import gate

    today = today or timezone.localdate()
    partners = (
        Partner.objects.filter(is_active=True)
        .select_related("country__consent_purpose")
        .prefetch_related(_arrangements_in_force(today))
        .order_by("kind", "name_en")
    )
    uses: dict[str, list[str]] = {}

    def add(code: str, partner: Partner) -> None:
        names = uses.setdefault(code, [])
        if partner.name not in names:
            names.append(partner.name)

    overseas_cache: dict[int, Purpose | None] = {}
    for partner in partners:
        for arrangement in partner.current_arrangements:
            if arrangement.consults_consent:
                for purpose in arrangement.purposes.all():
                    add(purpose.code, partner)
            if gate.needs_overseas_consent(partner, arrangement.basis):
                if partner.country_id not in overseas_cache:
                    overseas_cache[partner.country_id] = gate.overseas_purpose_for(partner.country)
                overseas = overseas_cache[partner.country_id]
                if overseas is not None:
                    add(overseas.code, partner)
    return uses
