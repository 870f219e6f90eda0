"""Every write of consents. Keyword-only, typed, each in one transaction.

Consent changes lock the customer's row first, so that two changes for one customer (two
tabs, a banner click during a form post, a staff entry) are serialised: the ledger event and
the current state are written in the same transaction and can never disagree.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence

from django.db import transaction
from django.db.models import OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from consents import signals
from consents.models import (
    ANALYTICS_PURPOSE,
    ConsentEvent,
    ConsentSource,
    ConsentState,
    PolicyAnnouncementDismissal,
    PolicyVersion,
    Purpose,
    PurposeCategory,
    Restriction,
    RestrictionKind,
    Service,
)
from consents.selectors import (
    current_policy_version,
    reconsent_since_expression,
    third_party_purposes,
)
from portal.appendonly import erased_write
from portal.middleware import current_request_context
from portal.models import User
from portal.services import audit_record


class ConsentError(Exception):
    """A consent change that cannot be made; the message is written for the person."""


def consent_lock(*, customer: User | int) -> User:
    """Take the lock every consent change takes: the customer's row, until the transaction
    ends. The provision gate decides and records under it (partners.services), so a
    withdrawal either commits before the decision reads consent or waits for the record."""
    pk = customer if isinstance(customer, int) else customer.pk
    return User.objects.select_for_update().get(pk=pk)


def _lock_customer(customer: User) -> User:
    return consent_lock(customer=customer)


def _purposes_by_code(codes: Iterable[str]) -> dict[str, Purpose]:
    codes = set(codes)
    found = {
        p.code: p
        for p in Purpose.objects.filter(code__in=codes).annotate(
            reconsent_since=reconsent_since_expression(OuterRef("pk"))
        )
    }
    unknown = codes - set(found)
    if unknown:
        raise ConsentError(_("Unknown purpose: %s") % ", ".join(sorted(unknown)))
    return found


@transaction.atomic
def consent_change(
    *,
    customer: User,
    choices: Mapping[str, bool],
    source: str,
    service: Service | None = None,
    policy_version: PolicyVersion | None = None,
    actor: User | None = None,
) -> list[ConsentEvent]:
    """Record the customer's choices {purpose code: granted} in the ledger and the current
    state, in one transaction (LW-3, LY-1, LY-6 when `service` is given).

    A choice equal to the current state is not recorded again, unless the purpose waits for
    a fresh decision after a policy revision (LW-9). Necessary purposes cannot be withdrawn
    here: the customer deletes the account instead. The Global Privacy Control signal only
    ever withdraws (LW-7). Returns the events written, which share one receipt id.
    """
    if source not in ConsentSource.values:
        raise ConsentError(f"Unknown source: {source}")
    if source == ConsentSource.GPC and any(choices.values()):
        raise ConsentError("The Global Privacy Control signal never grants consent.")
    _lock_customer(customer)
    purposes = _purposes_by_code(choices)
    policy_version = policy_version or current_policy_version()
    existing = {
        s.purpose_id: s
        for s in ConsentState.objects.select_for_update().filter(
            customer=customer,
            purpose__in=[p.pk for p in purposes.values()],
            service=service,
        )
    }
    ctx = current_request_context()
    change_id = uuid.uuid4()
    now = timezone.now()
    events: list[ConsentEvent] = []
    for code in sorted(choices):
        granted = bool(choices[code])
        purpose = purposes[code]
        if purpose.necessary and not granted:
            raise ConsentError(
                _(
                    "“%(purpose)s” is necessary to provide the service and cannot be "
                    "withdrawn. To stop it, delete your account."
                )
                % {"purpose": purpose.name}
            )
        state = existing.get(purpose.pk)
        waits = (
            purpose.reconsent_since is not None
            and state is not None
            and state.decided_at < purpose.reconsent_since
        )
        if state is not None and state.granted == granted and not waits:
            continue
        event = ConsentEvent.objects.create(
            customer=customer,
            purpose=purpose,
            service=service,
            granted=granted,
            policy_version=policy_version,
            source=source,
            change_id=change_id,
            created_at=now,
            ip_address=ctx.ip_address,
            user_agent=ctx.user_agent,
            actor=actor if actor is not None and actor.pk != customer.pk else None,
        )
        values = {
            "granted": granted,
            "event": event,
            "policy_version": policy_version,
            "decided_at": now,
        }
        if state is None:
            ConsentState.objects.create(
                customer=customer, purpose=purpose, service=service, **values
            )
        else:
            ConsentState.objects.filter(pk=state.pk).update(**values)
        events.append(event)
    if events:
        audit_record(
            actor=actor or customer,
            action="consents.consent.changed",
            target=customer,
            payload={
                "change_id": str(change_id),
                "source": source,
                "service": service.code if service else None,
                "choices": {e.purpose.code: e.granted for e in events},
            },
        )
        signals.consent_changed.send(
            sender=ConsentEvent, customer=customer, events=events, service=service
        )
    return events


def gpc_purposes() -> list[Purpose]:
    """The purposes a Global Privacy Control signal refuses: analytics and every purpose
    that provides data to a third party (`consents.selectors.third_party_purposes`, LW-7)."""
    analytics = Purpose.objects.filter(
        category=PurposeCategory.ANALYTICS, is_active=True, necessary=False
    )
    return list((analytics | third_party_purposes()).order_by("position", "code"))


def consent_gpc_apply(*, customer: User) -> list[ConsentEvent]:
    """Treat the browser's `Sec-GPC: 1` as withdrawing analytics and optional third-party
    provision, general and per service, wherever they are granted now (LW-7). Ledger
    source "gpc". Writes nothing when nothing is granted, so it is cheap to call on every
    request that carries the signal."""
    purposes = {p.pk: p for p in gpc_purposes()}
    if not purposes:
        return []
    states = list(
        ConsentState.objects.filter(customer=customer, purpose__in=purposes).values_list(
            "purpose_id", "service_id", "granted"
        )
    )
    has_general = {p for p, svc, _g in states if svc is None}
    general = {purposes[p].code for p, svc, g in states if svc is None and g}
    general |= {p.code for pk, p in purposes.items() if p.default_granted and pk not in has_general}
    per_service: dict[int, set[str]] = {}
    for p, svc, g in states:
        if svc is not None and g:
            per_service.setdefault(svc, set()).add(purposes[p].code)
    if not general and not per_service:
        return []
    with transaction.atomic():
        events = []
        if general:
            events += consent_change(
                customer=customer, choices=dict.fromkeys(general, False), source="gpc"
            )
        for service in Service.objects.filter(pk__in=per_service):
            events += consent_change(
                customer=customer,
                choices=dict.fromkeys(per_service[service.pk], False),
                source="gpc",
                service=service,
            )
        return events


def cookie_choice_record(*, customer: User, analytics: bool) -> list[ConsentEvent]:
    """The cookie banner's choice of a signed-in customer, in the ledger (LW-2.2A)."""
    if not Purpose.objects.filter(code=ANALYTICS_PURPOSE, is_active=True).exists():
        return []
    return consent_change(
        customer=customer, choices={ANALYTICS_PURPOSE: analytics}, source=ConsentSource.BANNER
    )


