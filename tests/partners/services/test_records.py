"""Provision records (APPI-29): written with the provision, never edited, purged after the
retention period. Exceptions B-F are in test_exceptions.py."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from partners import selectors
from partners.errors import PartnerError
from partners.models import Basis, DataItem, PartnerKind, ProvisionRecord
from partners.services import records
from portal.models import AuditEvent, OutboundMail
from portal.services import mail_queue
from tests import factories as people
from tests.dbroles import provision_retention
from tests.partners import factories as pf
from tests.partners.conftest import grant

pytestmark = pytest.mark.django_db

ITEMS = [DataItem.PREFECTURE, DataItem.BIRTH_YEAR]


@pytest.fixture
def partner(quality_purpose):
    return pf.partner_with(purpose=quality_purpose, items=ITEMS)


@pytest.mark.clause("APPI-29", "LY-1")
def test_allowed_provision_writes_the_record(customer, agent, partner, quality_purpose):
    [event] = grant(customer, quality_purpose)
    record = records.provision_record(
        customer=customer, partner=partner, purpose=quality_purpose, items=ITEMS, actor=agent
    )
    record.refresh_from_db()
    assert record.customer == customer
    assert record.partner == partner
    assert record.recipient_name == f"{partner.name_ja} / {partner.name_en}"
    assert record.data_items == sorted(ITEMS)
    assert record.purpose == quality_purpose
    assert record.basis == Basis.CONSENT
    assert record.consent_event == event
    assert record.provided_at is not None
    assert record.customer_reference == records.customer_reference(customer.pk)
    assert AuditEvent.objects.filter(action="partners.provision.recorded").count() == 1
    assert list(selectors.provision_records_for(customer=customer)) == [record]


@pytest.mark.clause("APPI-29", "LW-4.1")
def test_denied_provision_writes_nothing(customer, partner, quality_purpose):
    with pytest.raises(PartnerError) as info:
        records.provision_record(
            customer=customer, partner=partner, purpose=quality_purpose, items=ITEMS
        )
    assert info.value.decision.reason == "no_consent"
    assert not ProvisionRecord.objects.exists()


@pytest.mark.clause("APPI-29")
def test_record_and_provision_are_one_transaction(customer, partner, quality_purpose):
    grant(customer, quality_purpose)
    with (
        pytest.raises(RuntimeError),
        records.provision(
            customer=customer, partner=partner, purpose=quality_purpose, items=ITEMS
        ) as record,
    ):
        assert record.pk is not None
        # The provision itself: here a notice to the recipient, queued in the outbox.
        mail_queue(
            to="api@partner.example",
            language="ja",
            template="partners/review_due",
            context={"partner": partner, "due_on": timezone.localdate()},
        )
        raise RuntimeError("the recipient's system failed after the record was written")
    assert not ProvisionRecord.objects.exists()
    assert not OutboundMail.objects.exists()
    with records.provision(
        customer=customer, partner=partner, purpose=quality_purpose, items=ITEMS
    ) as record:
        pass
    assert ProvisionRecord.objects.get() == record


@pytest.mark.clause("LW-4.2", "LY-3", "APPI-29")
def test_entrustment_is_recorded_with_its_basis(customer, quality_purpose):
    partner = pf.partner_with(
        kind=PartnerKind.ENTRUSTED_PROCESSOR, purpose=quality_purpose, items=[DataItem.INQUIRY]
    )
    record = records.provision_record(
        customer=customer, partner=partner, purpose=quality_purpose, items=[DataItem.INQUIRY]
    )
    assert record.basis == Basis.ENTRUSTMENT
    assert record.consent_event is None


# --- never edited ---------------------------------------------------------------------------


def _old_record(customer, partner, purpose, age_days):
    return ProvisionRecord.objects.create(
        partner=partner,
        recipient_name=partner.name_en,
        recipient_country="JP",
        customer=customer,
        customer_reference=records.customer_reference(customer.pk),
        purpose=purpose,
        data_items=ITEMS,
        basis=Basis.CONSENT,
        provided_at=timezone.now() - datetime.timedelta(days=age_days),
    )


@pytest.mark.postgres
@pytest.mark.clause("APPI-29")
def test_the_database_refuses_edits_and_deletes(customer, partner, quality_purpose):
    record = _old_record(customer, partner, quality_purpose, 10)
    with pytest.raises(DatabaseError), transaction.atomic():
        ProvisionRecord.objects.filter(pk=record.pk).update(data_items=["name"])
    # The link to a live account may not be dropped either.
    with pytest.raises(DatabaseError), transaction.atomic():
        ProvisionRecord.objects.filter(pk=record.pk).update(customer=None)
    with pytest.raises(DatabaseError), transaction.atomic():
        ProvisionRecord.objects.filter(pk=record.pk).delete()
    # Even an old record can be deleted only by the purge: the runtime role may not DELETE.
    # (One role owns the tables, and its trigger lets a record past retention go.)
    old = _old_record(customer, partner, quality_purpose, 5 * 365)
    if settings.DATABASE_OWNER is not None:
        with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
            ProvisionRecord.objects.filter(pk=old.pk).delete()
        assert ProvisionRecord.objects.count() == 2
    else:
        ProvisionRecord.objects.filter(pk=old.pk).delete()
        assert list(ProvisionRecord.objects.all()) == [record]


@pytest.mark.postgres
@pytest.mark.clause("APPI-29")
def test_erasing_an_account_keeps_the_record_with_its_pseudonym(partner, quality_purpose, erase):
    leaving = people.customer(email="leaving@example.jp")
    reference = records.customer_reference(leaving.pk)
    record = _old_record(leaving, partner, quality_purpose, 10)
    staying = _old_record(people.customer(email="staying@example.jp"), partner, quality_purpose, 10)
    erase(leaving)
    record.refresh_from_db()
    assert record.customer is None
    assert record.customer_reference == reference
    staying.refresh_from_db()
    assert staying.customer is not None


# --- retention ------------------------------------------------------------------------------


@pytest.mark.clause("APPI-29")
def test_retention_purge(customer, partner, quality_purpose, settings):
    settings.PROVISION_RECORD_RETENTION_DAYS = 3 * 365
    expired = _old_record(customer, partner, quality_purpose, 3 * 365 + 1)
    kept = _old_record(customer, partner, quality_purpose, 3 * 365 - 1)
    assert records.provision_records_purge() == 1
    assert list(ProvisionRecord.objects.all()) == [kept]
    assert not ProvisionRecord.objects.filter(pk=expired.pk).exists()
    assert records.provision_records_purge() == 0  # a second run is harmless
    settings.PROVISION_RECORD_RETENTION_DAYS = 30
    # On PostgreSQL the database's own period (the owner's) must allow it too.
    with provision_retention(30):
        assert records.provision_records_purge() == 1


@pytest.mark.clause("APPI-29")
def test_the_purge_is_scheduled_in_the_database():
    task = PeriodicTask.objects.get(task="partners.tasks.provision_records_purge_task")
    assert task.enabled and task.crontab is not None
