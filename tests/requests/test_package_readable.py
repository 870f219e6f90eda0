# ruff: noqa: RUF001  (the expected Japanese text has full-width brackets)
"""The disclosure package reads as an answer (LW-6.1, LW-6.3): every label in the
customer's language, Tokyo times, names instead of codes and internal ids, each withheld
item's ground in plain words; the JSON keeps stable machine-readable keys and says so; a
paper answer comes as a PDF with its Japanese glyphs embedded; each person opens only their
own package."""

from __future__ import annotations

import html
import io
import json
import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from portal.inventory import CATEGORIES
from requests import workflow
from requests.models import DisclosurePackage, Kind, Status
from requests.services import decisions, packages
from tests.requests.factories import data_request, footprint

pytestmark = pytest.mark.django_db

ALL = sorted(CATEGORIES)
BUILT_AT = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 12:00 in Tokyo
RECEIVED_AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # 18:00 in Tokyo


def _answered(cast, person, *, delivery="electronic", monkeypatch):
    """A disclosure by `person` with their footprint, the access log withheld on grounds (1)
    and (2), approved and built at BUILT_AT."""
    footprint(person, tag="alice" if person == cast.customer else "bob", staff=cast.agent)
    req = data_request(
        status=Status.IN_REVIEW,
        customer=person,
        kind=Kind.DISCLOSURE,
        details={"scope": "all", "categories": ALL},
        delivery_method=delivery,
        received_at=RECEIVED_AT,
    )
    reason = (
        "The records include an ongoing investigation."
        if person.preferred_language == "en"
        else "調査中の記録が含まれるため。"
    )
    items = {
        c: {
            "withheld": c == "access_log",
            "grounds": [1, 2] if c == "access_log" else [],
            "reason": reason if c == "access_log" else "",
        }
        for c in ALL
    }
    decisions.decision_draft(request_id=req.pk, actor=cast.agent, items=items, summary="一部開示")
    workflow.request_approve(request_id=req.pk, actor=cast.administrator)
    package = DisclosurePackage.objects.get(request=req)
    with monkeypatch.context() as clock:
        clock.setattr(timezone, "now", lambda: BUILT_AT)
        package = packages.package_build(package_id=package.pk)
    return req, package


def _page(package) -> str:
    with packages.package_storage().open(package.html_name) as handle:
        return handle.read().decode()


def _json(package) -> dict:
    with packages.package_storage().open(package.json_name) as handle:
        return json.loads(handle.read())


def _text(page: str) -> str:
    """The page's words, tags dropped and spaces folded."""
    body = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


# What no readable page may show: ledger summaries, ISO or UTC times, raw dictionaries,
# the event and code names of the database.
RAW = [
    re.compile(r"\d+/[-\d]+ (granted|withdrawn)"),
    re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d"),
    re.compile(r"\+00:00|UTC"),
    re.compile(r"scope: |categories: |field: "),
    re.compile(r"<dd>(email|general|service|default|approve|close|access_log|profile)</dd>"),
]


@pytest.mark.clause("LW-6.1", "LW-6.3")
def test_the_japanese_package_reads_as_an_answer(cast, monkeypatch):
    req, package = _answered(cast, cast.customer, monkeypatch=monkeypatch)
    page = _page(package)
    text = _text(page)
    for expected in [
        f"当社が保有するお客様のデータ（ご請求 {req.reference}）",
        f"請求 {req.reference} · 保有個人データの開示",
        "作成日時 2026-12-01 12:00（日本時間）",
        "開示しなかった項目とその理由",
        "アクセス履歴（ログイン、IPアドレス、端末）",
        "開示することで、お客様または第三者の生命、身体、財産その他の権利利益を害するおそれがあります。",
        "開示することで、当社の業務の適正な実施に著しい支障を及ぼすおそれがあります"
        "（たとえば、進行中の不正利用の調査）。",
        "お客様のご請求についての理由 調査中の記録が含まれるため。",
        "受付日時 2026-11-20 18:00",
        "判断した同意 お客様の全般的な同意",
        "データ項目 メールアドレス",
        "提供先の国・地域 日本",
        "イベント 承認して完了しました",
        "項目 電話番号",
        "次の種類のデータは保有しておりません",
    ]:
        assert expected in text, expected
    assert re.search(r"根拠とした同意 \d{4}-\d\d-\d\d \d\d:\d\d のお客様の同意の選択", text)
    for pattern in RAW:
        assert not pattern.search(page), pattern.pattern
    # The withheld access log is left out: its sign-in (user agent "Browser/alice" with
    # action "sign_in") is not there; the same device's consent changes are.
    assert "<dd>ログイン</dd>" not in page and "sign_in" not in page


