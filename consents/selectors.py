"""Reads of consents that other apps use. `partners` and `requests` read consents only here.

The decision rule, shared by `consent_decide` (one customer) and `customers_consenting` (every
customer, as one queryset), in this order:

1. an active restriction (suspension or third-party stop) naming the purpose: not granted
   ("restriction");
2. a state for (customer, purpose, service) decides, else the general state for (customer,
   purpose) (LY-6: the service-specific answer beats the general one in both directions;
   "service" or "general");
3. a granted state older than the latest published policy version that added or widened the
   purpose counts as not granted until the customer decides again ("reconsent", LW-9);
4. no state: necessary and opt-out purposes are granted ("default"; a customer who joined
   before a widening version is asked again, "reconsent"), opt-in purposes are not ("none").
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass
from functools import cache
from itertools import groupby

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models import (
    Exists,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import timezone

from consents.models import (
    THIRD_PARTY_CATEGORIES,
    ConsentEvent,
    ConsentState,
    PolicyAnnouncementDismissal,
    PolicyVersion,
    Purpose,
    PurposeCategory,
    Restriction,
    Service,
    ServiceKind,
)
from portal.models import User
from portal.prepared import prepared_cursor


def purposes_for_customer(*, customer: User) -> QuerySet[Purpose]:
    """The purposes that apply to a customer (LW-3), in policy order."""
    return Purpose.objects.filter(is_active=True).order_by("position", "code")


def third_party_purposes() -> QuerySet[Purpose]:
    """The purposes that provide data to a third party: the active optional purposes of
    `THIRD_PARTY_CATEGORIES`. The one definition the GPC signal, a third-party stop and
    restrictions of kind third-party stop all use."""
    return Purpose.objects.filter(
        category__in=THIRD_PARTY_CATEGORIES, is_active=True, necessary=False
    ).order_by("position", "code")


@dataclass(frozen=True)
class ConsentDecision:
    """The answer to "does this customer consent to this purpose (for this service)?"."""

    granted: bool
    decided_by: str  # "service" | "general" | "default" | "restriction" | "reconsent" | "none"
    event: ConsentEvent | None  # the ledger event relied on, when there is one


# --- building blocks ------------------------------------------------------------------------


def reconsent_since_expression(purpose_ref) -> Subquery:
    """When the latest published version that added or widened the purpose was published."""
    return Subquery(
        PolicyVersion.objects.filter(is_published=True, widened_purposes=purpose_ref)
        .order_by()
        .values("widened_purposes")
        .annotate(latest=Max("published_at"))
        .values("latest")[:1]
    )


def _active_restriction(*, customer_ref, purpose_ref) -> Exists:
    return Exists(
        Restriction.objects.filter(
            customer=customer_ref, lifted_at__isnull=True, purposes=purpose_ref
        )
    )


def _state(*, customer_ref, purpose_ref, service_code: str | None) -> QuerySet[ConsentState]:
    states = ConsentState.objects.filter(customer=customer_ref, purpose=purpose_ref)
    if service_code is None:
        return states.filter(service__isnull=True)
    return states.filter(service__code=service_code)


def _decide(
    *,
    necessary: bool,
    by_default: bool,
    restricted: bool,
    reconsent_since: datetime.datetime | None,
    joined_at: datetime.datetime,
    service_state: tuple[bool, datetime.datetime, int] | None,
    general_state: tuple[bool, datetime.datetime, int] | None,
) -> tuple[bool, str, int | None]:
    """The rule of this module's docstring on plain values: (granted, decided_by, event id)."""
    if restricted:
        return False, "restriction", None
    if necessary:
        reconsent_since = None  # a necessary purpose is never asked again
    for decided_by, state in (("service", service_state), ("general", general_state)):
        if state is not None:
            granted, decided_at, event_id = state
            if granted and reconsent_since is not None and decided_at < reconsent_since:
                return False, "reconsent", event_id
            return granted, decided_by, event_id
    if by_default:
        if reconsent_since is not None and joined_at < reconsent_since:
            return False, "reconsent", None
        return True, "default", None
    return False, "none", None


