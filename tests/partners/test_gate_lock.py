"""The gate decides and records under the lock consent changes take, so a withdrawal (or a
restriction) that commits while it decides is never missed (LY-1, LW-6.1). PostgreSQL, two
connections: the gate in one thread, the customer's change in another."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from consents import services as consent_services
from consents.models import ConsentEvent, Restriction, RestrictionKind
from partners.errors import PartnerError
from partners.models import DataItem, ProvisionRecord
from partners.services import gate as partner_gate
from partners.services import records
from tests import factories as people
from tests.consents import factories as cf
from tests.partners import factories as pf

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ITEMS = [DataItem.PREFECTURE, DataItem.USAGE]
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
    partner = pf.partner_with(purpose=purpose, items=ITEMS)
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
                customer=customer, partner=partner, purpose=purpose, items=ITEMS
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
    decision = real_decide(customer=customer, partner=partner, purpose=purpose, items=ITEMS)
    assert not decision.allowed


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
                customer=customer, partner=partner, purpose=purpose, items=ITEMS
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