@pytest.mark.clause("LW-6.1", "LW-11")
def test_the_english_package_reads_as_an_answer(cast, monkeypatch):
    req, package = _answered(cast, cast.other_customer, monkeypatch=monkeypatch)
    page = _page(package)
    text = _text(page)
    for expected in [
        f"The data we hold about you (request {req.reference})",
        f"Request {req.reference} · Disclosure of my data",
        "Prepared on 2026-12-01 12:00 (Japan time)",
        "Items we did not disclose, and why",
        "(1) Harm to the life, body, property or other rights of the person or a third party",
        "Showing it to you could harm the life, body, property or other rights and interests "
        "of you or of someone else.",
        "Our reason in your case The records include an ongoing investigation.",
        "Received at 2026-11-20 18:00",
        "Consent decided by your general consent",
        "Data items Email address",
        "Recipient's country Japan",
        "Event Approved and closed",
        "Item Phone number",
        "We hold nothing of these kinds about you:",
    ]:
        assert expected in text, expected
    for pattern in RAW:
        assert not pattern.search(page), pattern.pattern
    assert "作成日時" not in text and "お客様" not in text  # no Japanese label


def test_the_json_keeps_stable_keys_in_every_language_and_says_so(cast, monkeypatch):
    _req, japanese = _answered(cast, cast.customer, monkeypatch=monkeypatch)
    _req, english = _answered(cast, cast.other_customer, monkeypatch=monkeypatch)
    ja, en = _json(japanese), _json(english)
    assert (ja["schema"], ja["schema_version"], ja["language"]) == (
        "privacy-portal/disclosure-package",
        2,
        "ja",
    )
    assert (en["schema"], en["schema_version"], en["language"]) == (
        "privacy-portal/disclosure-package",
        2,
        "en",
    )
    assert "キーは英語の項目名で固定されており、表示言語によって変わりません" in ja["note"]
    assert (
        "The keys are stable English field names and do not change with your language"
        in (en["note"])
    )
    assert list(ja)[:4] == ["schema", "schema_version", "language", "note"]
    users = {s["model"]: s for s in ja["sections"]}["portal.User"]
    assert users["fields"] == [
        "last_login",
        "email",
        "full_name",
        "phone",
        "postal_code",
        "prefecture",
        "address",
        "birth_year",
        "preferred_language",
        "date_joined",
        "email_confirmed_at",
    ]
    assert users["labels"][1] == "メールアドレス"
    assert {s["model"]: s["labels"] for s in en["sections"]}["portal.User"][1] == "email address"
    for document in (ja, en):
        for section in document["sections"]:
            for row in section["rows"]:
                assert list(row) == section["fields"]
    ja_fields = {s["model"]: s["fields"] for s in ja["sections"]}
    en_fields = {s["model"]: s["fields"] for s in en["sections"]}
    assert ja_fields == en_fields
    # The consent a provision relied on is named by its receipt id, as the ledger rows are.
    [record] = {s["model"]: s for s in ja["sections"]}["partners.ProvisionRecord"]["rows"]
    ledger = {s["model"]: s for s in ja["sections"]}["consents.ConsentEvent"]["rows"]
    assert record["consent_event"] in {row["change_id"] for row in ledger}


def _fonts(reader: PdfReader) -> dict[str, bool]:
    """{font name: embedded} over every page."""
    found = {}
    for pdf_page in reader.pages:
        for font in pdf_page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get(
                "/FontDescriptor"
            )
            descriptor = descriptor.get_object() if descriptor else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(font["/BaseFont"]).split("+")[-1]] = embedded
    return found


@pytest.mark.clause("LW-6.1", "LW-5")
def test_a_paper_answer_is_a_pdf_in_japanese_with_its_glyphs_embedded(cast, client, monkeypatch):
    req, _package = _answered(cast, cast.customer, delivery="paper", monkeypatch=monkeypatch)
    url = reverse("requests:staff_package_pdf", kwargs={"pk": req.pk})
    client.force_login(cast.customer)
    assert client.get(url).status_code == 403  # a staff page
    customer_url = reverse(
        "requests:package_download", kwargs={"reference": req.reference, "fmt": "pdf"}
    )
    assert client.get(customer_url).status_code == 404
    client.force_login(cast.agent)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert f"当社が保有するお客様のデータ（ご請求 {req.reference}）" in text
    assert "作成日時 2026-12-01 12:00（日本時間）" in text
    assert "開示しなかった項目とその理由" in text
    fonts = _fonts(reader)
    assert any("CJK-JP" in name for name in fonts), fonts
    assert all(fonts.values()), fonts  # every font is embedded: it prints anywhere
    # An electronic answer has no PDF.
    _other, electronic = _answered(cast, cast.other_customer, monkeypatch=monkeypatch)
    assert (
        client.get(
            reverse("requests:staff_package_pdf", kwargs={"pk": electronic.request_id})
        ).status_code
        == 404
    )


def test_each_person_opens_only_their_own_package(cast, client, monkeypatch):
    req, _package = _answered(cast, cast.customer, monkeypatch=monkeypatch)
    urls = [
        reverse("requests:package_download", kwargs={"reference": req.reference, "fmt": fmt})
        for fmt in ("html", "json")
    ]
    for who, status in ((cast.other_customer, 404), (cast.agent, 404), (cast.customer, 200)):
        client.force_login(who)
        assert [client.get(u).status_code for u in urls] == [status, status], who
    client.logout()
    assert client.get(urls[0]).status_code == 302  # to sign in