# --- the contract used by partners and requests ---------------------------------------------


def consent_decide(
    *, customer: User, purpose_code: str, service_code: str | None = None
) -> ConsentDecision:
    """Does `customer` consent to the purpose (for the service)? (LY-1, LY-6, LW-9)

    One SQL statement gathers every fact and the ledger event relied on: the purpose, joined
    to the general and the service-specific state through the unique (customer, purpose,
    service) indexes, the event of the state that decides (service-specific first, by primary
    key), the active restrictions and the latest widening version. The statement is written
    once (`_decide_sql`): on this hot path building the ORM query cost ten times the query,
    and it runs as a statement the server prepared (`portal.prepared`), since planning its
    joins cost three times running them. Unknown purpose: not granted, "none".
    """
    db = connections[DEFAULT_DB_ALIAS]
    sql, event_fields = _decide_sql(service=service_code is not None)
    with prepared_cursor() as cursor:
        cursor.execute(
            sql, {"customer": customer.pk, "code": purpose_code, "service": service_code}
        )
        facts = cursor.fetchone()
    if facts is None:
        return ConsentDecision(granted=False, decided_by="none", event=None)
    if db.vendor != "postgresql":
        facts = _from_db([*_decide_fact_fields(), *ConsentEvent._meta.concrete_fields], facts)
    necessary, default_granted, restricted, reconsent_since = facts[:4]
    general = facts[4:7] if facts[4] is not None else None
    specific = facts[7:10] if facts[7] is not None else None
    granted, decided_by, event_id = _decide(
        necessary=necessary,
        by_default=necessary or default_granted,
        restricted=restricted,
        reconsent_since=reconsent_since,
        joined_at=customer.date_joined,
        service_state=specific,
        general_state=general,
    )
    event = None
    if event_id is not None:
        event = ConsentEvent.from_db(db.alias, event_fields, facts[10:])
        assert event.pk == event_id  # the joined event is the deciding state's
    return ConsentDecision(granted=granted, decided_by=decided_by, event=event)


@cache
def _decide_fact_fields() -> list[models.Field]:
    """The model fields whose database values the first ten columns of `_decide_sql` carry."""
    flag, moment = models.BooleanField(), models.DateTimeField()
    number = models.IntegerField()
    # necessary, default_granted, restricted, reconsent_since, then (granted, decided_at,
    # event_id) of the general and of the service-specific state
    return [flag, flag, flag, moment, flag, moment, number, flag, moment, number]


def _from_db(fields, values) -> tuple:
    """Raw values as the ORM would give them: the embedded default, SQLite, hands back text
    for times and ids and integers for booleans (PostgreSQL's driver already gives Python
    types, so the hot path skips this)."""
    converted = []
    for field, value in zip(fields, values, strict=True):
        expression = Value(None, output_field=field)
        for convert in connection.ops.get_db_converters(expression) + field.get_db_converters(
            connection
        ):
            value = convert(value, expression, connection)
        converted.append(value)
    return tuple(converted)


