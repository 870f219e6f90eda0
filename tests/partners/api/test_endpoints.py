# ruff: noqa: RUF001  (Japanese punctuation in expected messages)
"""The endpoints under /api/v1/: ask the gate (nothing recorded), provide (values
with the APPI-29 record, idempotent), consent state for this partner, the event feed, the
OpenAPI document and the docs page."""

from __future__ import annotations

import json

import pytest

from consents import services as consent_services
from consents.models import RestrictionKind
from partners.api.models import ApiIdempotencyKey, EventType, PartnerEvent
from partners.models import Basis, ProvisionRecord
from portal.models import AuditEvent
from tests.partners.api.conftest import subject_of
from tests.partners.conftest import grant, withdraw

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _ask(
    api, key, subject, purpose="group-phone-sharing", items=("phone",), path="/decide", **headers
):
    return api.call(
        "post", path, key, {"subject": subject, "purpose": purpose, "items": list(items)}, **headers
    )


@pytest.mark.clause("LW-4.3", "LY-4")
def test_decide_answers_joint_use_in_both_languages_and_records_nothing(
    api, pay, pay_key, customer
):
    subject = subject_of(pay, customer)
    response = _ask(api, pay_key, subject)
    assert response.status_code == 200
    assert response.json() == {
        "allowed": True,
        "basis": "joint_use",
        "reason": "allowed",
        "decided_by": None,
        "items": ["phone"],
        "messages": {
            "ja": "提供可：記録された項目と目的の範囲内の共同利用です。",
            "en": "Allowed: Joint use within the recorded items and purposes.",
        },
    }
    assert not ProvisionRecord.objects.exists()


@pytest.mark.clause("LW-4.1", "LY-1")
def test_decide_denies_a_third_party_without_consent_and_allows_with_it(
    api, lab, lab_key, customer, quality_purpose
):
    subject = subject_of(lab, customer)
    denied = _ask(api, lab_key, subject, purpose="ly5-quality", items=["prefecture"]).json()
    assert (denied["allowed"], denied["basis"], denied["reason"], denied["decided_by"]) == (
        False,
        None,
        "no_consent",
        "none",
    )
    assert denied["messages"] == {
        "ja": "お客様はこの目的に同意していません。",
        "en": "The customer has not agreed to this purpose.",
    }
    grant(customer, quality_purpose)
    allowed = _ask(api, lab_key, subject, purpose="ly5-quality", items=["prefecture"]).json()
    assert (allowed["allowed"], allowed["basis"], allowed["decided_by"]) == (
        True,
        "consent",
        "general",
    )
    withdraw(customer, quality_purpose)
    again = _ask(api, lab_key, subject, purpose="ly5-quality", items=["prefecture"]).json()
    assert (again["allowed"], again["reason"]) == (False, "no_consent")
    assert not ProvisionRecord.objects.exists()


@pytest.mark.clause("LW-6.1")
def test_a_restriction_denies_even_joint_use(api, pay, pay_key, customer, phone_purpose):
    subject = subject_of(pay, customer)
    consent_services.restriction_record(
        customer=customer,
        kind=RestrictionKind.SUSPENSION,
        purposes=[phone_purpose],
        reference="DR-1",
        actor=None,
    )
    body = _ask(api, pay_key, subject).json()
    assert (body["allowed"], body["reason"], body["decided_by"]) == (
        False,
        "restricted",
        "restriction",
    )


def test_items_outside_the_arrangement_and_bad_input(api, pay, pay_key, customer):
    subject = subject_of(pay, customer)
    outside = _ask(api, pay_key, subject, items=["phone", "email"]).json()
    assert (outside["allowed"], outside["reason"]) == (False, "items_outside")
    assert _ask(api, pay_key, subject, items=["shoe_size"]).status_code == 422
    assert _ask(api, pay_key, subject, items=[]).status_code == 422
    assert _ask(api, pay_key, subject, purpose="no-such-purpose").status_code == 422
    raw = api.client.post(
        "/api/v1/decide",
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {pay_key}",
    )
    assert raw.status_code in (400, 422)