@transaction.atomic
def service_revoke(
    *, customer: User, service: Service, source: str = ConsentSource.WEB
) -> list[ConsentEvent]:
    """Disconnect an application (LY-7): withdraw consent for every purpose it receives data
    for, for that service only, so that no further provision reaches it (LY-6)."""
    codes = list(service.purposes.values_list("code", flat=True))
    if not codes:
        raise ConsentError(_("This application receives nothing that could be revoked."))
    events = consent_change(
        customer=customer, choices=dict.fromkeys(codes, False), source=source, service=service
    )
    audit_record(
        actor=customer,
        action="consents.service.revoked",
        target=service,
        payload={"customer": customer.pk, "purposes": sorted(codes)},
    )
    signals.service_revoked.send(sender=Service, customer=customer, service=service, events=events)
    return events


@transaction.atomic
def policy_version_publish(*, version: PolicyVersion, actor: User | None) -> PolicyVersion:
    """Publish a policy version (LW-9): it appears on the public history, signed-in customers
    see a notice until they dismiss it, and purposes it adds or widens wait for a fresh
    decision from customers who agreed before (see `consents.selectors`)."""
    locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    if locked.is_published:
        raise ConsentError(_("Version %s is already published.") % locked.version)
    if not locked.text_ja.strip():
        raise ConsentError(_("A version needs its Japanese text before it is published."))
    locked.is_published = True
    locked.published_at = timezone.now()
    locked.full_clean()
    locked.save(update_fields=["is_published", "published_at"])
    audit_record(
        actor=actor,
        action="consents.policy.published",
        target=locked,
        payload={
            "version": locked.version,
            "effective_date": locked.effective_date.isoformat(),
            "widened_purposes": sorted(locked.widened_purposes.values_list("code", flat=True)),
        },
    )
    version.is_published, version.published_at = True, locked.published_at
    return locked


