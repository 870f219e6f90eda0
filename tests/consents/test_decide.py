"""The consent decision and its one-queryset twin (LY-1, LY-6, LW-3, LW-9)."""

from __future__ import annotations

import pytest

from consents import selectors, services
from consents.models import ConsentEvent, ConsentState
from tests import factories as people
from tests.consents import factories as f

pytestmark = pytest.mark.django_db


def decide(customer, purpose, service=None):
    return selectors.consent_decide(
        customer=customer, purpose_code=purpose.code, service_code=service.code if service else None
    )


def consenting(purpose, service=None):
    return set(
        selectors.customers_consenting(
            purpose_code=purpose.code, service_code=service.code if service else None
        )
    )


@pytest.mark.clause("LW-3")
def test_defaults(customer):
    opt_in, opt_out, necessary = f.opt_in_purpose(), f.opt_out_purpose(), f.necessary_purpose()
    assert decide(customer, opt_in) == selectors.ConsentDecision(False, "none", None)
    assert decide(customer, opt_out) == selectors.ConsentDecision(True, "default", None)
    assert decide(customer, necessary) == selectors.ConsentDecision(True, "default", None)
    assert customer not in consenting(opt_in)
    assert customer in consenting(opt_out)
    assert customer in consenting(necessary)


@pytest.mark.clause("LW-3", "LY-1")
def test_grant_and_withdraw_write_ledger_and_state(customer):
    purpose = f.opt_in_purpose()
    [granted] = services.consent_change(
        customer=customer, choices={purpose.code: True}, source="web"
    )
    decision = decide(customer, purpose)
    assert decision.granted and decision.decided_by == "general"
    assert decision.event == granted
    assert customer in consenting(purpose)
    [withdrawn] = services.consent_change(
        customer=customer, choices={purpose.code: False}, source="web"
    )
    assert decide(customer, purpose) == selectors.ConsentDecision(False, "general", withdrawn)
    assert selectors.consent_event_for(customer=customer, purpose_code=purpose.code) == withdrawn
    assert customer not in consenting(purpose)
    state = ConsentState.objects.get(customer=customer, purpose=purpose)
    assert state.event == withdrawn and not state.granted
    assert ConsentEvent.objects.filter(customer=customer).count() == 2


def test_same_choice_twice_records_once(customer):
    purpose = f.opt_in_purpose()
    services.consent_change(customer=customer, choices={purpose.code: True}, source="web")
    assert (
        services.consent_change(customer=customer, choices={purpose.code: True}, source="web") == []
    )
    assert ConsentEvent.objects.filter(customer=customer).count() == 1


@pytest.mark.clause("LY-6")
@pytest.mark.parametrize("general", [True, False, None])
@pytest.mark.parametrize("specific", [True, False])
def test_service_specific_beats_general_both_ways(customer, other_customer, general, specific):
    purpose = f.opt_in_purpose()
    service = f.ServiceFactory(purposes=[purpose])
    if general is not None:
        services.consent_change(customer=customer, choices={purpose.code: general}, source="web")
    [event] = services.consent_change(
        customer=customer, choices={purpose.code: specific}, source="web", service=service
    )
    decision = decide(customer, purpose, service)
    assert decision == selectors.ConsentDecision(specific, "service", event)
    assert (customer in consenting(purpose, service)) is specific
    # The general answer is untouched by the service-specific one.
    general_decision = decide(customer, purpose)
    assert general_decision.granted is bool(general)
    assert general_decision.decided_by == ("none" if general is None else "general")
    assert (customer in consenting(purpose)) is bool(general)
    # Without a service-specific state, the general answer decides for the service too.
    assert decide(other_customer, purpose, service).decided_by == "none"


@pytest.mark.clause("LY-6")
def test_general_decides_for_a_service_without_its_own_state(customer):
    purpose = f.opt_in_purpose()
    service = f.ServiceFactory(purposes=[purpose])
    [event] = services.consent_change(customer=customer, choices={purpose.code: True}, source="web")
    assert decide(customer, purpose, service) == selectors.ConsentDecision(True, "general", event)
    assert customer in consenting(purpose, service)


@pytest.mark.clause("LW-6.1", "LY-1")
def test_restriction_overrides_consent_until_lifted(customer, agent):
    purpose = f.opt_in_purpose()
    opt_out = f.opt_out_purpose()
    services.consent_change(customer=customer, choices={purpose.code: True}, source="web")
    restriction = services.restriction_record(
        customer=customer,
        kind="suspension",
        purposes=[purpose, opt_out.code],
        reference="DR-2026-000123",
        actor=agent,
    )
    for p in (purpose, opt_out):
        assert decide(customer, p) == selectors.ConsentDecision(False, "restriction", None)
        assert customer not in consenting(p)
    services.restriction_lift(restriction=restriction, actor=agent)
    assert decide(customer, purpose).decided_by == "general"
    assert decide(customer, opt_out).decided_by == "default"
    assert customer in consenting(purpose)
    with pytest.raises(services.ConsentError):
        services.restriction_lift(restriction=restriction, actor=agent)


def test_necessary_purpose_cannot_be_withdrawn(customer):
    purpose = f.necessary_purpose()
    with pytest.raises(services.ConsentError, match=r"account|アカウント"):
        services.consent_change(customer=customer, choices={purpose.code: False}, source="web")
    assert not ConsentEvent.objects.exists()


