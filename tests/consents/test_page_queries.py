"""Issue 13 (P5): what the layout costs a customer's page once the cookie choice and the
policy notice are known; the policy notice read from the process's copy of the published
versions, and still right after a publication and a dismissal (LW-9)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from consents import sections, selectors, services
from consents.models import PolicyAnnouncementDismissal
from tests import factories as people
from tests.consents import factories as f

pytestmark = pytest.mark.django_db

NOTICE = 'id="policy-announcement"'


@pytest.fixture
def veteran(customer):
    """A customer who joined 400 days ago, with forty purposes decided ten times over (400
    ledger events), another customer's rows beside theirs, and the banner answered."""
    customer.date_joined = timezone.now() - datetime.timedelta(days=400)
    customer.save()
    purposes = [f.opt_in_purpose(code=f"q{n:02d}", position=n) for n in range(40)]
    other = people.customer()
    for n in range(10):
        choices = {p.code: n % 2 == 0 for p in purposes}
        services.consent_change(customer=customer, choices=choices, source="web")
        services.consent_change(customer=other, choices=choices, source="web")
    return customer


@pytest.fixture
def answered(customer_client):
    customer_client.cookies["portal_cookies"] = "necessary"
    return customer_client


def test_the_dashboard_asks_nothing_for_the_layout_once_banner_and_notice_are_known(
    veteran, answered, django_assert_num_queries
):
    f.published_version(version="5.0", published_at=timezone.now())
    assert NOTICE in answered.get("/dashboard/").content.decode()  # asks the dismissals once
    with django_assert_num_queries(5):
        # 1. session, 2. user; the home page's items: 3. the requests waiting on the
        # customer, 4. the ready answers (requests), 5. the incidents' section; the purposes
        # to decide again cost nothing, since no published version widened one. The layout
        # asks nothing: no permission query (no second factor), no consent decision (the
        # cookie says the banner was answered), no policy notice query (published versions
        # kept by the process, dismissals by the session).
        page = answered.get("/dashboard/").content.decode()
    assert NOTICE in page and "5.0" in page


def test_the_consent_page_asks_only_for_its_own_content(
    veteran, answered, django_assert_num_queries, monkeypatch
):
    f.published_version(version="5.0", published_at=timezone.now())
    monkeypatch.setattr(sections, "_providers", [])
    monkeypatch.setattr(sections, "_uses_providers", [])
    monkeypatch.setattr(sections, "_notes_providers", [])
    answered.get("/consents/")
    with django_assert_num_queries(7):
        # 1. session, 2. user; 3. purposes, 4. states, 5. restrictions, 6. services (none,
        # so no prefetch of their purposes), 7. the latest five changes. Nothing for the
        # layout.
        page = answered.get("/consents/").content.decode()
    assert page.count('<li class="choice" id="purpose-q') == 40
    assert NOTICE in page


def test_a_publication_and_a_dismissal_show_on_the_next_page(veteran, answered):
    assert NOTICE not in answered.get("/dashboard/").content.decode()
    version = f.PolicyVersionFactory(version="6.0")
    services.policy_version_publish(version=version, actor=None)
    assert NOTICE in answered.get("/dashboard/").content.decode()  # the copy was forgotten
    answered.post("/consents/notices/6.0/dismiss/", {"next": "/dashboard/"})
    assert PolicyAnnouncementDismissal.objects.filter(customer=veteran).count() == 1
    assert NOTICE not in answered.get("/dashboard/").content.decode()
    # A newer version: the session's answer was for other candidates, so it asks again.
    newer = f.PolicyVersionFactory(version="7.0")
    services.policy_version_publish(version=newer, actor=None)
    page = answered.get("/dashboard/").content.decode()
    assert NOTICE in page and "7.0" in page


def test_the_copy_is_kept_for_thirty_seconds_and_then_read_again(monkeypatch):
    clock = {"now": 1000.0}
    monkeypatch.setattr(selectors.time, "monotonic", lambda: clock["now"])
    assert selectors.published_cached() == []
    # Written behind the signals' back (as another process would): not seen at once ...
    version = f.published_version(version="8.0", published_at=timezone.now())
    selectors._published["versions"] = (clock["now"], [])
    clock["now"] += 29
    assert selectors.published_cached() == []
    # ... and seen once the copy is thirty seconds old.
    clock["now"] += 1
    assert selectors.published_cached() == [version]
