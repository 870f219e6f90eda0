"""Fulfilment of the other kinds (LW-6.1): correction and addition through the profile
service, suspension and third-party stop obeyed by the consent state and the provision gate,
the purpose notice and the inquiry answer. Deletion is in test_erasure.py."""

from __future__ import annotations

import pytest

from consents.selectors import consent_decide
from partners.services import gate
from portal.models import AuditEvent, OutboundMail
from requests.errors import RequestError
from requests.models import Kind, Outcome, RequestMessage, Status
from requests.services import fulfilment
from tests.consents.factories import necessary_purpose, opt_in_purpose, provision_purpose
from tests.partners.factories import partner_with
from tests.requests.factories import data_request


@pytest.mark.clause("LW-6.1", "APPI-36")
def test_a_correction_is_applied_through_the_profile_service_and_the_notice_says_what(cast):
    type(cast.customer).objects.filter(pk=cast.customer.pk).update(phone="090-0000-0000")
    req = data_request(
        status=Status.IN_REVIEW,
        customer=cast.customer,
        kind=Kind.CORRECTION,
        details={"field": "phone", "new_value": "080-1111-2222", "explanation": ""},
    )
    fulfilment.correction_apply(request_id=req.pk, actor=cast.agent, expected_status="in_review")
    cast.customer.refresh_from_db()
    req.refresh_from_db()
    assert cast.customer.phone == "080-1111-2222"
    assert (req.status, req.outcome) == (Status.CLOSED, Outcome.FULFILLED)
    notice = OutboundMail.objects.filter(to=cast.customer.email).latest("id")
    assert "090-0000-0000" in notice.body and "080-1111-2222" in notice.body
    audit = AuditEvent.objects.get(action="portal.user.profile_changed")
    assert audit.actor == cast.agent and audit.payload == {"fields": ["phone"]}


@pytest.mark.clause("LW-6.1")
def test_an_addition_of_an_address_taken_by_someone_else_is_a_clear_error(cast):
    req = data_request(
        status=Status.IN_REVIEW,
        customer=cast.customer,
        kind=Kind.ADDITION,
        details={"field": "email", "new_value": cast.other_customer.email},
    )
    with pytest.raises(RequestError):
        fulfilment.correction_apply(request_id=req.pk, actor=cast.agent)
    req.refresh_from_db()
    assert req.status == Status.IN_REVIEW


@pytest.mark.clause("LW-6.1")
def test_suspension_is_obeyed_by_the_consent_state_and_the_gate(cast):
    marketing = opt_in_purpose(code="marketing-mail")
    from consents.services import consent_change

    consent_change(customer=cast.customer, choices={marketing.code: True}, source="web")
    assert consent_decide(customer=cast.customer, purpose_code=marketing.code).granted
    req = data_request(
        status=Status.IN_REVIEW,
        customer=cast.customer,
        kind=Kind.SUSPENSION,
        details={"purposes": [marketing.code], "explanation": ""},
    )
    fulfilment.restriction_apply(request_id=req.pk, actor=cast.agent)
    decision = consent_decide(customer=cast.customer, purpose_code=marketing.code)
    assert (decision.granted, decision.decided_by) == (False, "restriction")
    req.refresh_from_db()
    assert req.outcome == Outcome.FULFILLED and marketing.name_ja in req.outcome_reason


@pytest.mark.clause("LW-6.1")
def test_third_party_stop_closes_the_provision_gate_from_that_moment(cast):
    purpose = provision_purpose(code="partner-research")
    service_purpose = necessary_purpose(code="service-core")
    partner = partner_with(purpose=purpose, items=["email"])
    from consents.services import consent_change

    consent_change(customer=cast.customer, choices={purpose.code: True}, source="web")
    assert gate.provision_decide(
        customer=cast.customer, partner=partner, purpose=purpose, items=["email"]
    ).allowed
    req = data_request(
        status=Status.IN_REVIEW,
        customer=cast.customer,
        kind=Kind.THIRD_PARTY_STOP,
        details={"scope": "all", "recipient": "", "explanation": ""},
    )
    fulfilment.restriction_apply(request_id=req.pk, actor=cast.agent)
    assert not gate.provision_decide(
        customer=cast.customer, partner=partner, purpose=purpose, items=["email"]
    ).allowed
    # The purposes needed for the service itself are not touched by a third-party stop.
    assert consent_decide(customer=cast.customer, purpose_code=service_purpose.code).granted


@pytest.mark.clause("LW-3", "LW-6.1", "APPI-36")
def test_the_purpose_notice_lists_the_customers_purposes_in_their_language(cast):
    necessary_purpose(
        code="service-core", name_ja="サービスの提供", name_en="Providing the service"
    )
    opt_in_purpose(code="ads", name_ja="広告の配信", name_en="Advertising")
    req = data_request(
        status=Status.IN_REVIEW, customer=cast.other_customer, kind=Kind.PURPOSE_NOTICE
    )
    fulfilment.purpose_notice_send(request_id=req.pk, actor=cast.agent)
    notice = OutboundMail.objects.filter(to=cast.other_customer.email).latest("id")
    assert "Providing the service" in notice.body and "Advertising" in notice.body
    assert "広告" not in notice.body


@pytest.mark.clause("LW-10", "APPI-36")
def test_an_inquiry_is_answered_by_message_and_closed(cast):
    req = data_request(status=Status.IN_REVIEW, customer=cast.customer, kind=Kind.INQUIRY)
    fulfilment.inquiry_answer(request_id=req.pk, actor=cast.agent, answer="ご質問への回答です。")
    req.refresh_from_db()
    assert (req.status, req.outcome) == (Status.CLOSED, Outcome.FULFILLED)
    assert RequestMessage.objects.get(request=req, from_staff=True).body == "ご質問への回答です。"
    assert (
        "ご質問への回答です。"
        in OutboundMail.objects.filter(to=cast.customer.email).latest("id").body
    )
