"""One approved exception B-F authorises one provision: exactly the one it describes
(recipient, customer, purpose, data items), once; the database enforces it (LW-4.1)."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from partners.errors import PartnerError
from partners.models import Basis, DataItem, ExceptionRequest, ExceptionStatus, ProvisionRecord
from partners.services import exceptions, gate
from partners.services import records as partner_records
from tests import factories as people
from tests.consents import factories as cf
from tests.partners import factories as pf

ITEMS = [DataItem.NAME, DataItem.PHONE]
JUSTIFICATION = "A written inquiry from the prefectural police under Art. 197(2)."


def _setup():
    customer = people.customer(email="target@example.jp")
    other = people.customer(email="someone-else@example.jp")
    requester = people.administrator(email="requester@example.jp")
    approver = people.administrator(email="approver@example.jp")
    purpose = cf.provision_purpose(code="police-inquiry")
    other_purpose = cf.provision_purpose(code="another-purpose")
    police = pf.partner_with(purpose=purpose, items=ITEMS)
    elsewhere = pf.partner_with(purpose=purpose, items=ITEMS)
    return customer, other, requester, approver, purpose, other_purpose, police, elsewhere


def _approved_unused(customer, partner, purpose, requester, approver) -> ExceptionRequest:
    """An approval recorded without its provision yet (as the database may hold one)."""
    return ExceptionRequest.objects.create(
        customer=customer,
        partner=partner,
        purpose=purpose,
        data_items=sorted(ITEMS),
        basis=Basis.EXCEPTION_D,
        justification=JUSTIFICATION,
        requested_by=requester,
        status=ExceptionStatus.PROVIDED,
        decided_by=approver,
        decided_at=timezone.now(),
    )


@pytest.mark.django_db
@pytest.mark.clause("LW-4.1")
def test_an_approved_exception_covers_exactly_its_provision_once():
    customer, other, requester, approver, purpose, other_purpose, police, elsewhere = _setup()
    request = exceptions.exception_request(
        customer=customer,
        partner=police,
        purpose=purpose,
        items=ITEMS,
        basis=Basis.EXCEPTION_D,
        justification=JUSTIFICATION,
        actor=requester,
    )
    record = exceptions.exception_approve(exception=request, actor=approver)
    assert record.exception_id == request.pk and record.basis == Basis.EXCEPTION_D
    # Anything else than the provision it describes, and the same provision again: refused.
    # (customer, partner, purpose, items) -> reason
    attempts = [
        ((customer, police, purpose, ITEMS), "exception_used"),
        ((customer, police, purpose, [DataItem.NAME]), "exception_mismatch"),
        ((customer, police, purpose, [*ITEMS, DataItem.EMAIL]), "exception_mismatch"),
        ((other, police, purpose, ITEMS), "exception_mismatch"),
        ((customer, elsewhere, purpose, ITEMS), "exception_mismatch"),
        ((customer, police, other_purpose, ITEMS), "exception_mismatch"),
    ]
    for (who, partner, what, items), reason in attempts:
        decision = gate.provision_decide(
            customer=who, partner=partner, purpose=what, items=items, exception=request
        )
        assert (decision.allowed, decision.reason) == (False, reason)
        with pytest.raises(PartnerError):
            partner_records.provision_record(
                customer=who,
                partner=partner,
                purpose=what,
                items=items,
                actor=approver,
                exception=request,
            )
    assert ProvisionRecord.objects.filter(exception=request).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.clause("LW-4.1")
def test_the_database_refuses_a_second_record_for_one_exception():
    customer, _other, requester, approver, purpose, _p, police, _e = _setup()
    exception = _approved_unused(customer, police, purpose, requester, approver)
    partner_records.provision_record(
        customer=customer,
        partner=police,
        purpose=purpose,
        items=ITEMS,
        actor=approver,
        exception=exception,
    )
    with (
        pytest.raises(IntegrityError, match="partners_record_one_per_exception"),
        transaction.atomic(),
    ):
        ProvisionRecord.objects.create(
            partner=police,
            recipient_name="bypassing the service",
            recipient_country="JP",
            customer=customer,
            customer_reference=partner_records.customer_reference(customer.pk),
            purpose=purpose,
            data_items=sorted(ITEMS),
            basis=Basis.EXCEPTION_D,
            exception=exception,
        )
    assert ProvisionRecord.objects.filter(exception=exception).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("LW-4.1")
def test_two_concurrent_uses_of_one_exception_provide_once():
    """Two connections use the same approved exception at the same moment: one provision
    and its record; the other gets a clear refusal, not a database error."""
    customer, _other, requester, approver, purpose, _p, police, _e = _setup()
    exception = _approved_unused(customer, police, purpose, requester, approver)
    barrier = threading.Barrier(2)
    results: list[object] = []
    lock = threading.Lock()

    def use():
        try:
            barrier.wait()
            record = partner_records.provision_record(
                customer=customer,
                partner=police,
                purpose=purpose,
                items=ITEMS,
                actor=approver,
                exception=exception,
            )
            outcome: object = record.pk
        except BaseException as exc:  # reported below, not lost in the thread
            outcome = exc
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=use) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    records = [r for r in results if isinstance(r, int)]
    refusals = [r for r in results if isinstance(r, PartnerError)]
    assert len(records) == 1 and len(refusals) == 1, results
    assert ProvisionRecord.objects.filter(exception=exception).count() == 1