@cache
def _decide_sql(*, service: bool) -> tuple[str, list[str]]:
    """The statement of `consent_decide`, from the models' table and column names; without
    `service`, the service-specific state is not looked up (its columns are NULL)."""
    purpose = Purpose._meta.db_table
    state = ConsentState._meta.db_table
    event = ConsentEvent._meta
    service_table = Service._meta.db_table
    restriction = Restriction._meta.db_table
    restricted = Restriction.purposes.through._meta.db_table
    version = PolicyVersion._meta.db_table
    widened = PolicyVersion.widened_purposes.through._meta.db_table
    fields = event.concrete_fields
    columns = ", ".join(f'e."{f.column}"' for f in fields)
    if service:
        specific = "s.granted, s.decided_at, s.event_id"
        specific_join = f"""LEFT JOIN "{state}" s ON s.purpose_id = p.id
            AND s.customer_id = %(customer)s
            AND s.service_id = (SELECT id FROM "{service_table}" WHERE code = %(service)s)"""  # noqa: S608
        event_id = "COALESCE(s.event_id, g.event_id)"
    else:
        specific, specific_join, event_id = "NULL, NULL, NULL", "", "g.event_id"
    sql = f"""
        SELECT p.necessary, p.default_granted,
            EXISTS (SELECT 1 FROM "{restriction}" r JOIN "{restricted}" rp
                    ON rp.restriction_id = r.id
                    WHERE r.customer_id = %(customer)s AND r.lifted_at IS NULL
                    AND rp.purpose_id = p.id),
            (SELECT max(v.published_at) FROM "{version}" v JOIN "{widened}" w
             ON w.policyversion_id = v.id WHERE v.is_published AND w.purpose_id = p.id),
            g.granted, g.decided_at, g.event_id, {specific},
            {columns}
        FROM "{purpose}" p
        LEFT JOIN "{state}" g ON g.purpose_id = p.id AND g.customer_id = %(customer)s
            AND g.service_id IS NULL
        {specific_join}
        LEFT JOIN "{event.db_table}" e ON e.id = {event_id}
        WHERE p.code = %(code)s
    """  # noqa: S608 (names are the models'; values are parameters)
    return sql, [f.attname for f in fields]


def consent_event_for(
    *, customer: User, purpose_code: str, service_code: str | None = None
) -> ConsentEvent | None:
    """The ledger event the current decision relies on (for a provision record), or None
    when the decision rests on a default or a restriction."""
    return consent_decide(
        customer=customer, purpose_code=purpose_code, service_code=service_code
    ).event


def customers_consenting(*, purpose_code: str, service_code: str | None = None) -> QuerySet[User]:
    """Every active customer for whom `consent_decide` says granted, as one queryset that can
    be streamed with `.iterator()` (LY-5 exports). The purpose and the latest widening
    version are read first (one small query); the rest is EXISTS clauses on the indexed
    state and restriction tables."""
    purpose = (
        Purpose.objects.filter(code=purpose_code)
        .annotate(reconsent_since=reconsent_since_expression(OuterRef("pk")))
        .first()
    )
    if purpose is None:
        return User.objects.none()
    since = None if purpose.necessary else purpose.reconsent_since
    customer_ref = OuterRef("pk")

    def states(code: str | None) -> tuple[Exists, Exists]:
        any_state = _state(customer_ref=customer_ref, purpose_ref=purpose.pk, service_code=code)
        yes = any_state.filter(granted=True)
        if since is not None:
            yes = yes.filter(decided_at__gte=since)
        return Exists(any_state), Exists(yes)

    general_any, general_yes = states(None)
    if purpose.granted_by_default:
        default = Q(date_joined__gte=since) if since is not None else Q()
        fallback = general_yes | (~general_any & default)
    else:
        fallback = general_yes
    if service_code is not None:
        service_any, service_yes = states(service_code)
        granted = service_yes | (~service_any & fallback)
    else:
        granted = fallback
    restricted = _active_restriction(customer_ref=customer_ref, purpose_ref=purpose.pk)
    return User.objects.filter(is_active=True).filter(granted).exclude(restricted).order_by("pk")


# --- the customer's consent page -------------------------------------------------------------


@dataclass(frozen=True)
class PurposeRow:
    """One purpose on the consent page, with the decision and the state it rests on (LY-1)."""

    purpose: Purpose
    granted: bool
    decided_by: str
    state: ConsentState | None  # the general state, if any
    service_states: tuple[ConsentState, ...]  # service-specific overrides (LY-6)


@dataclass(frozen=True)
class PurposeGroup:
    category: str
    label: str
    rows: list[PurposeRow]


@dataclass(frozen=True)
class ServiceRow:
    service: Service
    connected: bool
    states: tuple[ConsentState, ...]


