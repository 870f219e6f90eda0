# ruff: noqa: RUF001  (the page's own Japanese labels)
"""A visitor reads the transparency report in a real Chromium, finds a small count withheld,
switches to English and downloads the figures as CSV (LW-6.3, LW-11)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from requests.models import Kind, Outcome, Status
from tests.browser.helpers import dismiss_cookie_banner
from tests.requests.factories import DataRequestFactory

JST = ZoneInfo("Asia/Tokyo")


def _closed(kind, received, days):
    DataRequestFactory(
        kind=kind,
        received_at=received,
        due_at=received + timedelta(days=14),
        status=Status.CLOSED,
        closed_at=received + timedelta(days=days),
        outcome=Outcome.FULFILLED,
        outcome_reason="done",
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.clause("LW-11")
def test_a_visitor_reads_the_report_and_downloads_the_csv(page):
    cache.clear()
    for days in (1, 2, 3, 4, 5, 6):
        _closed(Kind.DISCLOSURE, datetime(2025, 1, 10, 9, tzinfo=JST), days)
    # two deletions and three additions: each fewer than five, and together they keep each
    # other from being worked out from the total
    for _ in range(2):
        _closed(Kind.DELETION, datetime(2025, 1, 20, 9, tzinfo=JST), 3)
    for _ in range(3):
        _closed(Kind.ADDITION, datetime(2025, 1, 21, 9, tzinfo=JST), 3)
    shot = page.shots

    page.goto("/")
    dismiss_cookie_banner(page)
    page.get_by_role("contentinfo").get_by_role("link", name="透明性レポート").click()
    page.get_by_role("navigation", name="年").get_by_role("link", name="2025").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("透明性レポート 2025年")
    kinds = page.locator('table[data-section="received_kind"]')
    expect(kinds.locator('tr[data-row="disclosure"] td').first).to_have_text("6")
    expect(kinds.locator('tr[data-row="deletion"] td').first).to_have_text("5件未満")
    chart = page.locator("svg#chart-received_kind")
    expect(chart).to_be_visible()
    expect(chart.locator("title").first).to_have_text("受け付けた請求（種類別）、2025年（通年）")
    shot("transparency-ja")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Transparency report 2025")
    expect(kinds.locator('tr[data-row="deletion"] td').first).to_have_text("fewer than 5")
    shot("transparency-en")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download the 2025 figures (CSV)").click()
    download = info.value
    assert download.suggested_filename == "transparency-2025.csv"
    text = open(download.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    rows = {(r[1], r[3]): (r[4], r[5]) for r in csv.reader(io.StringIO(text))}
    assert rows[("received_kind.disclosure", "2025-Q1")] == ("6", "")
    assert rows[("received_kind.deletion", "2025")] == ("", "fewer than 5")
    assert rows[("times.median", "2025-Q1")] == ("3.0", "")
