"""The provision gate (LW-4.1, LW-4.2, LW-4.3, LY-1, LY-2, LY-3, LY-4, LY-6, LY-7)."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from consents import services as consent_services
from consents.models import ConsentEvent, Restriction, RestrictionKind
from partners.errors import PartnerError
from partners.models import ArrangementStatus, Basis, DataItem, PartnerKind, ProvisionRecord
from partners.services import gate, records
from partners.services import gate as partner_gate
from tests import factories as people
from tests.consents import factories as cf
from tests.partners import factories as pf
from tests.partners.conftest import grant, withdraw

pytestmark = pytest.mark.django_db

ITEMS = [DataItem.PREFECTURE, DataItem.BIRTH_YEAR]

CONSENT_STATES = ["granted", "withdrawn", "never", "service_granted", "service_withdrawn"]
RESTRICTIONS = [None, RestrictionKind.SUSPENSION, RestrictionKind.THIRD_PARTY_STOP]
NO_CONSENT_NEEDED = {
    PartnerKind.GROUP_COMPANY: Basis.JOINT_USE,
    PartnerKind.ENTRUSTED_PROCESSOR: Basis.ENTRUSTMENT,
    PartnerKind.JOINT_USE_PARTNER: Basis.JOINT_USE,
}


def _expected(kind: str, state: str, restriction) -> tuple[bool, str | None]:
    if restriction is not None:
        return False, None
    if kind in NO_CONSENT_NEEDED:
        return True, NO_CONSENT_NEEDED[kind]
    if kind == PartnerKind.CONNECTED_APPLICATION:
        # The service-specific answer beats the general one, both ways (LY-6, LY-7).
        granted = state in ("granted", "service_granted")
    else:
        granted = state in ("granted", "service_withdrawn")
    return granted, Basis.CONSENT if granted else None


def _set_state(customer, purpose, service, state):
    if state in ("granted", "service_withdrawn"):
        grant(customer, purpose)
    if state == "withdrawn":
        grant(customer, purpose)
        withdraw(customer, purpose)
    if state == "service_granted":
        withdraw(customer, purpose)
        grant(customer, purpose, service)
    if state == "service_withdrawn":
        withdraw(customer, purpose, service)


@pytest.mark.clause("LW-4.1", "LY-1", "LY-3", "LY-4", "LY-6", "LY-7")
@pytest.mark.parametrize("restriction", RESTRICTIONS, ids=lambda r: r or "unrestricted")
@pytest.mark.parametrize("state", CONSENT_STATES)
@pytest.mark.parametrize("kind", PartnerKind.values)
def test_decision_table(customer, quality_purpose, kind, state, restriction):
    service = cf.connected_application(code="app-x", purposes=[quality_purpose])
    extra = {"service": service} if kind == PartnerKind.CONNECTED_APPLICATION else {}
    partner = pf.partner_with(kind=kind, purpose=quality_purpose, items=ITEMS, **extra)
    _set_state(customer, quality_purpose, service, state)
    if restriction:
        consent_services.restriction_record(
            customer=customer,
            kind=restriction,
            purposes=[quality_purpose],
            reference="REQ-1",
            actor=None,
        )
    decision = gate.provision_decide(
        customer=customer, partner=partner, purpose=quality_purpose, items=ITEMS
    )
    allowed, basis = _expected(kind, state, restriction)
    assert (decision.allowed, decision.basis) == (allowed, basis), decision.message
    if restriction:
        assert decision.reason == "restricted"
    if basis == Basis.CONSENT:
        # The consent event relied on is the one that decided (LY-6).
        assert decision.consent_event is not None
        assert decision.consent_event.granted
        expected_service = service if decision.decided_by == "service" else None
        assert decision.consent_event.service == expected_service
        assert decision.decided_by == ("service" if state == "service_granted" else "general")
    if basis in (Basis.ENTRUSTMENT, Basis.JOINT_USE):
        assert decision.consent_event is None


@pytest.mark.clause("LW-4.1", "LY-1")
def test_no_arrangement_no_provision(customer, quality_purpose):
    other = cf.provision_purpose(code="other-purpose")
    partner = pf.partner_with(purpose=other, items=ITEMS)
    grant(customer, quality_purpose)
    decision = gate.provision_decide(
        customer=customer, partner=partner, purpose=quality_purpose, items=ITEMS
    )
    assert not decision.allowed and decision.reason == "no_arrangement"


@pytest.mark.clause("LW-4.2", "LY-3", "LW-4.3")
@pytest.mark.parametrize("kind", [PartnerKind.ENTRUSTED_PROCESSOR, PartnerKind.JOINT_USE_PARTNER])
def test_entrustment_and_joint_use_only_within_items_and_purposes(customer, quality_purpose, kind):
    partner = pf.partner_with(kind=kind, purpose=quality_purpose, items=[DataItem.INQUIRY])
    inside = gate.provision_decide(
        customer=customer, partner=partner, purpose=quality_purpose, items=[DataItem.INQUIRY]
    )
    assert inside.allowed
    outside = gate.provision_decide(
        customer=customer,
        partner=partner,
        purpose=quality_purpose,
        items=[DataItem.INQUIRY, DataItem.PHONE],
    )
    assert not outside.allowed and outside.reason == "items_outside"
    other_purpose = cf.provision_purpose(code="not-covered")
    elsewhere = gate.provision_decide(
        customer=customer, partner=partner, purpose=other_purpose, items=[DataItem.INQUIRY]
    )
    assert not elsewhere.allowed and elsewhere.reason == "no_arrangement"


@pytest.mark.clause("LW-4.1")
def test_arrangement_must_be_in_force(customer, quality_purpose):
    grant(customer, quality_purpose)
    partner = pf.PartnerFactory()
    today = timezone.localdate()
    arrangement = pf.ArrangementFactory(
        partner=partner,
        purposes=[quality_purpose],
        data_items=ITEMS,
        ends_on=today - datetime.timedelta(days=1),
        starts_on=today - datetime.timedelta(days=10),
    )
    decide = lambda: gate.provision_decide(  # noqa: E731
        customer=customer, partner=partner, purpose=quality_purpose, items=ITEMS
    )
    assert decide().reason == "no_arrangement"
    arrangement.ends_on = None
    arrangement.status = ArrangementStatus.DRAFT
    arrangement.save()
    assert decide().reason == "no_arrangement"
    arrangement.status = ArrangementStatus.ACTIVE
    arrangement.save()
    assert decide().allowed
    partner.is_active = False
    partner.save()
    assert decide().reason == "partner_inactive"


@pytest.mark.clause("LY-2", "LW-4.1")
def test_overseas_third_party_needs_the_country_consent(
    customer, quality_purpose, overseas_purpose
):
    partner = pf.partner_with(purpose=quality_purpose, items=ITEMS, country=pf.singapore())
    grant(customer, quality_purpose)
    decision = gate.provision_decide(
        customer=customer, partner=partner, purpose=quality_purpose, items=ITEMS
    )
    assert not decision.allowed and decision.reason == "no_overseas_consent"
    [event] = grant(customer, overseas_purpose)
    decision = gate.provision_decide(
        customer=customer, partner=partner, purpose=quality_purpose, items=ITEMS
    )
    assert decision.allowed and decision.basis == Basis.CONSENT
    assert decision.overseas_consent_event == event
    record = records.provision_record(
        customer=customer, partner=partner, purpose=quality_purpose, items=ITEMS
    )
    assert record.overseas_consent_event == event
    assert record.recipient_country == "SG"


@pytest.mark.clause("LY-2")
def test_overseas_without_any_consent_item_is_denied(customer, quality_purpose):
    partner = pf.partner_with(purpose=quality_purpose, items=ITEMS, country=pf.singapore())
    grant(customer, quality_purpose)
    decision = gate.provision_decide(
        customer=customer, partner=partner, purpose=quality_purpose, items=ITEMS
    )
    assert not decision.allowed and decision.reason == "no_overseas_consent"


@pytest.mark.clause("LY-2")
def test_equivalent_country_needs_no_separate_overseas_consent(customer, quality_purpose):
    partner = pf.partner_with(purpose=quality_purpose, items=ITEMS, country=pf.ireland())
    grant(customer, quality_purpose)
    decision = gate.provision_decide(
        customer=customer, partner=partner, purpose=quality_purpose, items=ITEMS
    )
    assert decision.allowed


@pytest.mark.clause("LW-4.2", "LY-2")
def test_overseas_entrustee_needs_equivalent_measures_or_consent(
    customer, quality_purpose, overseas_purpose
):
    partner = pf.partner_with(
        kind=PartnerKind.ENTRUSTED_PROCESSOR,
        purpose=quality_purpose,
        items=[DataItem.BACKUP],
        country=pf.singapore(),
    )
    decide = lambda: gate.provision_decide(  # noqa: E731
        customer=customer, partner=partner, purpose=quality_purpose, items=[DataItem.BACKUP]
    )
    assert decide().reason == "no_overseas_consent"
    partner.equivalent_measures = True
    partner.save()
    decision = decide()
    assert decision.allowed and decision.basis == Basis.ENTRUSTMENT


@pytest.mark.clause("LW-4.1")
def test_unknown_items_are_refused(customer, quality_purpose):
    partner = pf.partner_with(purpose=quality_purpose, items=ITEMS)
    grant(customer, quality_purpose)
    for items in ([], ["shoe_size"]):
        decision = gate.provision_decide(
            customer=customer, partner=partner, purpose=quality_purpose, items=items
        )
        assert not decision.allowed and decision.reason == "unknown_items"


@pytest.mark.clause("LY-7", "LY-6")
def test_revoking_a_connected_application_stops_provision(customer, quality_purpose):
    service = cf.connected_application(code="calendar-app", purposes=[quality_purpose])
    partner = pf.partner_with(
        kind=PartnerKind.CONNECTED_APPLICATION,
        purpose=quality_purpose,
        items=ITEMS,
        service=service,
    )
    grant(customer, quality_purpose, service)
    assert gate.provision_decide(
        customer=customer, partner=partner, purpose=quality_purpose, items=ITEMS
    ).allowed
    consent_services.service_revoke(customer=customer, service=service)
    decision = gate.provision_decide(
        customer=customer, partner=partner, purpose=quality_purpose, items=ITEMS
    )
    assert not decision.allowed and decision.decided_by == "service"


# --- the gate under the consent lock (PostgreSQL, two connections) -------------------------------
# The gate decides and records under the lock consent changes take, so a withdrawal (or a
# restriction) that commits while it decides is never missed (LY-1, LW-6.1): the gate in one
# thread, the customer's change in another.


LOCK_ITEMS = [DataItem.PREFECTURE, DataItem.USAGE]
# A hang guard for the polling loops below, never an assertion about time.
POLL_LIMIT = 6000


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _wait_until_blocked_or_done(pid_box: list[int], done: threading.Event) -> bool:
    """True once the other connection waits for a row lock; False if it finished first."""
    for _ in range(POLL_LIMIT):
        if done.is_set():
            return False
        if pid_box:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", pid_box
                )
                row = cursor.fetchone()
            if row and row[0] == "Lock":
                return True
        time.sleep(0.01)
    raise AssertionError("the other connection neither blocked nor finished")


def _setup():
    customer = people.customer(email="lock@example.jp")
    purpose = cf.provision_purpose(code="lock-quality")
    partner = pf.partner_with(purpose=purpose, items=LOCK_ITEMS)
    consent_services.consent_change(customer=customer, choices={purpose.code: True}, source="web")
    return customer, purpose, partner


def _change(kind: str, customer, purpose):
    if kind == "withdrawal":
        consent_services.consent_change(
            customer=customer, choices={purpose.code: False}, source="web"
        )
    else:
        consent_services.restriction_record(
            customer=customer,
            kind=RestrictionKind.THIRD_PARTY_STOP,
            purposes=[purpose],
            reference="DR-2026-000777",
            actor=None,
        )


def _changed_at(kind: str, customer):
    if kind == "withdrawal":
        return ConsentEvent.objects.filter(customer=customer, granted=False).get().created_at
    return Restriction.objects.get(customer=customer).created_at


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("LY-1", "LW-6.1")
@pytest.mark.parametrize("kind", ["withdrawal", "restriction"])
def test_a_change_arriving_between_decision_and_record_waits_for_the_record(monkeypatch, kind):
    """The gate has decided "allowed" and not yet written the record when the customer
    withdraws: the withdrawal waits for the customer's lock, so it takes effect after the
    provision it could no longer stop, never before a provision recorded as consented."""
    customer, purpose, partner = _setup()
    decided, go, change_done = threading.Event(), threading.Event(), threading.Event()
    real_decide = partner_gate.provision_decide

    def deciding_then_pausing(**kwargs):
        decision = real_decide(**kwargs)
        if threading.current_thread().name == "gate":
            decided.set()
            go.wait(timeout=120)
        return decision

    monkeypatch.setattr(partner_gate, "provision_decide", deciding_then_pausing)
    results: dict[str, object] = {}
    change_pid: list[int] = []

    def gate():
        try:
            results["gate"] = records.provision_record(
                customer=customer, partner=partner, purpose=purpose, items=LOCK_ITEMS
            )
        except BaseException as exc:  # reported below, not lost in the thread
            results["gate"] = exc
        finally:
            connection.close()

    def change():
        try:
            decided.wait(timeout=120)
            change_pid.append(_backend_pid())
            _change(kind, customer, purpose)
            results["change"] = "done"
        except BaseException as exc:
            results["change"] = exc
        finally:
            change_done.set()
            connection.close()

    threads = [threading.Thread(target=gate, name="gate"), threading.Thread(target=change)]
    for thread in threads:
        thread.start()
    decided.wait(timeout=120)
    blocked = _wait_until_blocked_or_done(change_pid, change_done)
    go.set()
    for thread in threads:
        thread.join(timeout=120)
    record = results["gate"]
    assert isinstance(record, ProvisionRecord), record
    assert results["change"] == "done", results["change"]
    # The change committed after the record: the provision was made while consent held.
    assert _changed_at(kind, customer) > record.provided_at
    assert blocked, "the change did not wait for the gate's lock"
    # And from then on the gate refuses.
    decision = real_decide(customer=customer, partner=partner, purpose=purpose, items=LOCK_ITEMS)
    assert not decision.allowed


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("LY-1", "LW-6.1")
@pytest.mark.parametrize("kind", ["withdrawal", "restriction"])
def test_a_change_committing_while_the_gate_starts_is_seen(kind):
    """The customer's change holds the lock and commits while the gate is asked: the gate
    waits for it and refuses, instead of deciding on the consent as it was."""
    customer, purpose, partner = _setup()
    changed, commit, gate_done = threading.Event(), threading.Event(), threading.Event()
    results: dict[str, object] = {}
    gate_pid: list[int] = []

    def change():
        from django.db import transaction

        try:
            with transaction.atomic():
                _change(kind, customer, purpose)
                changed.set()
                commit.wait(timeout=120)
            results["change"] = "done"
        except BaseException as exc:
            results["change"] = exc
        finally:
            changed.set()
            connection.close()

    def gate():
        try:
            gate_pid.append(_backend_pid())
            results["gate"] = records.provision_record(
                customer=customer, partner=partner, purpose=purpose, items=LOCK_ITEMS
            )
        except BaseException as exc:
            results["gate"] = exc
        finally:
            gate_done.set()
            connection.close()

    change_thread = threading.Thread(target=change)
    change_thread.start()
    changed.wait(timeout=120)
    gate_thread = threading.Thread(target=gate)
    gate_thread.start()
    blocked = _wait_until_blocked_or_done(gate_pid, gate_done)
    commit.set()
    for thread in (change_thread, gate_thread):
        thread.join(timeout=120)
    assert results["change"] == "done", results["change"]
    assert isinstance(results["gate"], PartnerError), results["gate"]
    assert results["gate"].decision.reason in ("no_consent", "restricted")
    assert blocked, "the gate did not wait for the change's lock"
    assert not ProvisionRecord.objects.filter(customer=customer).exists()
