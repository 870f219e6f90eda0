"""A customer's disclosure request in a real Chromium (LW-6.1, LW-6.2, LW-6.3, LW-6.4,
APPI-36): file with a fee shown first, upload an identity document when asked, exchange
messages, pay, and read the closing notice. Staff steps run through the workflow services,
as the staff pages come with issue 5."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from portal.models import OutboundMail
from requests import workflow
from requests.models import DataRequest, Outcome, Status
from requests.services import messages
from tests.browser.helpers import dismiss_cookie_banner, sign_in
from tests.requests.conftest import PNG
from tests.requests.factories import fee


@pytest.fixture
def private_root(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    return settings.PRIVATE_STORAGE_ROOT


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.clause("LW-6.1", "LW-6.2", "LW-6.3", "LW-6.4", "LW-2.3", "APPI-36")
def test_disclosure_with_fee_identity_document_messages_and_closing_notice(
    page, live_server, cast, private_root
):
    shot = page.shots
    fee("disclosure", "electronic", 500)
    fee("disclosure", "paper", 1000)
    alice = cast.customer
    sign_in(page, live_server, alice)

    page.goto("/requests/")
    dismiss_cookie_banner(page)
    page.get_by_role("link", name="新しく請求する").click()
    page.get_by_label(re.compile("お客様ご本人としてサービスを利用しています")).check()
    page.get_by_label("保有個人データの開示").check()
    shot("start")
    page.get_by_role("button", name="次へ").click()

    # The fee is on the page before anything is filed, and must be accepted.
    expect(page.locator("#fee-heading + p + ul")).to_contain_text("500円")
    expect(page.locator("#fee-heading + p + ul")).to_contain_text("1,000円")
    page.get_by_label("保有しているすべてのデータ").check()
    page.get_by_label("電子データ（ダウンロード）").check()  # noqa: RUF001
    page.get_by_role("button", name="請求を送信する").click()
    expect(page.locator(".field-errors")).to_contain_text("500円")
    assert not DataRequest.objects.exists()
    page.get_by_label("上記の手数料に同意し、ご案内があり次第支払います。").check()
    shot("file-with-fee")
    page.get_by_role("button", name="請求を送信する").click()

    req = DataRequest.objects.get(customer=alice)
    expect(page.get_by_role("status")).to_contain_text(req.reference)
    expect(page.get_by_test_id("status")).to_have_text("受付済み")
    expect(page.get_by_test_id("fee")).to_contain_text("500円")
    shot("filed")
    assert OutboundMail.objects.filter(to=alice.email, subject__contains=req.reference).exists()

    # Staff ask for an identity document: the clock pauses.
    workflow.request_verification_start(request_id=req.pk, actor=cast.agent)
    workflow.request_customer_ask(
        request_id=req.pk, actor=cast.agent, note="運転免許証の画像をアップロードしてください。"
    )
    page.reload()
    expect(page.get_by_test_id("status")).to_have_text("お客様のご対応待ち")
    expect(page.get_by_text("運転免許証の画像をアップロードしてください。")).to_be_visible()
    page.get_by_label("ファイル（PDF、JPEG、PNG）").set_input_files(  # noqa: RUF001
        files=[{"name": "免許証.png", "mimeType": "image/png", "buffer": PNG}]
    )
    shot("upload")
    page.get_by_role("button", name="アップロード").click()
    expect(page.get_by_role("status")).to_contain_text("書類をお受け取りしました")
    expect(page.get_by_test_id("status")).to_have_text("本人確認中")
    req.refresh_from_db()
    doc = req.documents.get()
    assert doc.content_type == "image/png" and not req.is_paused
    assert (private_root / "requests" / doc.stored_name).read_bytes() == PNG

    # Messages both ways.
    messages.message_post(
        request=req, author=cast.agent, body="書類を確認しました。手数料のご案内をお待ちください。"
    )
    page.reload()
    expect(page.get_by_text("書類を確認しました。手数料のご案内をお待ちください。")).to_be_visible()
    page.locator("#id_body").fill("承知しました。よろしくお願いします。")
    page.get_by_role("button", name="メッセージを送信").click()
    expect(page.get_by_role("status")).to_contain_text("メッセージを個人情報担当者に送信しました")
    assert (
        req.messages.filter(from_staff=False).get().body == "承知しました。よろしくお願いします。"
    )
    shot("messages")

    # Identity confirmed, fee quoted: the page says how to pay.
    workflow.request_identity_confirm(request_id=req.pk, actor=cast.agent)
    workflow.request_fee_quote(request_id=req.pk, actor=cast.agent)
    page.reload()
    expect(page.get_by_test_id("status")).to_have_text("お支払い待ち")
    expect(page.get_by_test_id("fee")).to_contain_text("お支払い方法")
    expect(page.get_by_test_id("fee")).to_contain_text(req.reference)
    shot("how-to-pay")

    workflow.request_payment_record(
        request_id=req.pk,
        actor=cast.agent,
        method="bank_transfer",
        amount_yen=500,
        paid_on=date(2026, 11, 20),
    )
    workflow.request_close(
        request_id=req.pk,
        actor=cast.agent,
        outcome=Outcome.FULFILLED,
        reason="保有個人データをダウンロードできるようにしました。",
    )
    page.reload()
    expect(page.get_by_test_id("status")).to_have_text("完了")
    expect(page.get_by_test_id("outcome")).to_contain_text("ご請求どおり対応")
    expect(page.get_by_test_id("outcome")).to_contain_text(
        "保有個人データをダウンロードできるようにしました。"
    )
    expect(page.get_by_test_id("fee")).to_contain_text("支払済み")
    shot("closed")
    req.refresh_from_db()
    assert req.status == Status.CLOSED
    # The closing notice (the package's "ready" mail may follow it when tasks run eagerly).
    notice = OutboundMail.objects.filter(to=alice.email, subject__contains=req.reference).get(
        subject__contains="ご請求どおり対応"
    )
    assert "保有個人データをダウンロードできるようにしました。" in notice.body
