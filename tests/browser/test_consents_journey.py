"""Consents in a real Chromium: a customer changes two consents, reads the history and
downloads a receipt; an anonymous visitor refuses analytics in the banner and no analytics
script is on the page (LW-2.2A, LW-3, LW-7, LY-1)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from consents import demo
from consents.models import ConsentEvent
from tests import factories as people
from tests.browser.helpers import sign_in

GA = "G-JOURNEY1"
ANALYTICS_SCRIPT = 'script[src*="googletagmanager.com/gtag/js"]'


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.clause("LW-3", "LY-1")
def test_customer_changes_two_consents_sees_history_downloads_receipt(page, live_server, settings):
    settings.GA_MEASUREMENT_ID = GA
    demo.load(out=lambda line: None)
    customer = people.customer(email="journey@example.jp", full_name="旅 太郎")
    sign_in(page, live_server, customer)
    shot = page.shots

    page.goto("/consents/")
    expect(page.locator("#purpose-registration")).to_be_visible()
    expect(page.locator("#purpose-registration input[type=checkbox]")).to_have_count(0)
    shot("consent-page")
    page.locator("#id_purpose-statistics-marketing").check()
    page.locator("#id_purpose-provision-quality").check()
    page.locator("#save-consents").click()
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.locator("#id_purpose-statistics-marketing")).to_be_checked()
    expect(page.locator("#id_purpose-provision-quality")).to_be_checked()
    shot("saved")
    events = list(ConsentEvent.objects.filter(customer=customer))
    assert {(e.purpose.code, e.granted, e.source) for e in events} == {
        ("statistics-marketing", True, "web"),
        ("provision-quality", True, "web"),
    }
    assert all(e.ip_address == "127.0.0.1" and e.user_agent for e in events)

    page.locator('a[href="/consents/history/"]').last.click()
    expect(page).to_have_url(re.compile(r"/consents/history/$"))
    rows = page.locator("#consent-history tbody tr")
    expect(rows).to_have_count(2)
    shot("history")
    with page.expect_download() as download_info:
        rows.first.locator("a[download]").click()
    receipt = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert receipt["consentReceiptID"] == str(events[0].change_id)
    assert {p["purposeCode"] for p in receipt["services"][0]["purposes"]} == {
        "statistics-marketing",
        "provision-quality",
    }


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.clause("LW-2.2A", "LW-7")
def test_anonymous_visitor_refuses_analytics_in_the_banner(page, browser, live_server, settings):
    settings.GA_MEASUREMENT_ID = GA
    demo.load(out=lambda line: None)
    shot = page.shots

    page.goto("/")
    banner = page.locator("#cookie-banner")
    expect(banner).to_be_visible()
    expect(page.locator(ANALYTICS_SCRIPT)).to_have_count(0)  # nothing before a choice
    shot("banner")
    page.locator("#cookies-necessary").click()
    expect(page.locator("#cookie-banner")).to_have_count(0)
    expect(page.locator(ANALYTICS_SCRIPT)).to_have_count(0)
    page.goto("/privacy/")
    expect(page.locator(ANALYTICS_SCRIPT)).to_have_count(0)
    shot("after-refusal")
    cookie = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookie["portal_cookies"] == "necessary"
    assert not any(name.startswith("_ga") for name in cookie)

    # The same page for a visitor who accepts does carry the script: the absence above is
    # the refusal's doing, not a missing configuration.
    other = browser.new_context(base_url=live_server.url, locale="ja-JP")
    try:
        accepting = other.new_page()
        accepting.route(re.compile(r"googletagmanager"), lambda route: route.abort())
        accepting.goto("/")
        accepting.locator("#cookies-analytics").click()
        expect(accepting.locator(ANALYTICS_SCRIPT)).to_have_count(1)
        expect(accepting.locator(f'script[data-measurement-id="{GA}"]')).to_have_count(1)
    finally:
        other.close()
