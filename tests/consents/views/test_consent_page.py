"""The customer's consent page and history (LW-3, LY-1, LY-2, LY-4, LY-6, LY-7)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from consents import selectors, services
from consents.models import ConsentEvent, ConsentSource, ConsentState
from portal.models import AuditEvent
from tests.consents import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.clause("LW-3", "LY-1")
def test_it_changes_two_consents_at_once(customer_client, customer):
    necessary = f.necessary_purpose(code="registration")
    marketing = f.opt_in_purpose(code="marketing")
    provision = f.provision_purpose(code="provision-quality")
    opt_out = f.opt_out_purpose(code="stats")
    version = f.published_version(version="2.0")
    page = customer_client.get("/consents/").content.decode()
    for purpose in (necessary, marketing, provision, opt_out):
        assert f'id="purpose-{purpose.code}"' in page
    assert 'name="purpose-registration"' not in page  # necessary: no checkbox
    response = customer_client.post(
        "/consents/",
        {"purpose-marketing": "on", "purpose-provision-quality": "on", "purpose-stats": "on"},
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT="TestBrowser/1.0",
    )
    assert response.status_code == 302
    events = list(ConsentEvent.objects.filter(customer=customer))
    assert {(e.purpose.code, e.granted) for e in events} == {
        ("marketing", True),
        ("provision-quality", True),
    }  # the opt-out purpose was already on: nothing to record
    assert len({e.change_id for e in events}) == 1
    for event in events:
        assert event.source == ConsentSource.WEB
        assert event.policy_version == version
        assert event.ip_address == "203.0.113.7"
        assert event.user_agent == "TestBrowser/1.0"
    assert AuditEvent.objects.filter(action="consents.consent.changed").count() == 1
    # Unticking one withdraws it; the page shows since when and which version was seen.
    customer_client.post("/consents/", {"purpose-marketing": "on"})
    assert not ConsentState.objects.get(customer=customer, purpose=provision).granted
    assert not selectors.consent_decide(customer=customer, purpose_code="stats").granted
    page = customer_client.get("/consents/").content.decode()
    assert "/privacy/versions/2.0/" in page


@pytest.mark.clause("LW-3")
def test_necessary_purposes_say_why_and_point_to_deletion(customer_client, customer):
    necessary = f.necessary_purpose(code="registration")
    page = customer_client.get("/consents/").content.decode()
    assert "cannot be withdrawn" in page or "撤回できません" in page
    assert "delete your account" in page or "アカウントの削除" in page
    # A forged form field cannot withdraw it either.
    customer_client.post("/consents/", {"purpose-registration": ""})
    assert selectors.consent_decide(customer=customer, purpose_code=necessary.code).granted
    assert not ConsentEvent.objects.exists()


@pytest.mark.clause("LY-4", "LY-2")
def test_shared_use_and_overseas_provision_in_plain_words(customer_client):
    customer_client.cookies["portal_language"] = "en"
    f.opt_out_purpose(
        code="group-phone-sharing",
        category="group_shared_use",
        data_items_en="phone number",
        recipients_en="Example Pay Co., Ltd.",
    )
    f.provision_purpose(
        code="overseas",
        category="overseas_provision",
        data_items_en="account data",
        recipients_en="Example Works Korea",
        countries="KR",
    )
    page = customer_client.get("/consents/").content.decode()
    assert "We share phone number with Example Pay Co., Ltd., a company of our group" in page
    assert "account data goes to Example Works Korea in Republic of Korea" in page


@pytest.mark.clause("LY-6", "LY-1")
def test_the_page_shows_which_choice_decides_for_a_service(customer_client, customer):
    customer_client.cookies["portal_language"] = "en"
    purpose = f.opt_in_purpose(code="marketing")
    service = f.ServiceFactory(code="works-drive", name_en="Works Drive", purposes=[purpose])
    services.consent_change(customer=customer, choices={"marketing": True}, source="web")
    services.consent_change(
        customer=customer, choices={"marketing": False}, source="web", service=service
    )
    page = customer_client.get("/consents/").content.decode()
    assert (
        "For Works Drive: not agreed. This choice for the service overrides the general one."
        in page
    )


@pytest.mark.clause("LY-7")
def test_revoking_a_connected_application(customer_client, customer):
    purpose = f.provision_purpose(code="connected-apps", category="connected_application")
    app = f.connected_application(
        code="calendar-sync",
        name_en="Calendar Sync",
        receives_en="Name, calendar",
        purposes=[purpose],
    )
    services.consent_change(
        customer=customer, choices={purpose.code: True}, source="web", service=app
    )
    customer_client.cookies["portal_language"] = "en"
    page = customer_client.get("/consents/").content.decode()
    assert 'id="app-calendar-sync"' in page and "Name, calendar" in page
    assert "/consents/applications/calendar-sync/revoke/" in page
    response = customer_client.post("/consents/applications/calendar-sync/revoke/")
    assert response.status_code == 302
    decision = selectors.consent_decide(
        customer=customer, purpose_code=purpose.code, service_code=app.code
    )
    assert (decision.granted, decision.decided_by) == (False, "service")
    assert decision.event.source == "web"
    assert customer not in set(
        selectors.customers_consenting(purpose_code=purpose.code, service_code=app.code)
    )
    assert AuditEvent.objects.filter(action="consents.service.revoked").exists()
    page = customer_client.get("/consents/").content.decode()
    assert "/consents/applications/calendar-sync/revoke/" not in page


def test_another_customers_receipt_is_not_found(client, customer, other_customer):
    purpose = f.opt_in_purpose()
    [event] = services.consent_change(customer=customer, choices={purpose.code: True}, source="web")
    client.force_login(other_customer)
    assert client.get(f"/consents/receipts/{event.change_id}/").status_code == 404


def test_history_lists_every_change_with_receipts(customer_client, customer):
    purpose = f.opt_in_purpose(code="marketing")
    for granted in (True, False, True):
        services.consent_change(customer=customer, choices={"marketing": granted}, source="web")
    page = customer_client.get("/consents/history/").content.decode()
    assert page.count("/consents/receipts/") == 3
    assert purpose.name_ja in page


def test_registered_sections_are_rendered_after_the_purposes(
    customer_client, customer, monkeypatch
):
    from consents import sections

    monkeypatch.setattr(sections, "_providers", [])
    sections.register(
        lambda person: {
            "template": "customer/consents/test_section.html",
            "context": {"who": person.email},
        }
    )
    sections.register(lambda person: None)
    from django.template import engines

    engine = engines["django"].engine
    section = {"customer/consents/test_section.html": '<p id="test-section">{{ who }}</p>'}
    loaders = [("django.template.loaders.locmem.Loader", section), *engine.loaders]
    monkeypatch.setattr(engine, "template_loaders", engine.get_template_loaders(loaders))
    page = customer_client.get("/consents/").content.decode()
    assert f'<p id="test-section">{customer.email}</p>' in page
    assert page.index('id="consent-form"') < page.index('id="test-section"')


@pytest.mark.clause("LY-1")
def test_query_count_is_pinned_with_50_purposes_and_1000_events(
    customer_client, customer, django_assert_num_queries, monkeypatch
):
    from consents import sections

    purposes = [f.opt_in_purpose(code=f"p{n:02d}", position=n) for n in range(50)]
    app = f.connected_application(code="calendar-sync", purposes=purposes[:2])
    # 1,000 events: 20 changes of all 50 purposes (the last one leaves them granted).
    for n in range(20):
        services.consent_change(
            customer=customer, choices={p.code: n % 2 == 1 for p in purposes}, source="web"
        )
    services.consent_change(customer=customer, choices={"p00": True}, source="web", service=app)
    f.published_version(version="2.0", widened=purposes[:3], published_at=timezone.now())
    assert ConsentEvent.objects.filter(customer=customer).count() == 1001
    # Sections registered by higher apps pin their own queries in their own tests.
    monkeypatch.setattr(sections, "_providers", [])
    monkeypatch.setattr(sections, "_uses_providers", [])
    monkeypatch.setattr(sections, "_notes_providers", [])
    customer_client.get("/consents/")  # warm the session and the content-type caches
    with django_assert_num_queries(9):
        # 1. session, 2. user (authentication); the GPC middleware reads nothing without
        # the signal. The page: 3. purposes with their latest widening version, 4. the
        # customer's states with events, versions, services and purposes, 5. active
        # restrictions, 6. services, 7. their purposes (prefetch). The layout: 8. the
        # analytics decision for the cookie banner (no cookie yet); no permission query (no
        # second factor, so no staff link), and the policy notice comes from the process's
        # copy of the published versions, with the dismissals the session already asked
        # for on the warm-up page. 9. the latest five changes, with their purposes and
        # services joined (the page's short history).
        response = customer_client.get("/consents/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('<li class="choice" id="purpose-p') == 47  # 3 wait for a decision
    assert page.count('<li class="choice choice-reconsent" id="purpose-p') == 3
    assert 'id="reconsent"' in page
