"""The provision gate (LW-4.1, LW-4.2, LW-4.3, LY-1, LY-2, LY-3, LY-4, LY-6, LY-7)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from consents import services as consent_services
from consents.models import RestrictionKind
from partners.models import ArrangementStatus, Basis, DataItem, PartnerKind
from partners.services import gate, records
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
