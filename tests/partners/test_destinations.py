"""The public countries page lists every place data goes, derived from the arrangements in
force and the purposes (analytics included); its Google Analytics section links what the
policy promises (LY-2, LW-7, APPI Art. 28)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from partners.models import ArrangementStatus
from tests.consents import factories as cf
from tests.partners import factories as pf

pytestmark = pytest.mark.django_db

# The Google pages the GA section links, per language (LW-7).
GA_LINKS = {
    "ja": {
        "ga-terms": "https://marketingplatform.google.com/about/analytics/terms/jp/",
        "ga-privacy": "https://policies.google.com/privacy?hl=ja",
        "ga-opt-out": "https://tools.google.com/dlpage/gaoptout?hl=ja",
    },
    "en": {
        "ga-terms": "https://marketingplatform.google.com/about/analytics/terms/us/",
        "ga-privacy": "https://policies.google.com/privacy?hl=en",
        "ga-opt-out": "https://tools.google.com/dlpage/gaoptout?hl=en",
    },
}


def _listed(page: str) -> list[str]:
    return re.findall(r'<section class="card" id="country-([A-Z]+)">', page)


def _section(page: str, code: str) -> str:
    start = page.index(f'id="country-{code}"')
    return page[start : page.index("</section>", start)]


def _link(html: str, link_id: str) -> str:
    match = re.search(rf'<a href="([^"]+)" rel="noopener" id="{link_id}">', html)
    assert match, link_id
    return match.group(1).replace("&amp;", "&")


@pytest.mark.clause("LY-2")
def test_the_list_comes_from_arrangements_in_force_and_purposes(client, quality_purpose):
    today = timezone.localdate()
    # In force in Singapore: listed.
    pf.partner_with(purpose=quality_purpose, country=pf.singapore(), name_en="Lion Data Pte.")
    # A partner in Ireland whose only arrangement ended: not listed.
    ended = pf.PartnerFactory(country=pf.ireland(), name_en="Shamrock Ltd.")
    pf.ArrangementFactory(
        partner=ended,
        purposes=[quality_purpose],
        starts_on=today - datetime.timedelta(days=400),
        ends_on=today - datetime.timedelta(days=30),
    )
    # A partner in Korea with a draft arrangement only: not listed.
    korea = pf.CountryFactory(code="KR", name_ja="大韓民国", name_en="Republic of Korea")
    draft = pf.PartnerFactory(country=korea, name_en="Draft Korea Co.")
    pf.ArrangementFactory(partner=draft, purposes=[quality_purpose], status=ArrangementStatus.DRAFT)
    # Analytics sends data to Google LLC in the United States (no partner, no country row).
    cf.analytics_purpose(countries="US", recipients_en="Google LLC", recipients_ja="Google LLC")
    # A purpose that stays in Japan, and an inactive one abroad: not listed.
    cf.opt_in_purpose(code="domestic", countries="JP")
    cf.opt_in_purpose(code="retired", countries="VN", is_active=False)
    client.post(reverse("language_set"), {"language": "en"})
    page = client.get(reverse("partners:countries")).content.decode()
    assert _listed(page) == ["SG", "US"]
    us = _section(page, "US")
    assert "United States" in us and "Google LLC" in us
    assert 'data-purpose="analytics"' in us and 'id="google-analytics"' in us
    assert 'id="google-analytics"' not in _section(page, "SG")
    assert "Lion Data Pte." in _section(page, "SG")


@pytest.mark.clause("LY-2", "LW-7")
@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_demo_lists_korea_and_the_usa_with_the_ga_links(client, language):
    call_command("demo")
    client.post(reverse("language_set"), {"language": language})
    page = client.get(reverse("partners:countries")).content.decode()
    assert _listed(page) == ["KR", "US"]
    us = _section(page, "US")
    assert ("United States" if language == "en" else "アメリカ合衆国") in us
    assert ("Federal Trade Commission" if language == "en" else "連邦取引委員会") in us
    for link_id, url in GA_LINKS[language].items():
        assert _link(us, link_id) == url
    # The cookie settings page carries the same section.
    cookies = client.get(reverse("consents:cookies")).content.decode()
    for link_id, url in GA_LINKS[language].items():
        assert _link(cookies, link_id) == url
