"""A visitor sending `Sec-GPC: 1` sees, wherever the cookie banner would appear, that the
signal was honoured, in Japanese and English (LW-7)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consents.cookies import COOKIE_NAME
from consents.models import ConsentEvent, ConsentSource
from tests import factories as people
from tests.consents import factories as f

pytestmark = pytest.mark.django_db

GPC = {"Sec-GPC": "1"}
# Pages that carry the cookie banner for a visitor who has not chosen.
PAGES = ["home", "consents:policy", "consents:cookies", "partners:countries"]
# What the notice says, per language.
SAYS = {
    "ja": "グローバル・プライバシー・コントロール",
    "en": "Your browser sends the Global Privacy Control signal, and we honour it",
}
ACCOUNT = {
    "ja": "第三者への任意の提供もすべて拒否",
    "en": "refusing every optional provision of your data to third parties",
}


def _shows(page: str) -> tuple[bool, bool]:
    return 'id="cookie-banner"' in page, 'id="gpc-notice"' in page


@pytest.fixture
def analytics(db):
    return f.analytics_purpose()


@pytest.mark.clause("LW-7")
@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_the_notice_takes_the_banners_place(client, analytics, name, language):
    client.post(reverse("language_set"), {"language": language})
    url = reverse(name)
    assert _shows(client.get(url).content.decode()) == (True, False)
    page = client.get(url, headers=GPC).content.decode()
    assert _shows(page) == (False, True)
    assert SAYS[language] in page
    assert ACCOUNT[language] not in page  # an anonymous visitor has no consents to refuse


@pytest.mark.clause("LW-7")
def test_no_notice_where_the_banner_would_not_appear(client, analytics):
    client.cookies[COOKIE_NAME] = "necessary"
    assert _shows(client.get("/").content.decode()) == (False, False)
    assert _shows(client.get("/", headers=GPC).content.decode()) == (False, False)


@pytest.mark.clause("LW-7")
@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_signed_in_customer_is_told_and_can_acknowledge(client, analytics, language):
    fresh = people.customer(email=f"fresh-{language}@example.jp", preferred_language=language)
    client.force_login(fresh)
    client.post(reverse("language_set"), {"language": language})
    assert _shows(client.get("/").content.decode()) == (True, False)
    page = client.get("/", headers=GPC).content.decode()
    assert _shows(page) == (False, True)
    assert SAYS[language] in page and ACCOUNT[language] in page
    # "OK" records the answer; the notice goes, like the banner after a choice.
    response = client.post(
        reverse("consents:cookies"), {"choice": "necessary", "next": "/"}, headers=GPC
    )
    assert response.status_code == 302
    assert _shows(client.get("/", headers=GPC).content.decode()) == (False, False)


@pytest.mark.clause("LW-7")
def test_the_notice_says_so_when_the_signal_overrode_a_choice(client, customer, analytics):
    from consents import services

    services.consent_change(customer=customer, choices={"analytics": True}, source="web")
    client.force_login(customer)
    # Their own choice: no banner would appear, and without the signal no notice either.
    assert _shows(client.get("/").content.decode()) == (False, False)
    # The signal withdraws it (ledger source "gpc"): the answer is the signal's, so say so.
    page = client.get("/", headers=GPC).content.decode()
    sources = list(ConsentEvent.objects.filter(customer=customer).values_list("source", flat=True))
    assert sorted(sources) == sorted([ConsentSource.WEB, ConsentSource.GPC])
    assert _shows(page) == (False, True)
