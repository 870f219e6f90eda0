# ruff: noqa: RUF001  (Japanese page texts, with Japanese punctuation)
"""The customer's "where my data went" picture: a flow diagram of the partners and
countries their data went to or may go to, with a table beside it, both languages, only the
customer's own records, and a fixed cost (LY-1, LY-2, APPI-29)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.models import Basis, PartnerKind, ProvisionRecord
from tests.consents import factories as cf
from tests.partners import factories as pf
from tests.partners.conftest import grant

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def record(customer, partner, purpose, *, country=None, n=1):
    ProvisionRecord.objects.bulk_create(
        ProvisionRecord(
            partner=partner,
            recipient_name=partner.name_en,
            recipient_country=country or partner.country.code,
            customer=customer,
            customer_reference=f"ref-{customer.pk}",
            purpose=purpose,
            data_items=["email"],
            basis=Basis.CONSENT,
            provided_at=timezone.now(),
        )
        for _ in range(n)
    )


@pytest.fixture
def world(customer, other_customer, quality_purpose):
    """Alice (the customer) allowed the quality purpose; Bob did not.

    pay     Example Pay (group company, listed, Japan): consent arrangement; 2 records of Alice
    support SG Support (processor in Singapore): entrustment; 1 record of Alice, recorded as
            provided to Singapore
    backup  Dublin Backup (processor in Ireland): entrustment, nothing provided
    ads     Ad Partner (third party, Japan): consent arrangement for marketing, which Alice
            did not allow, nothing provided
    bobs    Bob's Lab (third party, Japan): no arrangement in force, 1 record of Bob"""
    marketing = cf.provision_purpose(code="ads-x", name_en="Ads", name_ja="広告")
    pay = pf.partner_with(
        kind=PartnerKind.GROUP_COMPANY,
        purpose=quality_purpose,
        basis=Basis.CONSENT,
        listed=True,
        name_en="Example Pay Co., Ltd.",
        name_ja="サンプルペイ株式会社",
    )
    support = pf.partner_with(
        kind=PartnerKind.ENTRUSTED_PROCESSOR,
        purpose=quality_purpose,
        country=pf.singapore(),
        name_en="SG Support Pte. Ltd.",
        name_ja="SGサポート社",
    )
    backup = pf.partner_with(
        kind=PartnerKind.ENTRUSTED_PROCESSOR,
        purpose=quality_purpose,
        country=pf.ireland(),
        name_en="Dublin Backup Ltd.",
        name_ja="ダブリン・バックアップ社",
    )
    ads = pf.partner_with(purpose=marketing, name_en="Ad Partner Inc.", name_ja="広告パートナー社")
    bobs = pf.PartnerFactory(name_en="Bobs Lab Inc.", name_ja="ボブ研究所")
    grant(customer, quality_purpose)
    record(customer, pay, quality_purpose, n=2)
    record(customer, support, quality_purpose)
    record(other_customer, bobs, quality_purpose)
    return {"pay": pay, "support": support, "backup": backup, "ads": ads, "bobs": bobs}


def flow_svg(html: str) -> ET.Element:
    svg = re.search(r'<svg[^>]*id="data-flow".*?</svg>', html, re.S).group(0)
    return ET.fromstring(svg)


def table_rows(html: str) -> dict[str, str]:
    body = html.split('id="data-flow-table"')[1].split("</table>")[0]
    return {
        pk: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        for pk, row in re.findall(r'data-partner="(\d+)">(.*?)</tr>', body, re.S)
    }