@pytest.mark.clause("APPI-29", "LY-4")
def test_provide_hands_over_the_phone_with_its_record_once_per_idempotency_key(
    api, pay, pay_key, customer
):
    customer.phone = "090-1234-5678"
    customer.save()
    subject = subject_of(pay, customer)
    first = _ask(api, pay_key, subject, path="/provide", HTTP_IDEMPOTENCY_KEY="open-account-1")
    assert first.status_code == 200
    body = first.json()
    assert (body["allowed"], body["basis"], body["values"], body["replayed"]) == (
        True,
        "joint_use",
        {"phone": "090-1234-5678"},
        False,
    )
    record = ProvisionRecord.objects.get()
    assert (record.partner, record.customer, record.basis, record.data_items) == (
        pay,
        customer,
        Basis.JOINT_USE,
        ["phone"],
    )
    retry = _ask(
        api, pay_key, subject, path="/provide", HTTP_IDEMPOTENCY_KEY="open-account-1"
    ).json()
    assert (retry["values"], retry["replayed"]) == ({"phone": "090-1234-5678"}, True)
    assert ProvisionRecord.objects.count() == 1
    assert AuditEvent.objects.filter(action="partners.provision.recorded").count() == 1
    # The same key for another question is refused; a new key is a new provision.
    other = _ask(
        api,
        pay_key,
        subject,
        path="/provide",
        items=["phone", "email"],
        HTTP_IDEMPOTENCY_KEY="open-account-1",
    )
    assert other.status_code == 409
    _ask(api, pay_key, subject, path="/provide", HTTP_IDEMPOTENCY_KEY="open-account-2")
    assert ProvisionRecord.objects.count() == 2


def test_provide_needs_an_idempotency_key(api, pay, pay_key, customer):
    response = _ask(api, pay_key, subject_of(pay, customer), path="/provide")
    assert response.status_code == 422
    assert not ProvisionRecord.objects.exists()


@pytest.mark.clause("APPI-29")
def test_a_denied_provide_hands_over_nothing_and_records_nothing(api, lab, lab_key, customer):
    subject = subject_of(lab, customer)
    body = _ask(
        api,
        lab_key,
        subject,
        path="/provide",
        purpose="ly5-quality",
        items=["prefecture"],
        HTTP_IDEMPOTENCY_KEY="x",
    ).json()
    assert (body["allowed"], body["values"], body["reason"]) == (False, None, "no_consent")
    assert not ProvisionRecord.objects.exists()
    assert ApiIdempotencyKey.objects.get().record is None


def test_a_replay_after_a_withdrawal_gives_no_values(api, lab, lab_key, customer, quality_purpose):
    customer.prefecture = "13"
    customer.save()
    grant(customer, quality_purpose)
    subject = subject_of(lab, customer)
    args = dict(
        path="/provide", purpose="ly5-quality", items=["prefecture"], HTTP_IDEMPOTENCY_KEY="r1"
    )
    assert _ask(api, lab_key, subject, **args).json()["values"] == {"prefecture": "13"}
    withdraw(customer, quality_purpose)
    replay = _ask(api, lab_key, subject, **args).json()
    assert (replay["replayed"], replay["values"]) == (True, None)
    assert ProvisionRecord.objects.count() == 1


def test_inquiry_contents_do_not_go_over_the_api(api, pay, pay_key, customer):
    response = _ask(
        api,
        pay_key,
        subject_of(pay, customer),
        path="/provide",
        items=["inquiry"],
        HTTP_IDEMPOTENCY_KEY="i",
    )
    assert response.status_code == 422
    assert not ProvisionRecord.objects.exists()


@pytest.mark.clause("LY-6")
def test_the_consent_state_names_what_concerns_this_partner(
    api, lab, lab_key, customer, quality_purpose, phone_purpose
):
    subject = subject_of(lab, customer)
    grant(customer, quality_purpose)
    body = api.call("get", f"/subjects/{subject}/consents", lab_key).json()
    assert body["subject"] == subject
    assert [(p["purpose"], p["granted"], p["decided_by"]) for p in body["purposes"]] == [
        ("ly5-quality", True, "general")
    ]
    assert body["purposes"][0]["name"] == {
        "ja": "品質向上のための提供",
        "en": "Provision to improve quality",
    }
    assert body["purposes"][0]["since"] is not None


@pytest.mark.clause("LY-1")
def test_the_event_feed_pages_with_a_cursor(api, pay, pay_key, customer, phone_purpose):
    subject = subject_of(pay, customer)
    withdraw(customer, phone_purpose)
    grant(customer, phone_purpose)
    restriction = consent_services.restriction_record(
        customer=customer,
        kind=RestrictionKind.SUSPENSION,  # joint use is not provision to a third party
        purposes=[phone_purpose],
        reference="DR-2",
        actor=None,
    )
    consent_services.restriction_lift(restriction=restriction, actor=None)
    first = api.call("get", "/events", pay_key, {"limit": 2}).json()
    assert [(e["type"], e["data"]["subject"]) for e in first["events"]] == [
        ("consent.withdrawn", subject),
        ("consent.granted", subject),
    ]
    assert first["events"][0]["data"]["purpose"] == "group-phone-sharing"
    rest = api.call("get", "/events", pay_key, {"after": first["next_cursor"]}).json()
    assert [e["type"] for e in rest["events"]] == ["restriction.recorded", "restriction.lifted"]
    assert rest["events"][0]["data"]["purposes"] == ["group-phone-sharing"]
    empty = api.call("get", "/events", pay_key, {"after": rest["next_cursor"]}).json()
    assert empty["events"] == [] and empty["next_cursor"] == rest["next_cursor"]
    assert api.call("get", "/events", pay_key, {"after": "%%%"}).status_code == 422


