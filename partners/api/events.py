"""The partner event feed: what a partner hears when a customer it knows changes
their mind. Fed by the signals of `consents` and `portal` (so neither imports partners), in
the transaction of the change; each change is one event per partner (unique `source`), and
the webhook deliveries are queued when that transaction commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from consents.models import ConsentEvent, Restriction, Service, ServiceKind
from partners.api.models import EventType, PartnerEvent, PartnerSubject, SubjectTrigger
from partners.api.subjects import subject_issue
from partners.api.webhooks import deliveries_create
from partners.errors import PartnerError
from partners.models import Arrangement, ArrangementStatus, Partner

FEED_MAX = 500


def _txid() -> int:
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")
        return cursor.fetchone()[0]


def _partner_purposes(partner_ids: Iterable[int]) -> dict[int, set[int]]:
    """Purpose ids each partner's active arrangements cover: what concerns the partner."""
    through = Arrangement.purposes.through
    rows = through.objects.filter(
        arrangement__partner_id__in=list(partner_ids),
        arrangement__status=ArrangementStatus.ACTIVE,
    ).values_list("arrangement__partner_id", "purpose_id")
    found: dict[int, set[int]] = {}
    for partner_id, purpose_id in rows:
        found.setdefault(partner_id, set()).add(purpose_id)
    return found


def _live_subjects(customer_id: int) -> list[PartnerSubject]:
    return list(
        PartnerSubject.objects.select_related("partner").filter(
            customer_id=customer_id, erased_at__isnull=True, partner__is_active=True
        )
    )


def _emit(items: list[tuple[PartnerSubject, str, dict, str]]) -> list[PartnerEvent]:
    """Write events (subject, type, data, source); a source already written is skipped.
    Deliveries to the partner's webhook endpoints are made and queued on commit."""
    if not items:
        return []
    txid = _txid()
    now = timezone.now()
    created = []
    for subject, kind, data, source in items:
        event = PartnerEvent(
            partner_id=subject.partner_id,
            event_id=f"evt_{uuid.uuid4().hex}",
            type=kind,
            subject=subject,
            data={"subject": subject.subject_id, "occurred_at": now.isoformat(), **data},
            source=source,
            txid=txid,
            created_at=now,
        )
        try:
            with transaction.atomic():
                event.save()
        except IntegrityError:
            continue  # this change was already told to this partner
        created.append(event)
    deliveries_create(events=created)
    return created


def on_consent_changed(sender, *, customer, events: list[ConsentEvent], service, **kwargs) -> None:
    """Ledger events -> consent.granted / consent.withdrawn, for partners that know the
    customer and whom the purpose (or the service, LY-6) concerns. Connecting an application
    (a grant for a connected application, LY-7) issues its subject id first."""
    if not events:
        return
    if (
        service is not None
        and service.kind == ServiceKind.CONNECTED_APPLICATION
        and any(e.granted for e in events)
    ):
        partner = Partner.objects.filter(service=service, is_active=True).first()
        if partner is not None:
            subject_issue(partner=partner, customer=customer, trigger=SubjectTrigger.APPLICATION)
    subjects = _live_subjects(customer.pk)
    purposes = _partner_purposes(s.partner_id for s in subjects)
    items = []
    for subject in subjects:
        for event in events:
            if service is not None:
                concerns = subject.partner.service_id == service.pk
            else:
                concerns = event.purpose_id in purposes.get(subject.partner_id, set())
            if not concerns:
                continue
            kind = EventType.CONSENT_GRANTED if event.granted else EventType.CONSENT_WITHDRAWN
            data = {
                "purpose": event.purpose.code,
                "service": service.code if service is not None else None,
                "granted": event.granted,
            }
            items.append((subject, kind, data, f"consent:{event.pk}"))
    _emit(items)


def _on_restriction(restriction: Restriction, kind: str, suffix: str) -> None:
    subjects = _live_subjects(restriction.customer_id)
    purposes = _partner_purposes(s.partner_id for s in subjects)
    restricted = {p.pk: p.code for p in restriction.purposes.all()}
    items = []
    for subject in subjects:
        concerned = sorted(
            code for pk, code in restricted.items() if pk in purposes.get(subject.partner_id, ())
        )
        if concerned:
            data = {"restriction": restriction.kind, "purposes": concerned}
            items.append((subject, kind, data, f"restriction:{restriction.pk}:{suffix}"))
    _emit(items)


