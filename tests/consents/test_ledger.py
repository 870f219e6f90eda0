"""The ledger is append-only and agrees with the current state, also under concurrent
changes (PostgreSQL, two threads)."""

from __future__ import annotations

import itertools
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction

from consents import services
from consents.models import ConsentEvent, ConsentState
from tests import factories as people
from tests.consents import factories as f


@pytest.mark.django_db
def test_the_orm_refuses_to_change_or_delete_an_event(customer):
    purpose = f.opt_in_purpose()
    [event] = services.consent_change(customer=customer, choices={purpose.code: True}, source="web")
    event.granted = False
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()
    with pytest.raises(PermissionDenied):
        ConsentEvent.objects.filter(pk=event.pk).update(granted=False)
    with pytest.raises(PermissionDenied):
        ConsentEvent.objects.all().delete()


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_database_refuses_to_change_or_delete_an_event(customer):
    purpose = f.opt_in_purpose()
    [event] = services.consent_change(customer=customer, choices={purpose.code: True}, source="web")
    for sql in (
        "UPDATE consents_consentevent SET granted = false WHERE id = %s",
        "DELETE FROM consents_consentevent WHERE id = %s",
    ):
        with (
            pytest.raises(Exception, match=r"permission denied|append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    assert ConsentEvent.objects.get(pk=event.pk).granted


@pytest.mark.django_db
def test_one_general_state_per_customer_and_purpose(customer):
    purpose = f.opt_in_purpose()
    service = f.ServiceFactory()
    [event] = services.consent_change(customer=customer, choices={purpose.code: True}, source="web")
    [other] = services.consent_change(
        customer=customer, choices={purpose.code: True}, source="web", service=service
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentState.objects.create(
            customer=customer,
            purpose=purpose,
            granted=False,
            event=other,
            decided_at=other.created_at,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentState.objects.create(
            customer=customer,
            purpose=purpose,
            service=service,
            granted=False,
            event=event,
            decided_at=event.created_at,
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_threads_changing_one_customer_keep_ledger_and_state_consistent():
    """Two threads flip the same purposes (general and per service) many times at once:
    every change is in the ledger, no state row is duplicated, and each state is the last
    event of its (purpose, service)."""
    # Not the cast: a transactional test may run after another has flushed the role groups.
    customer = people.customer()
    purposes = [f.opt_in_purpose(code=f"p{n}") for n in range(3)]
    service = f.ServiceFactory(code="svc", purposes=purposes)
    rounds = 15
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def work(offset: int, with_service: bool):
        try:
            barrier.wait()
            for n in range(rounds):
                services.consent_change(
                    customer=customer,
                    choices={p.code: (n + offset) % 2 == 0 for p in purposes},
                    source="web",
                    service=service if with_service and n % 3 == 0 else None,
                )
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=work, args=(0, False)),
        threading.Thread(target=work, args=(1, True)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    states = list(ConsentState.objects.filter(customer=customer).select_related("event"))
    keys = [(s.purpose_id, s.service_id) for s in states]
    assert len(keys) == len(set(keys))
    assert {k for k in keys} == {(p.pk, None) for p in purposes} | {
        (p.pk, service.pk) for p in purposes
    }
    for state in states:
        latest = (
            ConsentEvent.objects.filter(
                customer=customer, purpose_id=state.purpose_id, service_id=state.service_id
            )
            .order_by("-created_at", "-id")
            .first()
        )
        assert state.event_id == latest.pk
        assert state.granted == latest.granted
        assert state.decided_at == latest.created_at
    # Every recorded event changed something: consecutive events of one key alternate.
    for purpose_id, service_id in keys:
        values = list(
            ConsentEvent.objects.filter(
                customer=customer, purpose_id=purpose_id, service_id=service_id
            )
            .order_by("created_at", "id")
            .values_list("granted", flat=True)
        )
        assert all(a != b for a, b in itertools.pairwise(values)), values