def test_events_go_only_to_partners_that_know_the_customer_and_the_purpose(
    pay, lab, customer, other_customer, phone_purpose, quality_purpose
):
    subject_of(pay, customer)
    subject_of(lab, customer)
    withdraw(customer, phone_purpose)  # concerns pay only
    withdraw(other_customer, phone_purpose)  # nobody knows bob
    assert [(e.partner, e.type) for e in PartnerEvent.objects.all()] == [
        (pay, EventType.CONSENT_WITHDRAWN)
    ]


@pytest.mark.clause("LY-7")
def test_revoking_an_application_is_one_event_for_its_partner(customer):
    from consents.services import service_revoke
    from partners.models import DataItem, PartnerKind
    from tests.consents import factories as cf
    from tests.partners import factories as pf

    purpose = cf.provision_purpose(code="connected-apps")
    app = cf.connected_application(code="calendar-sync", purposes=[purpose])
    partner = pf.partner_with(
        kind=PartnerKind.CONNECTED_APPLICATION, purpose=purpose, items=[DataItem.NAME], service=app
    )
    grant(customer, purpose, app)
    service_revoke(customer=customer, service=app)
    assert [e.type for e in PartnerEvent.objects.filter(partner=partner)] == [
        EventType.CONSENT_GRANTED,
        EventType.CONSENT_WITHDRAWN,
        EventType.APPLICATION_REVOKED,
    ]


def test_one_change_is_exactly_one_event_id(pay, customer, phone_purpose):
    from consents.signals import consent_changed

    subject_of(pay, customer)
    events = withdraw(customer, phone_purpose)
    # The same change told twice (a re-sent signal) is still one event.
    consent_changed.send(sender=None, customer=customer, events=events, service=None)
    assert PartnerEvent.objects.count() == 1


def test_an_erasure_is_told_to_every_partner_that_knows_the_customer(pay, lab, customer):
    from portal.signals import account_erased

    pay_subject, lab_subject = subject_of(pay, customer), subject_of(lab, customer)
    account_erased.send(sender=type(customer), customer=customer)
    assert sorted((e.type, e.data["subject"]) for e in PartnerEvent.objects.all()) == sorted(
        [(EventType.ACCOUNT_ERASED, pay_subject), (EventType.ACCOUNT_ERASED, lab_subject)]
    )


def test_the_openapi_document_is_3_1_and_lists_the_operations(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.1")
    operations = {(method, path) for path, item in schema["paths"].items() for method in item}
    assert operations == {
        ("post", "/api/v1/decide"),
        ("post", "/api/v1/provide"),
        ("get", "/api/v1/subjects/{subject}/consents"),
        ("get", "/api/v1/events"),
        ("post", "/api/v1/subjects"),
    }
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"]["scheme"] == "bearer"


def test_the_docs_page_is_served_by_the_portal_without_a_cdn(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/v1/decide" in html and "/api/v1/provide" in html
    assert "cdn" not in html.lower() and "swagger-ui" not in html.lower()
    assert '<script src="http' not in html


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("APPI-29")
def test_two_simultaneous_retries_provide_and_record_once(pay, customer):
    """Two calls with one Idempotency-Key at the same moment (a client retrying while the
    first is still running): one provision record, both answers the same values."""
    import threading

    from django.db import connection as default_connection
    from django.test import Client

    from tests.partners.api.conftest import Api, make_key

    key = make_key(pay)
    customer.phone = "090-5555-0000"
    customer.save()
    subject = subject_of(pay, customer)
    start = threading.Barrier(2)
    answers = []

    def call():
        from django.db import connection

        try:
            start.wait()
            response = _ask(
                Api(Client()), key, subject, path="/provide", HTTP_IDEMPOTENCY_KEY="same"
            )
            answers.append((response.status_code, response.json()["values"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert default_connection.vendor == "postgresql"
    assert sorted(answers) == [(200, {"phone": "090-5555-0000"})] * 2
    assert ProvisionRecord.objects.count() == 1
    assert ApiIdempotencyKey.objects.count() == 1
