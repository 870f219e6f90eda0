"""Who is affected (APPI-26): from the provision records (partner and period), accounts
created before a date, or an uploaded list; the count is shown before anything is added and
kept with the incident."""

from __future__ import annotations

import datetime

import pytest

from incidents import selectors, services
from incidents.errors import IncidentError
from incidents.models import AffectedPerson
from partners.services import records
from portal.models import User
from tests import factories
from tests.incidents.factories import incident, processor, provision, tokyo

D = datetime.date


def _rule(**kwargs):
    return services.ScopeRule(**kwargs)


@pytest.fixture
def desk(db):
    return processor(name_ja="問合せ代行株式会社", name_en="Inquiry Desk Ltd.")


@pytest.mark.clause("APPI-26", "APPI-29")
def test_provision_records_to_the_partner_in_the_period_scope_the_people(cast, desk):
    other_partner = processor()
    carol = factories.customer(email="carol@example.jp")
    provision(partner=desk, customer=cast.customer, when=tokyo(2026, 10, 1, 0, 0), items=["email"])
    provision(partner=desk, customer=cast.customer, when=tokyo(2026, 10, 5, 12, 0), items=["name"])
    provision(partner=desk, customer=cast.other_customer, when=tokyo(2026, 10, 31, 23, 59))
    provision(partner=desk, customer=carol, when=tokyo(2026, 11, 1, 0, 0))  # the day after
    provision(partner=desk, customer=carol, when=tokyo(2026, 9, 30, 23, 59))  # the day before
    provision(partner=other_partner, customer=carol, when=tokyo(2026, 10, 10, 10, 0))
    inc = incident(actor=cast.agent)
    rule = _rule(
        source="provision", partner=desk, date_from=D(2026, 10, 1), date_to=D(2026, 10, 31)
    )

    found = selectors.scope_find(incident=inc, rule=rule)
    assert found.new_count == 2
    by_ref = {p.reference: p for p in found.new}
    assert by_ref[records.customer_reference(cast.customer.pk)].data_items == ["email", "name"]
    assert by_ref[records.customer_reference(cast.other_customer.pk)].data_items == ["email"]
    assert AffectedPerson.objects.count() == 0  # counting adds nobody

    assert services.scope_add(incident_id=inc.pk, actor=cast.agent, rule=rule, expected_new=2) == 2
    inc.refresh_from_db()
    assert (inc.affected_count, inc.unreachable_count) == (2, 0)
    assert set(AffectedPerson.objects.values_list("customer__email", flat=True)) == {
        "alice@example.jp",
        "bob@example.com",
    }
    scoped = inc.events.get(event="scoped")
    assert scoped.changes == {"affected_count": [0, 2]}
    assert "Inquiry Desk Ltd." in scoped.note or "問合せ代行株式会社" in scoped.note

    # The same rule again finds nobody new.
    assert selectors.scope_find(incident=inc, rule=rule).new_count == 0
    with pytest.raises(IncidentError, match="nobody"):
        services.scope_add(incident_id=inc.pk, actor=cast.agent, rule=rule, expected_new=0)


@pytest.mark.clause("APPI-26")
def test_a_count_that_changed_since_the_preview_adds_nobody(cast, desk):
    inc = incident(actor=cast.agent)
    provision(partner=desk, customer=cast.customer, when=tokyo(2026, 10, 2, 9, 0))
    rule = _rule(
        source="provision", partner=desk, date_from=D(2026, 10, 1), date_to=D(2026, 10, 31)
    )
    seen = selectors.scope_find(incident=inc, rule=rule).new_count
    provision(partner=desk, customer=cast.other_customer, when=tokyo(2026, 10, 3, 9, 0))
    with pytest.raises(IncidentError, match="count changed"):
        services.scope_add(incident_id=inc.pk, actor=cast.agent, rule=rule, expected_new=seen)
    assert AffectedPerson.objects.count() == 0


@pytest.mark.clause("APPI-26")
def test_an_erased_account_in_the_records_counts_but_cannot_be_told(cast, desk):
    provision(partner=desk, customer=cast.customer, when=tokyo(2026, 10, 2, 9, 0))
    erased = factories.customer(email="erased-abc@erased.invalid", is_active=False)
    provision(partner=desk, customer=erased, when=tokyo(2026, 10, 2, 9, 0))
    inc = incident(actor=cast.agent)
    rule = _rule(source="provision", partner=desk, date_from=D(2026, 10, 1), date_to=D(2026, 10, 2))
    found = selectors.scope_find(incident=inc, rule=rule)
    assert (found.new_count, found.unreachable_new) == (2, 1)
    services.scope_add(incident_id=inc.pk, actor=cast.agent, rule=rule, expected_new=2)
    inc.refresh_from_db()
    assert (inc.affected_count, inc.unreachable_count) == (2, 1)


@pytest.mark.clause("APPI-26")
def test_accounts_created_before_a_date_leave_staff_out(cast):
    User.objects.filter(pk=cast.customer.pk).update(date_joined=tokyo(2026, 1, 1, 0, 0))
    User.objects.filter(pk=cast.other_customer.pk).update(date_joined=tokyo(2026, 6, 1, 0, 0))
    User.objects.filter(pk=cast.agent.pk).update(date_joined=tokyo(2025, 1, 1, 0, 0))
    inc = incident(actor=cast.agent)
    found = selectors.scope_find(
        incident=inc, rule=_rule(source="accounts", created_before=D(2026, 6, 1))
    )
    assert [p.customer_id for p in found.new] == [cast.customer.pk]


@pytest.mark.clause("APPI-26")
def test_an_uploaded_list_of_references_and_addresses(cast, desk):
    carol = factories.customer(email="carol@example.jp")
    provision(partner=desk, customer=cast.customer, when=tokyo(2026, 10, 2, 9, 0))
    inc = incident(actor=cast.agent)
    lines = (
        records.customer_reference(cast.customer.pk),  # in a provision record
        records.customer_reference(carol.pk),  # no record: still her reference
        "BOB@example.com",  # an address, any case
        "nobody-we-know",
    )
    found = selectors.scope_find(incident=inc, rule=_rule(source="upload", references=lines))
    assert sorted(p.customer_id for p in found.new) == sorted(
        [cast.customer.pk, carol.pk, cast.other_customer.pk]
    )
    assert found.unknown == ["nobody-we-know"]