def _states_by_key(customer: User) -> dict[tuple[int, int | None], ConsentState]:
    # One query: every state of the customer with its event and the policy version shown.
    states = ConsentState.objects.filter(customer=customer).select_related(
        "event", "policy_version", "service", "purpose"
    )
    return {(s.purpose_id, s.service_id): s for s in states}


def consent_overview(*, customer: User) -> dict:
    """Everything the consent page shows, in four queries: the purposes with their latest
    widening version, the customer's states, the active restrictions, and the services with
    their purposes."""
    purposes = list(
        purposes_for_customer(customer=customer).annotate(
            reconsent_since=reconsent_since_expression(OuterRef("pk"))
        )
    )
    states = _states_by_key(customer)
    restricted = set(
        Restriction.objects.filter(customer=customer, lifted_at__isnull=True).values_list(
            "purposes", flat=True
        )
    )
    rows: list[PurposeRow] = []
    for purpose in purposes:
        general = states.get((purpose.pk, None))
        service_states = tuple(
            s for (p, svc), s in states.items() if p == purpose.pk and svc is not None
        )
        granted, decided_by, _event = _decide(
            necessary=purpose.necessary,
            by_default=purpose.granted_by_default,
            restricted=purpose.pk in restricted,
            reconsent_since=purpose.reconsent_since,
            joined_at=customer.date_joined,
            service_state=None,
            general_state=(general.granted, general.decided_at, general.event_id)
            if general
            else None,
        )
        rows.append(PurposeRow(purpose, granted, decided_by, general, service_states))
    labels = dict(PurposeCategory.choices)
    order = [c for c, _label in PurposeCategory.choices]
    rows.sort(key=lambda r: (order.index(r.purpose.category), r.purpose.position, r.purpose.code))
    groups = [
        PurposeGroup(category, labels[category], list(items))
        for category, items in groupby(rows, key=lambda r: r.purpose.category)
    ]
    services = Service.objects.filter(is_active=True).prefetch_related(
        Prefetch("purposes", queryset=Purpose.objects.order_by("position", "code"))
    )
    service_rows = []
    for service in services:
        own = tuple(s for (p, svc), s in states.items() if svc == service.pk)
        service_rows.append(ServiceRow(service, any(s.granted for s in own), own))
    return {
        "groups": groups,
        "services": [r for r in service_rows if r.service.kind == ServiceKind.SERVICE],
        "applications": [
            r for r in service_rows if r.service.kind == ServiceKind.CONNECTED_APPLICATION
        ],
        "restricted": bool(restricted),
    }


def consent_history(*, customer: User) -> QuerySet[ConsentEvent]:
    """The customer's ledger, newest first, with what each row shows."""
    return (
        ConsentEvent.objects.filter(customer=customer)
        .select_related("purpose", "service", "policy_version")
        .order_by("-created_at", "-id")
    )


def consent_change_events(*, customer: User, change_id) -> list[ConsentEvent]:
    """The events of one change (one receipt) of this customer; empty when not theirs."""
    return list(consent_history(customer=customer).filter(change_id=change_id))


def active_restrictions(*, customer: User) -> QuerySet[Restriction]:
    return (
        Restriction.objects.filter(customer=customer, lifted_at__isnull=True)
        .prefetch_related("purposes")
        .order_by("-created_at")
    )


# --- policy ----------------------------------------------------------------------------------


def published_versions() -> QuerySet[PolicyVersion]:
    return PolicyVersion.objects.filter(is_published=True).order_by("-effective_date", "-id")


def current_policy_version(*, today: datetime.date | None = None) -> PolicyVersion | None:
    """The published version in force: the latest whose effective date has come."""
    today = today or timezone.localdate()
    return published_versions().filter(effective_date__lte=today).first()


# What is published changes a few times a year and is read on every customer page (the
# notice of a new version, the purposes to decide on again): each process keeps the published
# versions for PUBLISHED_SECONDS and forgets them at once when a version, or the purposes it
# widens, is saved or deleted in that process (`published_forget`, connected in
# ConsentsConfig.ready()). Another process sees a publication at most PUBLISHED_SECONDS
# later; consent decisions never read this copy.
PUBLISHED_SECONDS = 30
_published: dict[str, tuple[float, list[PolicyVersion]]] = {}