@pytest.mark.clause("LY-1", "LY-2", "APPI-29")
def test_the_picture_and_its_table_in_english(client, customer, world):
    customer.preferred_language = "en"
    customer.save()
    client.force_login(customer)
    client.cookies["portal_language"] = "en"
    html = client.get(reverse("partners:provisions")).content.decode()
    svg = flow_svg(html)
    # a group, not an image: an image's boxes could not be links (axe: nested-interactive)
    assert svg.get("role") == "group"
    assert svg.get("aria-labelledby") == "data-flow-title"
    assert svg.get("aria-describedby") == "data-flow-desc"
    assert svg.find(f"{SVG}title").text == "Where your data went"
    pay, support, backup = world["pay"], world["support"], world["backup"]
    boxes = sorted((a.get("href"), a.find(f"{SVG}title").text) for a in svg.iter(f"{SVG}a"))
    # each partner links to its public entry (the processors abroad: their country's page,
    # which lists them), each country abroad to its Art. 28 information; Japan has none
    assert boxes == [
        ("/partners/countries/#country-IE", "Dublin Backup Ltd.: may receive your data"),
        ("/partners/countries/#country-IE", "Ireland"),
        ("/partners/countries/#country-SG", "SG Support Pte. Ltd.: received your data"),
        ("/partners/countries/#country-SG", "Singapore"),
        (
            f"/partners/group-companies/#company-{pay.pk}",
            "Example Pay Co., Ltd.: received your data",
        ),
    ]
    titles = [t.text for t in svg.iter(f"{SVG}title")]
    assert "Japan" in titles
    assert not any("Ad Partner" in (t or "") or "Bob" in (t or "") for t in titles)
    # edge labels: how many times
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "2 times" in texts and "1 time" in texts
    # solid edges for provided data, dashed for what may be provided
    paths = [p for p in svg.iter(f"{SVG}path") if p.get("marker-end")]
    assert len([p for p in paths if p.get("stroke-dasharray")]) == 2  # you->backup->Ireland
    assert len([p for p in paths if not p.get("stroke-dasharray")]) == 4

    rows = table_rows(html)
    assert rows == {
        str(pay.pk): "Example Pay Co., Ltd. Group company Provided 2 times Email address "
        "May be provided again Japan",
        str(support.pk): "SG Support Pte. Ltd. Entrusted processor Provided 1 time Email address "
        "May be provided again Singapore",
        str(backup.pk): "Dublin Backup Ltd. Entrusted processor May be provided "
        "Pseudonymous account identifier, Prefecture, Birth year, Preferred language, "
        "Service usage and registration month Ireland",
    }
    countries = html.split('id="data-flow-countries"')[1].split("</table>")[0]
    assert re.findall(r'data-country="(\w+)"', countries) == ["JP", "IE", "SG"]
    assert "What we tell you about Singapore (Art. 28)" in countries
    assert "Personal Data Protection Act 2012 (PDPA)" in countries


def test_the_picture_in_japanese(client, customer, world):
    client.force_login(customer)
    client.cookies["portal_language"] = "ja"
    html = client.get(reverse("partners:provisions")).content.decode()
    svg = flow_svg(html)
    assert svg.find(f"{SVG}title").text == "あなたのデータの提供先"
    titles = [t.text for t in svg.iter(f"{SVG}title")]
    assert "サンプルペイ株式会社：あなたのデータを提供しました" in titles
    assert "ダブリン・バックアップ社：あなたのデータを提供することがあります" in titles
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "2回" in texts
    rows = table_rows(html)
    assert rows[str(world["pay"].pk)].startswith(
        "サンプルペイ株式会社 グループ会社 2回提供しました"
    )
    assert "シンガポールについてのお知らせ（第28条）" in html


def test_only_ones_own_records(client, other_customer, world):
    """Bob sees his own record and the arrangements open to everyone, nothing of Alice's."""
    client.force_login(other_customer)
    client.cookies["portal_language"] = "en"
    html = client.get(reverse("partners:provisions")).content.decode()
    rows = table_rows(html)
    assert set(rows) == {str(world["bobs"].pk), str(world["support"].pk), str(world["backup"].pk)}
    assert rows[str(world["bobs"].pk)].startswith("Bobs Lab Inc. Third party Provided 1 time")
    assert "May be provided" in rows[str(world["support"].pk)]
    assert "Example Pay" not in html.split('id="data-flows"')[1].split("</section>")[0]
    assert client.get(reverse("partners:provisions")).status_code == 200
    client.logout()
    assert client.get(reverse("partners:provisions")).status_code == 302


def test_nothing_to_show(client, customer):
    client.force_login(customer)
    client.cookies["portal_language"] = "en"
    html = client.get(reverse("partners:provisions")).content.decode()
    assert 'id="data-flow"' not in html
    assert "No partner has received your data" in html


@pytest.mark.parametrize("n", [1, 30])
def test_the_cost_does_not_grow_with_the_records(
    client, customer, world, quality_purpose, django_assert_num_queries, n
):
    record(customer, world["support"], quality_purpose, n=n)
    client.force_login(customer)
    # 1 session, 2 user; the overview: 3 partners, 4 their arrangements in force, 5 those
    # arrangements' purposes, 6 record counts, 7 record items, 8-9 the consent decision of the
    # one consent-based purpose of Example Pay and of Ad Partner; the picture: 10 the
    # recorded countries (the countries not loaded with a partner: none here, no query); the
    # layout: 11 the cookie banner's decision, 12 the published policy versions (then kept
    # by the process), no permission query (no second factor); 13 the latest records.
    with django_assert_num_queries(13):
        assert client.get(reverse("partners:provisions")).status_code == 200
