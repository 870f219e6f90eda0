"""Pairwise subject ids: stable per partner, different across partners and from
the LY-5 export pseudonyms; issued when an application is connected (LY-7), when the customer
confirms a shared-use trigger (LY-4), or by staff; another partner's subject is a 404."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from consents import services as consent_services
from partners.api.models import PartnerSubject, SubjectConfirmation, SubjectTrigger
from partners.api.subjects import subject_issue
from partners.models import DataItem, PartnerKind
from partners.services import pseudonyms, records
from tests.consents import factories as cf
from tests.partners import factories as pf
from tests.partners.api.conftest import make_key, subject_of
from tests.partners.conftest import grant

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.mark.clause("LY-5")
def test_subject_ids_are_pairwise_and_unlinkable_to_export_pseudonyms(
    pay, lab, customer, other_customer
):
    pay_alice = subject_of(pay, customer)
    assert subject_of(pay, customer) == pay_alice  # stable
    lab_alice = subject_of(lab, customer)
    pay_bob = subject_of(pay, other_customer)
    assert len({pay_alice, lab_alice, pay_bob}) == 3
    for partner, subject in ((pay, pay_alice), (lab, lab_alice)):
        export_pseudonym = pseudonyms.pseudonym(
            key=pseudonyms.pseudonym_key(partner), customer_id=customer.pk
        )
        assert export_pseudonym[:40] not in subject
        assert subject != records.customer_reference(customer.pk)
        assert str(customer.pk) != subject.removeprefix("sub_")
    assert pay_alice.startswith("sub_") and len(pay_alice) == 44


def test_issuing_again_keeps_the_first_id(pay, customer, agent):
    first, new = subject_issue(
        partner=pay, customer=customer, trigger=SubjectTrigger.STAFF, actor=agent
    )
    again, new_again = subject_issue(
        partner=pay, customer=customer, trigger=SubjectTrigger.SHARED_USE
    )
    assert (new, new_again) == (True, False)
    assert first.pk == again.pk and again.trigger == SubjectTrigger.STAFF


@pytest.mark.clause("LY-1")
def test_another_partners_subject_looks_like_an_unknown_one(api, pay, lab, pay_key, customer):
    lab_subject = subject_of(lab, customer)
    for subject in (lab_subject, "sub_" + "0" * 40):
        decide = api.call(
            "post",
            "/decide",
            pay_key,
            {"subject": subject, "purpose": "group-phone-sharing", "items": ["phone"]},
        )
        consents = api.call("get", f"/subjects/{subject}/consents", pay_key)
        assert (decide.status_code, consents.status_code) == (404, 404)
        assert decide.json() == consents.json() == {"detail": "該当する対象者はいません。"}


@pytest.mark.clause("LY-7")
def test_connecting_an_application_issues_its_subject_id(customer):
    purpose = cf.provision_purpose(code="connected-apps")
    app = cf.connected_application(code="calendar-sync", purposes=[purpose])
    partner = pf.partner_with(
        kind=PartnerKind.CONNECTED_APPLICATION, purpose=purpose, items=[DataItem.NAME], service=app
    )
    assert not PartnerSubject.objects.filter(partner=partner).exists()
    grant(customer, purpose)  # a general consent connects nothing
    assert not PartnerSubject.objects.filter(partner=partner).exists()
    grant(customer, purpose, app)
    subject = PartnerSubject.objects.get(partner=partner)
    assert (subject.customer, subject.trigger) == (customer, SubjectTrigger.APPLICATION)


@pytest.mark.clause("LY-4")
def test_the_payment_company_gets_the_subject_with_the_customers_confirmation(
    api, pay, pay_key, customer, client
):
    client.force_login(customer)
    url = reverse("partners:subject_confirm", kwargs={"pk": pay.pk})
    page = client.get(url)
    assert page.status_code == 200
    assert "アカウントを開設されたとき" in page.content.decode()
    made = client.post(url)
    code = made.context["code"]
    assert code and len(code) == 19
    client.logout()
    wrong = api.call("post", "/subjects", pay_key, {"confirmation": "0000-0000-0000-0000"})
    assert wrong.status_code == 404
    linked = api.call("post", "/subjects", pay_key, {"confirmation": code.lower()})
    assert linked.status_code == 201
    subject = PartnerSubject.objects.get(partner=pay)
    assert linked.json() == {"subject": subject.subject_id}
    assert (subject.customer, subject.trigger) == (customer, SubjectTrigger.SHARED_USE)
    # A code works once.
    assert api.call("post", "/subjects", pay_key, {"confirmation": code}).status_code == 404


def test_a_code_expires_and_belongs_to_its_partner(api, pay, lab, pay_key, customer):
    from partners.api.subjects import subject_confirmation_create

    code, _expires = subject_confirmation_create(partner=pay, customer=customer)
    lab_key = make_key(lab)
    assert api.call("post", "/subjects", lab_key, {"confirmation": code}).status_code == 404
    SubjectConfirmation.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert api.call("post", "/subjects", pay_key, {"confirmation": code}).status_code == 404
    assert not PartnerSubject.objects.exists()


def test_a_partner_without_shared_use_has_no_confirmation_page(client, customer, lab):
    client.force_login(customer)
    response = client.get(reverse("partners:subject_confirm", kwargs={"pk": lab.pk}))
    assert response.status_code == 404


def test_staff_link_a_customer(agent_client, pay, customer):
    from partners.api.models import PartnerSystem

    system = PartnerSystem.objects.create(partner=pay, name="backend")
    response = agent_client.post(
        reverse("partners:staff_api_subject_link"),
        {"system": system.pk, "customer_email": customer.email},
    )
    assert response.status_code == 302
    subject = PartnerSubject.objects.get(partner=pay)
    assert (subject.customer, subject.trigger) == (customer, SubjectTrigger.STAFF)


def test_an_erased_account_is_unknown_to_the_api(api, pay, pay_key, customer):
    from portal.signals import account_erased

    subject = subject_of(pay, customer)
    account_erased.send(sender=type(customer), customer=customer)
    response = api.call("get", f"/subjects/{subject}/consents", pay_key)
    assert response.status_code == 404
    assert PartnerSubject.objects.get().erased_at is not None


def test_connect_is_idempotent_for_consent_service(customer):
    """Granting the same application twice issues one subject."""
    purpose = cf.provision_purpose(code="connected-apps")
    app = cf.connected_application(code="expense-app", purposes=[purpose])
    pf.partner_with(
        kind=PartnerKind.CONNECTED_APPLICATION, purpose=purpose, items=[DataItem.NAME], service=app
    )
    grant(customer, purpose, app)
    consent_services.consent_change(
        customer=customer, choices={purpose.code: False}, source="web", service=app
    )
    grant(customer, purpose, app)
    assert PartnerSubject.objects.count() == 1