def test_unknown_purpose_is_not_granted(customer):
    assert selectors.consent_decide(customer=customer, purpose_code="nope").decided_by == "none"
    assert not selectors.customers_consenting(purpose_code="nope").exists()


def test_inactive_customers_are_not_listed(customer):
    purpose = f.opt_out_purpose()
    customer.is_active = False
    customer.save()
    assert customer not in consenting(purpose)


def test_decision_takes_one_query(customer, django_assert_num_queries):
    purpose = f.opt_in_purpose()
    service = f.ServiceFactory(purposes=[purpose])
    services.consent_change(customer=customer, choices={purpose.code: True}, source="web")
    relied_on = ConsentEvent.objects.get(customer=customer, purpose=purpose)
    # One statement: the purpose with both states, the deciding state's ledger event,
    # the restrictions and the latest widening version.
    with django_assert_num_queries(1):
        decision = decide(customer, purpose, service)
    assert (decision.granted, decision.decided_by) == (True, "general")
    # The event comes whole, as the ORM loads it by primary key.
    fields = [field.attname for field in ConsentEvent._meta.concrete_fields]
    assert [getattr(decision.event, n) for n in fields] == [getattr(relied_on, n) for n in fields]
    # No state relied on: the same one statement.
    opt_out = f.opt_out_purpose()
    with django_assert_num_queries(1):
        assert decide(customer, opt_out, service).event is None


def test_the_service_state_event_is_the_one_relied_on(customer):
    purpose = f.opt_in_purpose()
    service = f.ServiceFactory(purposes=[purpose])
    services.consent_change(customer=customer, choices={purpose.code: True}, source="web")
    services.consent_change(
        customer=customer, choices={purpose.code: False}, source="web", service=service
    )
    specific = ConsentEvent.objects.get(customer=customer, purpose=purpose, service=service)
    general = ConsentEvent.objects.get(customer=customer, purpose=purpose, service=None)
    decision = decide(customer, purpose, service)
    assert (decision.granted, decision.decided_by, decision.event.pk) == (
        False,
        "service",
        specific.pk,
    )
    assert decide(customer, purpose, None).event.pk == general.pk


@pytest.mark.clause("LY-6", "LW-9")
def test_customers_consenting_agrees_with_consent_decide(customer):
    """Many customers in every combination: the queryset and the per-customer answer agree."""
    opt_in, opt_out = f.opt_in_purpose(), f.opt_out_purpose()
    service = f.ServiceFactory(purposes=[opt_in, opt_out])
    customers = [people.customer() for _ in range(12)]
    combos = [(g, s) for g in (True, False, None) for s in (True, False, None)]
    for person, (general, specific) in zip(customers, combos, strict=False):
        for purpose in (opt_in, opt_out):
            if general is not None:
                services.consent_change(
                    customer=person, choices={purpose.code: general}, source="web"
                )
            if specific is not None:
                services.consent_change(
                    customer=person, choices={purpose.code: specific}, source="web", service=service
                )
    services.restriction_record(
        customer=customers[0],
        kind="suspension",
        purposes=[opt_in, opt_out],
        reference="",
        actor=None,
    )
    for purpose in (opt_in, opt_out):
        for svc in (None, service):
            expected = {p for p in customers if decide(p, purpose, svc).granted}
            assert consenting(purpose, svc) & set(customers) == expected


def test_one_query_and_the_same_answers_with_many_rows_and_a_prepared_statement(
    django_assert_num_queries,
):
    """Forty customers with states, service states, a restriction and a widening version:
    each decision is one statement, and the answers stay right once the server has prepared
    the statement (after five runs on the connection)."""
    opt_in, opt_out = f.opt_in_purpose(), f.opt_out_purpose()
    service = f.ServiceFactory(purposes=[opt_in])
    customers = [people.customer() for _ in range(40)]
    for n, person in enumerate(customers):
        services.consent_change(
            customer=person,
            choices={opt_in.code: n % 2 == 0, opt_out.code: n % 3 != 0},
            source="web",
        )
        if n % 4 == 0:
            services.consent_change(
                customer=person, choices={opt_in.code: False}, source="web", service=service
            )
    services.restriction_record(
        customer=customers[2], kind="suspension", purposes=[opt_in], reference="", actor=None
    )
    # (customer index, purpose, service) -> (granted, decided_by), written out.
    expected = {
        (0, "in", None): (True, "general"),
        (0, "in", "svc"): (False, "service"),
        (1, "in", None): (False, "general"),
        (1, "in", "svc"): (False, "general"),
        (2, "in", None): (False, "restriction"),
        (2, "in", "svc"): (False, "restriction"),
        (3, "out", None): (False, "general"),
        (4, "out", None): (True, "general"),
        (6, "in", "svc"): (True, "general"),
        (8, "in", "svc"): (False, "service"),
        (9, "out", "svc"): (False, "general"),
        (10, "out", None): (True, "general"),
    }
    purposes = {"in": opt_in, "out": opt_out}
    for _round in range(3):  # past psycopg's prepare threshold of five runs
        for (index, purpose, svc), answer in expected.items():
            person = customers[index]
            with django_assert_num_queries(1):
                decision = decide(person, purposes[purpose], service if svc else None)
            assert (decision.granted, decision.decided_by) == answer, (index, purpose, svc)
            relied_on = ConsentEvent.objects.filter(
                customer=person,
                purpose=purposes[purpose],
                service=service if answer[1] == "service" else None,
            ).first()
            if answer[1] == "restriction":
                assert decision.event is None
            else:
                assert decision.event == relied_on