def on_restriction_recorded(sender, *, restriction: Restriction, **kwargs) -> None:
    _on_restriction(restriction, EventType.RESTRICTION_RECORDED, "recorded")


def on_restriction_lifted(sender, *, restriction: Restriction, **kwargs) -> None:
    _on_restriction(restriction, EventType.RESTRICTION_LIFTED, "lifted")


def on_service_revoked(sender, *, customer, service: Service, events, **kwargs) -> None:
    """The customer disconnected an application (LY-7): its partner hears it once."""
    if not events:
        return
    subjects = [s for s in _live_subjects(customer.pk) if s.partner.service_id == service.pk]
    change = events[0].change_id
    _emit(
        [
            (s, EventType.APPLICATION_REVOKED, {"application": service.code}, f"revoked:{change}")
            for s in subjects
        ]
    )


def on_account_erased(sender, *, customer, **kwargs) -> None:
    """Every partner that knows the customer hears of the erasure; the subject ids then stop
    resolving (the API answers 404, as for any unknown id)."""
    subjects = _live_subjects(customer.pk)
    _emit([(s, EventType.ACCOUNT_ERASED, {}, f"erased:{customer.pk}") for s in subjects])
    PartnerSubject.objects.filter(customer=customer, erased_at__isnull=True).update(
        erased_at=timezone.now()
    )


def connect() -> None:
    from consents import signals
    from portal.signals import account_erased

    signals.consent_changed.connect(on_consent_changed, dispatch_uid="partners.api.consent")
    signals.restriction_recorded.connect(
        on_restriction_recorded, dispatch_uid="partners.api.restriction_recorded"
    )
    signals.restriction_lifted.connect(
        on_restriction_lifted, dispatch_uid="partners.api.restriction_lifted"
    )
    signals.service_revoked.connect(on_service_revoked, dispatch_uid="partners.api.revoked")
    account_erased.connect(on_account_erased, dispatch_uid="partners.api.erased")


# --- the feed --------------------------------------------------------------------------------


# A cursor is "<transaction id>.<event id>" of the last event handed out; the feed's schema
# restricts it to that shape, so any cursor that passes validation can be answered.
CURSOR_PATTERN = r"^[0-9]{1,18}\.[0-9]{1,18}$"


def cursor_encode(txid: int, pk: int) -> str:
    return f"{txid}.{pk}"


def cursor_decode(cursor: str) -> tuple[int, int]:
    txid, sep, pk = cursor.partition(".")
    if not (sep and txid.isdigit() and pk.isdigit() and len(txid) <= 18 and len(pk) <= 18):
        raise PartnerError(_("The cursor is not one this feed gave out."))
    return int(txid), int(pk)


def events_page(
    *, partner: Partner, after: str | None, limit: int
) -> tuple[list[PartnerEvent], str]:
    """The partner's events after the cursor, oldest first, and the cursor to ask with next.
    On PostgreSQL only events of transactions that have ended are handed out, in
    (transaction id, id) order, so an event committed late is never skipped."""
    txid, pk = cursor_decode(after) if after else (0, 0)
    limit = max(1, min(limit, FEED_MAX))
    qs = (
        PartnerEvent.objects.select_related("subject")
        .filter(partner=partner)
        .filter(Q(txid__gt=txid) | Q(txid=txid, pk__gt=pk))
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint, "
                "pg_current_xact_id_if_assigned()::text::bigint"
            )
            horizon, own = cursor.fetchone()
        # Ended transactions, and this one's own writes (which it sees anyway).
        qs = qs.filter(Q(txid__lt=horizon) | Q(txid=own if own is not None else -1))
    events = list(qs.order_by("txid", "pk")[:limit])
    if events:
        last = events[-1]
        return events, cursor_encode(last.txid, last.pk)
    return events, cursor_encode(txid, pk) if after else cursor_encode(0, 0)