def published_cached() -> list[PolicyVersion]:
    """Every published version with its widened purposes, newest publication first (one query
    when the copy is older than PUBLISHED_SECONDS, else none)."""
    hit = _published.get("versions")
    now = time.monotonic()
    if hit is not None and now - hit[0] < PUBLISHED_SECONDS:
        return hit[1]
    versions = list(
        PolicyVersion.objects.filter(is_published=True)
        .order_by("-published_at", "-id")
        .prefetch_related("widened_purposes")
    )
    _published["versions"] = (now, versions)
    return versions


def published_forget(**_kwargs) -> None:
    """Drop this process's copy of the published versions (a signal receiver)."""
    _published.clear()


def announcement_candidates(*, customer: User) -> list[PolicyVersion]:
    """The announced versions published after the customer joined, newest first: the ones
    whose notice they see until they dismiss it (LW-9). No query (see `published_cached`)."""
    return [v for v in published_cached() if v.announce and v.published_at > customer.date_joined]


def announcement_dismissed(*, customer: User, versions: list[PolicyVersion]) -> set[int]:
    """The ids of these versions whose notice the customer dismissed. One query."""
    return set(
        PolicyAnnouncementDismissal.objects.filter(
            customer=customer, policy_version__in=[v.pk for v in versions]
        ).values_list("policy_version_id", flat=True)
    )


def policy_announcement_for(
    *, customer: User, dismissed: set[int] | None = None
) -> PolicyVersion | None:
    """The newest published, announced version the customer has not dismissed and that was
    published after they joined (LW-9), with the purposes it asks about again. No query when
    no announced version is newer than the customer, else one (the dismissals), unless the
    caller passes the `dismissed` ids it already knows."""
    candidates = announcement_candidates(customer=customer)
    if not candidates:
        return None
    if dismissed is None:
        dismissed = announcement_dismissed(customer=customer, versions=candidates)
    return next((v for v in candidates if v.pk not in dismissed), None)


def reconsent_since_cached() -> dict[int, datetime.datetime]:
    """Purpose id -> when the latest published version that added or widened it was
    published (`reconsent_since_expression`, from `published_cached`; no query)."""
    since: dict[int, datetime.datetime] = {}
    for version in published_cached():
        for purpose in version.widened_purposes.all():
            if purpose.pk not in since or version.published_at > since[purpose.pk]:
                since[purpose.pk] = version.published_at
    return since


def purposes_awaiting_decision(*, customer: User) -> list[Purpose]:
    """The purposes a policy revision asks this customer to decide on again (LW-9): the rule
    of this module says "reconsent" for them. One query: each optional purpose that a
    published version added or widened, with the customer's general state and whether a
    restriction names it."""
    since = reconsent_since_cached()
    if not since:
        return []
    general = ConsentState.objects.filter(
        customer=customer, purpose=OuterRef("pk"), service__isnull=True
    )
    candidates = (
        Purpose.objects.filter(is_active=True, necessary=False, pk__in=sorted(since))
        .annotate(
            state_granted=Subquery(general.values("granted")[:1]),
            state_decided_at=Subquery(general.values("decided_at")[:1]),
            restricted=_active_restriction(customer_ref=customer.pk, purpose_ref=OuterRef("pk")),
        )
        .order_by("position", "code")
    )
    waiting = []
    for purpose in candidates:
        state = None
        if purpose.state_granted is not None:
            state = (purpose.state_granted, purpose.state_decided_at, None)
        _granted, decided_by, _event = _decide(
            necessary=False,
            by_default=purpose.granted_by_default,
            restricted=purpose.restricted,
            reconsent_since=since[purpose.pk],
            joined_at=customer.date_joined,
            service_state=None,
            general_state=state,
        )
        if decided_by == "reconsent":
            waiting.append(purpose)
    return waiting
