# ruff: noqa: RUF001  (Japanese labels and punctuation, as the page shows them)
"""A request that came by post, in a real Chromium (LW-6.1, LW-6.2, APPI-36): an agent
types in a letter with its scan and the day it arrived, finds it in the queue due 14 days after
that day (not after today), prints the receipt that goes by post and marks it as posted."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from requests.models import Channel, DataRequest, DocumentPurpose, PostalNotice
from tests.browser.helpers import dismiss_cookie_banner, sign_in
from tests.requests.conftest import PDF


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("LW-6.1", "LW-6.2", "APPI-36")
def test_staff_file_a_postal_request_with_its_scan_and_see_it_due_from_the_receipt(
    page, live_server, cast, settings, tmp_path
):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    shot = page.shots
    arrived = timezone.localdate() - datetime.timedelta(days=3)
    # Due 14 calendar days after the day the letter arrived, from the start of that day.
    due = f"{arrived + datetime.timedelta(days=14):%Y-%m-%d} 00:00"
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(PDF)

    sign_in(page, live_server, cast.agent)
    page.goto("/staff/requests/")
    dismiss_cookie_banner(page)
    page.get_by_role("link", name="郵送・電話などの請求を登録").click()
    page.get_by_label("請求の種類").select_option("disclosure")
    page.get_by_role("button", name="次へ").click()
    expect(page.get_by_text("請求の種類：", exact=False)).to_be_visible()
    shot("form")

    page.get_by_label("郵送", exact=True).check()
    page.get_by_label("受付日").fill(arrived.isoformat())
    page.get_by_label("請求者の氏名").fill("郵便 花子")
    page.get_by_role("textbox", name="住所").fill("〒150-0001 東京都渋谷区神宮前1-2-3")
    page.get_by_label("書面（請求書）のスキャン（PDF、JPEG、PNG）").set_input_files(str(letter))
    page.get_by_role("button", name="請求を登録する").click()

    req = DataRequest.objects.get()
    expect(page.get_by_role("status")).to_contain_text(f"請求{req.reference}を登録しました")
    expect(page.get_by_test_id("requester")).to_contain_text("郵便 花子")
    expect(page.get_by_test_id("channel")).to_contain_text("郵送")
    shot("detail")
    assert req.channel == Channel.POST and req.filed_by == cast.agent
    assert req.documents.get().purpose == DocumentPurpose.LETTER

    page.goto("/staff/requests/")
    row = page.get_by_test_id("queue").locator("tr", has_text=req.reference)
    expect(row).to_contain_text("郵便 花子")
    expect(row).to_contain_text(due)
    shot("queue")

    # No email address: the receipt waits to be printed and posted.
    row.get_by_role("link", name=req.reference).click()
    notices = page.get_by_test_id("postal-notice")
    expect(notices).to_have_count(1)
    notices.get_by_role("link").click()
    expect(page.get_by_test_id("letter-address")).to_contain_text("東京都渋谷区神宮前1-2-3")
    expect(page.get_by_test_id("letter-body")).to_contain_text(req.reference)
    expect(page.get_by_test_id("letter-body")).to_contain_text(due)
    shot("letter")
    page.get_by_role("link", name="請求に戻る").click()
    page.get_by_role("button", name="発送済みにする").click()
    expect(page.get_by_role("status")).to_contain_text("通知を発送済みにしました。")
    notice = PostalNotice.objects.get()
    assert notice.sent_by == cast.agent and notice.sent_at is not None
