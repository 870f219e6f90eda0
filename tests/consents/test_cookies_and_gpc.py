"""The cookie banner, the analytics snippet and the Global Privacy Control signal
(LW-2.2A, LW-7)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consents import selectors
from consents.cookies import COOKIE_NAME
from consents.models import ConsentEvent, ConsentState
from tests.consents import factories as f

pytestmark = pytest.mark.django_db

GA = "G-TEST123"
SNIPPET = "googletagmanager.com/gtag/js"


@pytest.fixture
def analytics(settings):
    settings.GA_MEASUREMENT_ID = GA
    return f.analytics_purpose()


def banner_shown(response) -> bool:
    return b'id="cookie-banner"' in response.content


@pytest.mark.clause("LW-2.2A", "LW-7")
def test_anonymous_visitor_sees_the_banner_and_no_analytics(client, analytics):
    response = client.get("/")
    assert banner_shown(response)
    assert SNIPPET not in response.content.decode()
    # Only the session-related cookies, no analytics cookie, before a choice.
    assert not any(name.startswith("_ga") for name in response.cookies)


@pytest.mark.clause("LW-2.2A", "LW-7")
def test_anonymous_accepts_then_refuses(client, analytics):
    response = client.post("/cookies/", {"choice": "analytics", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert response.cookies[COOKIE_NAME].value == "analytics"
    page = client.get("/")
    assert not banner_shown(page)
    assert SNIPPET in page.content.decode() and GA in page.content.decode()
    client.cookies["_ga"] = "GA1.1.123"
    response = client.post("/cookies/", {"choice": "necessary", "next": "/"})
    assert response.cookies[COOKIE_NAME].value == "necessary"
    assert response.cookies["_ga"]["max-age"] == 0  # the analytics cookie is dropped
    page = client.get("/")
    assert not banner_shown(page)
    assert SNIPPET not in page.content.decode()
    # Anonymous choices never reach the ledger.
    assert not ConsentEvent.objects.exists()


@pytest.mark.clause("LW-7")
def test_no_snippet_without_a_measurement_id(client, settings):
    settings.GA_MEASUREMENT_ID = ""
    f.analytics_purpose()
    client.post("/cookies/", {"choice": "analytics"})
    assert SNIPPET not in client.get("/").content.decode()


@pytest.mark.clause("LW-2.2A")
def test_signed_in_banner_choice_is_in_the_ledger(customer_client, customer, analytics):
    assert banner_shown(customer_client.get("/dashboard/"))
    customer_client.post("/cookies/", {"choice": "analytics", "next": "/dashboard/"})
    event = ConsentEvent.objects.get(customer=customer)
    assert (event.purpose, event.granted, event.source) == (analytics, True, "banner")
    decision = selectors.consent_decide(customer=customer, purpose_code="analytics")
    assert decision.granted and decision.event == event
    # The ledger now answers, even in a browser without the cookie.
    customer_client.cookies.pop(COOKIE_NAME)
    page = customer_client.get("/dashboard/")
    assert not banner_shown(page)
    assert SNIPPET in page.content.decode()
    customer_client.post("/cookies/", {"choice": "necessary"})
    assert not ConsentState.objects.get(customer=customer, purpose=analytics).granted
    assert SNIPPET not in customer_client.get("/dashboard/").content.decode()


@pytest.mark.clause("LW-7")
def test_gpc_refuses_analytics_for_an_anonymous_visitor(client, analytics):
    client.cookies[COOKIE_NAME] = "analytics"
    page = client.get("/cookies/", HTTP_SEC_GPC="1")
    assert SNIPPET not in page.content.decode()
    assert b'id="gpc-honoured"' in page.content
    assert not banner_shown(page)
    # Accepting with the signal on still refuses: GPC never grants.
    response = client.post("/cookies/", {"choice": "analytics"}, HTTP_SEC_GPC="1")
    assert response.cookies[COOKIE_NAME].value == "necessary"


@pytest.mark.clause("LW-7", "LY-1")
def test_gpc_withdraws_analytics_and_third_party_provision_in_the_ledger(
    customer_client, customer, analytics
):
    from consents import services

    provision = f.provision_purpose(code="provision-quality")
    research = f.provision_purpose(code="research", category="research", default_granted=True)
    overseas = f.provision_purpose(code="overseas", category="overseas_provision")
    marketing = f.opt_in_purpose(code="marketing")  # first-party: not touched by GPC
    shared = f.opt_out_purpose(code="group", category="group_shared_use")
    app = f.connected_application(code="calendar-sync", purposes=[provision])
    services.consent_change(
        customer=customer,
        choices={analytics.code: True, provision.code: True, marketing.code: True},
        source="web",
    )
    services.consent_change(
        customer=customer, choices={provision.code: True}, source="web", service=app
    )
    page = customer_client.get("/consents/", HTTP_SEC_GPC="1")
    assert b'id="gpc-honoured"' in page.content
    assert SNIPPET not in page.content.decode()
    gpc_events = ConsentEvent.objects.filter(customer=customer, source="gpc")
    assert {(e.purpose.code, e.service_id, e.granted) for e in gpc_events} == {
        (analytics.code, None, False),
        (provision.code, None, False),
        (research.code, None, False),  # opt-out: withdrawn explicitly
        (provision.code, app.pk, False),
    }
    for purpose, service in (
        (analytics, None),
        (provision, None),
        (provision, app),
        (research, None),
    ):
        decision = selectors.consent_decide(
            customer=customer,
            purpose_code=purpose.code,
            service_code=service.code if service else None,
        )
        assert not decision.granted
        assert decision.event.source == "gpc"
    assert selectors.consent_decide(customer=customer, purpose_code=marketing.code).granted
    assert selectors.consent_decide(customer=customer, purpose_code=shared.code).granted
    assert not selectors.consent_decide(customer=customer, purpose_code=overseas.code).granted
    # The signal again: nothing left to withdraw, nothing written.
    customer_client.get("/consents/", HTTP_SEC_GPC="1")
    assert gpc_events.count() == 4


@pytest.mark.clause("LW-7")
def test_gpc_locks_the_refused_purposes_on_the_consent_page(customer_client, customer, analytics):
    provision = f.provision_purpose(code="provision-quality")
    response = customer_client.post(
        "/consents/",
        {f"purpose-{analytics.code}": "on", f"purpose-{provision.code}": "on"},
        HTTP_SEC_GPC="1",
    )
    assert response.status_code == 302
    assert not ConsentEvent.objects.filter(customer=customer, granted=True).exists()


def test_gpc_service_never_grants(customer):
    from consents import services

    purpose = f.analytics_purpose()
    with pytest.raises(services.ConsentError):
        services.consent_change(customer=customer, choices={purpose.code: True}, source="gpc")


def test_no_consent_decision_for_the_banner_once_the_cookie_answers_it(customer_client, settings):
    """Issue 13: with the choice in the cookie and no analytics id, the layout makes no
    consent decision; the banner is gone either way."""
    settings.GA_MEASUREMENT_ID = ""
    # The profile page: the home page reads consents for itself (what needs deciding again).
    customer_client.get("/accounts/profile/")  # warm the session

    def tables():
        with CaptureQueriesContext(connection) as queries:
            response = customer_client.get("/accounts/profile/")
        assert response.status_code == 200
        return response, [q["sql"] for q in queries.captured_queries]

    response, before = tables()
    assert 'id="cookie-banner"' in response.content.decode()
    assert sum('"consents_consentstate"' in q for q in before) == 1  # the banner's decision
    customer_client.cookies["portal_cookies"] = "necessary"
    response, after = tables()
    assert 'id="cookie-banner"' not in response.content.decode()
    assert sum('"consents_consentstate"' in q for q in after) == 0
    assert len(after) == len(before) - 1
