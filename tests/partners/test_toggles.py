"""Every toggle a customer sees on the consent page changes what the gate does, or the page
says it is informational (LY-1, LY-4, LY-7). No dead toggle.

The toggles are discovered by parsing the rendered page of the demo; what each one decides
is written out below (the oracle), not read from the code under test.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse

from consents import services as consent_services
from consents.models import Purpose, Service
from partners.models import Partner
from partners.services import gate

pytestmark = pytest.mark.django_db

GA = "G-TOGGLE01"
SNIPPET = "googletagmanager.com/gtag/js"
EXPORT = ["account_pseudonym", "prefecture", "birth_year", "language", "usage"]

# Every optional purpose on the demo's consent page and what flipping it must change:
# ("gate", partner legal name in English, purpose the provision is for, data items): that
# provision's decision; ("analytics",): whether the Google Analytics snippet is served;
# ("informational",): nothing outside our own use, and the page must say so.
PURPOSE_TOGGLES = {
    "statistics-marketing": ("informational",),
    "analytics": ("analytics",),
    "group-phone-sharing": ("gate", "Example Pay Co., Ltd.", "group-phone-sharing", ["phone"]),
    "provision-quality": ("gate", "Data Quality Lab Inc.", "provision-quality", EXPORT),
    "provision-new-services": ("gate", "Data Quality Lab Inc.", "provision-new-services", EXPORT),
    "provision-fraud-prevention": (
        "gate",
        "SafeNet Analytics K.K.",
        "provision-fraud-prevention",
        EXPORT,
    ),
    "provision-research": (
        "gate",
        "Toto University Institute of Social Informatics",
        "provision-research",
        EXPORT,
    ),
    # The consent to provision to Korea: the disaster-recovery centre's backups (APPI Art. 28).
    "overseas-provision": (
        "gate",
        "Example Works Korea Co., Ltd.",
        "service-operation",
        ["backup"],
    ),
    "connected-apps": ("gate", "Calendar Sync", "connected-apps", ["name", "email"]),
}

# Every "Disconnect" on the page (connected applications, LY-7): the provision it stops.
SERVICE_TOGGLES = {
    "calendar-sync": ("Calendar Sync", "connected-apps", ["name", "email"]),
    "expense-app": ("Expense App", "connected-apps", ["name", "email"]),
}


class _Page(HTMLParser):
    """The consent form's checkboxes and the pages' other POST forms."""

    def __init__(self):
        super().__init__()
        self.checkboxes: dict[str, dict] = {}
        self.actions: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "checkbox":
            self.checkboxes[attrs["name"]] = {
                "checked": "checked" in attrs,
                "disabled": "disabled" in attrs,
            }
        if tag == "form" and attrs.get("method") == "post":
            self.actions.append(attrs.get("action") or "")


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _row(html: str, code: str) -> str:
    match = re.search(rf'<li[^>]*id="purpose-{re.escape(code)}">(.*?)</li>', html, re.S)
    assert match, f"no row for {code}"
    return match.group(1)


def _decide(customer, partner_name, purpose_code, items):
    return gate.provision_decide(
        customer=customer,
        partner=Partner.objects.get(name_en=partner_name),
        purpose=Purpose.objects.get(code=purpose_code),
        items=items,
    )


def _post_flipping(client, page: _Page, name: str):
    data = {n: "on" for n, box in page.checkboxes.items() if box["checked"] and n != name}
    if not page.checkboxes[name]["checked"]:
        data[name] = "on"
    return client.post(reverse("consents:consent_page"), data)


@pytest.mark.clause("LY-1", "LY-4", "LY-7", "LW-7")
def test_every_toggle_on_the_consent_page_binds_the_gate_or_says_it_is_informational(
    client, customer, settings
):
    call_command("demo")
    settings.GA_MEASUREMENT_ID = GA
    client.force_login(customer)
    url = reverse("consents:consent_page")
    html = client.get(url).content.decode()
    page = _parse(html)
    found = {name.removeprefix("purpose-") for name in page.checkboxes}
    assert found == set(PURPOSE_TOGGLES), "a toggle without an expectation, or one missing"
    assert not any(box["disabled"] for box in page.checkboxes.values())

    for code, expected in PURPOSE_TOGGLES.items():
        name = f"purpose-{code}"
        html = client.get(url).content.decode()
        page = _parse(html)
        row = _row(html, code)
        if expected[0] == "gate":
            _kind, partner_name, purpose_code, items = expected
            partner = Partner.objects.get(name_en=partner_name)
            assert 'data-decides="gate"' in row and partner.name_ja in row, code
            before = _decide(customer, partner_name, purpose_code, items)
            assert _post_flipping(client, page, name).status_code == 302
            after = _decide(customer, partner_name, purpose_code, items)
            assert before.allowed != after.allowed, (code, before.reason, after.reason)
        elif expected[0] == "analytics":
            assert 'data-decides="analytics"' in row
            before = SNIPPET in client.get(reverse("consents:policy")).content.decode()
            assert _post_flipping(client, page, name).status_code == 302
            after = SNIPPET in client.get(reverse("consents:policy")).content.decode()
            assert before != after
        else:
            assert 'data-decides="informational"' in row, code
            assert 'data-decides="gate"' not in row

    # Connected applications: each "Disconnect" stops the provision to that application.
    for app in Service.objects.filter(code__in=SERVICE_TOGGLES):
        consent_services.consent_change(
            customer=customer, choices={"connected-apps": True}, source="web", service=app
        )
    page = _parse(client.get(url).content.decode())
    revokes = {
        action.split("/")[-3]
        for action in page.actions
        if action.startswith("/consents/applications/")
    }
    assert revokes == set(SERVICE_TOGGLES)
    for code, (partner_name, purpose_code, items) in SERVICE_TOGGLES.items():
        assert _decide(customer, partner_name, purpose_code, items).allowed
        response = client.post(reverse("consents:service_revoke", kwargs={"code": code}))
        assert response.status_code == 302
        assert not _decide(customer, partner_name, purpose_code, items).allowed


@pytest.mark.clause("LY-1")
def test_what_each_choice_decides_costs_the_same_queries_for_any_number_of_partners(
    quality_purpose, overseas_purpose
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from partners import selectors
    from partners.models import Basis, PartnerKind
    from tests.partners import factories as pf

    def add_partners(n):
        for _ in range(n):
            pf.partner_with(purpose=quality_purpose, items=["prefecture"])
            pf.partner_with(
                kind=PartnerKind.GROUP_COMPANY,
                purpose=quality_purpose,
                items=["phone"],
                basis=Basis.JOINT_USE,
                country=pf.singapore(consent_purpose=overseas_purpose),
                measures_ja="対策",
                measures_en="Measures",
            )

    def count():
        with CaptureQueriesContext(connection) as ctx:
            uses = selectors.consent_bound_recipients()
        return len(ctx.captured_queries), uses

    add_partners(2)
    few, uses = count()
    assert len(uses[quality_purpose.code]) == 2 and len(uses[overseas_purpose.code]) == 2
    add_partners(8)
    many, uses = count()
    assert len(uses[quality_purpose.code]) == 10 and len(uses[overseas_purpose.code]) == 10
    # Partners (with country and its consent item), arrangements in force, their purposes.
    assert few == many == 3
