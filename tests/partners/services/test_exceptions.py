"""One approved exception B-F authorises one provision: exactly the one it describes
(recipient, customer, purpose, data items), once; the database enforces it (LW-4.1). An
exception needs another administrator's approval and a written justification; rejected, it
provides nothing."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from partners.errors import PartnerError
from partners.models import (
    Basis,
    DataItem,
    ExceptionRequest,
    ExceptionStatus,
    ProvisionRecord,
)
from partners.services import exceptions, gate
from partners.services import records as partner_records
from portal.models import Approval, ApprovalStatus
from tests import factories as people
from tests.consents import factories as cf
from tests.partners import factories as pf

pytestmark = pytest.mark.django_db

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
    exception = ExceptionRequest.objects.create(
        customer=customer,
        partner=partner,
        purpose=purpose,
        data_items=sorted(ITEMS),
        basis=Basis.EXCEPTION_D,
        justification=JUSTIFICATION,
        requested_by=requester,
    )
    Approval.objects.create(
        subject=exception,
        kind="exception",
        status=ApprovalStatus.APPROVED,
        asked_by=requester,
        reason=JUSTIFICATION,
        decided_by=approver,
        decided_at=timezone.now(),
    )
    assert exception.status == ExceptionStatus.PROVIDED
    return exception


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


# --- asking, approving and rejecting ---------------------------------------------------------


ASKED_ITEMS = [DataItem.PREFECTURE, DataItem.BIRTH_YEAR]


@pytest.fixture
def police(quality_purpose):
    return pf.partner_with(purpose=quality_purpose, items=ASKED_ITEMS)


def _ask(customer, partner, purpose, actor, **kwargs):
    return exceptions.exception_request(
        customer=customer,
        partner=partner,
        purpose=purpose,
        items=ASKED_ITEMS,
        basis=kwargs.pop("basis", Basis.EXCEPTION_D),
        justification=kwargs.pop(
            "justification", "A written inquiry from the prefectural police under Art. 197(2)."
        ),
        actor=actor,
    )


@pytest.mark.clause("LW-4.1")
def test_an_exception_needs_another_administrators_approval(
    customer, agent, administrator, police, quality_purpose
):
    request = _ask(customer, police, quality_purpose, administrator)
    assert request.status == ExceptionStatus.PENDING
    assert not ProvisionRecord.objects.exists()
    # Staff without the administrator role cannot approve; nor can the requester.
    with pytest.raises(PartnerError):
        exceptions.exception_approve(exception=request, actor=agent)
    with pytest.raises(PartnerError):
        exceptions.exception_approve(exception=request, actor=administrator)
    assert not ProvisionRecord.objects.exists()
    other_admin = people.administrator(email="erin@example.jp")
    record = exceptions.exception_approve(exception=request, actor=other_admin)
    assert record.basis == Basis.EXCEPTION_D
    assert record.exception == request
    request.refresh_from_db()
    assert request.status == ExceptionStatus.PROVIDED and request.decided_by == other_admin
    with pytest.raises(PartnerError):
        exceptions.exception_approve(exception=request, actor=other_admin)
    assert ProvisionRecord.objects.count() == 1


@pytest.mark.clause("LW-4.1")
def test_an_exception_needs_a_written_justification(customer, agent, police, quality_purpose):
    with pytest.raises(PartnerError):
        _ask(customer, police, quality_purpose, agent, justification="because")
    with pytest.raises(PartnerError):
        _ask(customer, police, quality_purpose, agent, basis=Basis.CONSENT)


@pytest.mark.clause("LW-4.1")
def test_an_unapproved_exception_is_no_basis(customer, agent, police, quality_purpose):
    request = _ask(customer, police, quality_purpose, agent)
    decision = gate.provision_decide(
        customer=customer,
        partner=police,
        purpose=quality_purpose,
        items=ASKED_ITEMS,
        exception=request,
    )
    assert not decision.allowed and decision.reason == "exception_not_approved"
    with pytest.raises(PartnerError):
        partner_records.provision_record(
            customer=customer,
            partner=police,
            purpose=quality_purpose,
            items=ASKED_ITEMS,
            exception=request,
        )


@pytest.mark.clause("LW-4.1")
def test_rejection_provides_nothing(customer, agent, administrator, police, quality_purpose):
    request = _ask(customer, police, quality_purpose, agent)
    with pytest.raises(PartnerError):
        exceptions.exception_reject(exception=request, actor=administrator, note="")
    exceptions.exception_reject(exception=request, actor=administrator, note="No legal basis.")
    request.refresh_from_db()
    assert request.status == ExceptionStatus.REJECTED
    assert not ProvisionRecord.objects.exists()


@pytest.mark.postgres
@pytest.mark.clause("APPI-29", "LW-4.1")
def test_erasing_an_account_keeps_exception_provisions(
    agent, administrator, quality_purpose, erase
):
    police = pf.partner_with(purpose=quality_purpose, items=ASKED_ITEMS)
    leaving = people.customer(email="leaving-too@example.jp")
    request = _ask(leaving, police, quality_purpose, agent)
    record = exceptions.exception_approve(exception=request, actor=administrator)
    erase(leaving)
    leaving.delete()
    request.refresh_from_db()
    record.refresh_from_db()
    assert request.customer is None and request.status == ExceptionStatus.PROVIDED
    assert record.customer is None and record.exception == request