def policy_announcement_dismiss(*, customer: User, version: PolicyVersion) -> None:
    """The customer has read the notice of this version (LW-9); asking twice is harmless."""
    PolicyAnnouncementDismissal.objects.get_or_create(customer=customer, policy_version=version)


@transaction.atomic
def restriction_record(
    *,
    customer: User,
    kind: str,
    purposes: Sequence[Purpose | str],
    reference: str,
    actor: User | None,
) -> Restriction:
    """Stop the use of the customer's data for the purposes named (suspension) or its
    provision to third parties (third-party stop), from now on (LW-6.1). While active, the
    consent decision for these purposes is "not granted", decided by "restriction"."""
    if kind not in RestrictionKind.values:
        raise ConsentError(f"Unknown restriction kind: {kind}")
    codes = [p.code if isinstance(p, Purpose) else str(p) for p in purposes]
    if not codes:
        raise ConsentError(_("Name at least one purpose to restrict."))
    found = _purposes_by_code(codes)
    if kind == RestrictionKind.THIRD_PARTY_STOP:
        third_party = set(third_party_purposes().values_list("code", flat=True))
        outside = sorted(set(found) - third_party)
        if outside:
            # A third-party stop stops provision to third parties, in the one meaning of
            # `third_party_purposes`; stopping anything else is a suspension.
            raise ConsentError(
                _("A third-party stop covers only provision to third parties, not: %s")
                % ", ".join(found[code].name for code in outside)
            )
    _lock_customer(customer)
    restriction = Restriction.objects.create(
        customer=customer, kind=kind, reference=reference, created_by=actor
    )
    restriction.purposes.set(found.values())
    audit_record(
        actor=actor,
        action="consents.restriction.recorded",
        target=restriction,
        payload={
            "customer": customer.pk,
            "kind": kind,
            "purposes": sorted(found),
            "reference": reference,
        },
    )
    signals.restriction_recorded.send(sender=Restriction, restriction=restriction)
    return restriction


@transaction.atomic
def restriction_lift(*, restriction: Restriction, actor: User | None) -> Restriction:
    """End a restriction: the ledger decides again from now on."""
    locked = Restriction.objects.select_for_update().get(pk=restriction.pk)
    if locked.lifted_at is not None:
        raise ConsentError(_("This restriction was already lifted."))
    locked.lifted_at = timezone.now()
    locked.lifted_by = actor
    locked.save(update_fields=["lifted_at", "lifted_by"])
    audit_record(
        actor=actor,
        action="consents.restriction.lifted",
        target=locked,
        payload={"customer": locked.customer_id, "kind": locked.kind, "ref": locked.reference},
    )
    signals.restriction_lifted.send(sender=Restriction, restriction=locked)
    restriction.lifted_at, restriction.lifted_by = locked.lifted_at, actor
    return locked


@transaction.atomic
def consent_devices_erase(*, customer: User) -> int:
    """Blank the network address and device of the erased account's consent events (LW-9,
    LW-6.1); the ledger keeps what was chosen and when. Refused for an account that is not
    erased. Returns how many events were blanked."""
    return erased_write(
        function="consents_consentevent_erase",
        customer=customer,
        fallback=lambda: ConsentEvent.objects.filter(customer=customer).erase(),
    )
