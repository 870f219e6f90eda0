"""A person without an account in a real Chromium (LW-6.1, LW-6.2, APPI-36): chooses to
go on without an account, proves the address with the code read from the outbox, files a
disclosure request, uploads an identity document when asked and, once staff matched them and
fulfilled the request, downloads the answer through the signed link."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portal.models import OutboundMail
from requests import intake, workflow
from requests.models import DataRequest, Outcome, PackageStatus, Status
from requests.services import packages
from tests.browser.helpers import dismiss_cookie_banner
from tests.requests.conftest import PNG

LINK = re.compile(r"http://[^/\s]+(/requests/follow/[^\s]+/)")


@pytest.fixture
def private_root(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    return settings.PRIVATE_STORAGE_ROOT


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.clause("LW-6.1", "LW-6.2", "APPI-36")
def test_without_an_account_file_verify_upload_and_download_the_answer(
    page, live_server, cast, private_root
):
    shot = page.shots
    email = "hanako.tanaka@example.jp"

    page.goto("/requests/new/")
    dismiss_cookie_banner(page)
    shot("choose")
    page.get_by_test_id("choose-without-account").click()
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_role("button", name="確認コードを送信する").click()
    expect(page.get_by_test_id("code-sent")).to_contain_text(email)
    shot("code")

    mail = OutboundMail.objects.get(to=email)
    code = re.search(r"^\s+(\d{6})$", mail.body, re.MULTILINE).group(1)
    assert code in mail.subject
    page.get_by_label("メールに記載された6桁の確認コード").fill(code)
    page.get_by_role("button", name="確認する").click()

    page.get_by_label(re.compile("お客様ご本人としてサービスを利用しています")).check()
    page.get_by_label("保有個人データの開示").check()
    page.get_by_role("button", name="次へ").click()
    page.get_by_label("お名前").fill("田中 花子")
    page.get_by_label("保有しているすべてのデータ").check()
    page.get_by_label("電子データ（ダウンロード）").check()  # noqa: RUF001
    shot("file")
    page.get_by_role("button", name="請求を送信する").click()

    req = DataRequest.objects.get(requester_email=email)
    assert (req.customer, req.requester_name, req.channel) == (None, "田中 花子", "online")
    expect(page.get_by_role("status")).to_contain_text(req.reference)
    expect(page.get_by_test_id("status")).to_have_text("受付済み")
    expect(page.get_by_test_id("link-notice")).to_be_visible()
    shot("filed")
    receipt = OutboundMail.objects.get(to=email, subject__contains=req.reference)
    link = LINK.search(receipt.body).group(1)
    assert page.url.endswith(link)

    # Staff ask for an identity document: the clock pauses until it arrives.
    workflow.request_verification_start(request_id=req.pk, actor=cast.agent)
    workflow.request_customer_ask(
        request_id=req.pk, actor=cast.agent, note="運転免許証の画像をアップロードしてください。"
    )
    asked = OutboundMail.objects.filter(to=email).order_by("-pk").first()
    page.goto(LINK.search(asked.body).group(1))
    expect(page.get_by_test_id("status")).to_have_text("お客様のご対応待ち")
    page.get_by_label("ファイル（PDF、JPEG、PNG）").set_input_files(  # noqa: RUF001
        files=[{"name": "免許証.png", "mimeType": "image/png", "buffer": PNG}]
    )
    shot("upload")
    page.get_by_role("button", name="アップロード").click()
    expect(page.get_by_role("status")).to_contain_text("書類をお受け取りしました")
    expect(page.get_by_test_id("status")).to_have_text("本人確認中")
    req.refresh_from_db()
    doc = req.documents.get()
    assert (doc.uploaded_by, doc.content_type, req.is_paused) == (None, "image/png", False)
    assert (private_root / "requests" / doc.stored_name).read_bytes() == PNG

    # Staff match the requester to the account that holds their data, confirm and fulfil.
    intake.requester_match(request_id=req.pk, actor=cast.agent, customer=cast.customer)
    workflow.request_identity_confirm(request_id=req.pk, actor=cast.agent)
    workflow.request_close(
        request_id=req.pk,
        actor=cast.agent,
        outcome=Outcome.FULFILLED,
        reason="保有個人データをダウンロードできるようにしました。",
    )
    req.refresh_from_db()
    if req.package.status != PackageStatus.READY:
        packages.package_build(package_id=req.package.pk)
    assert req.status == Status.CLOSED
    ready = OutboundMail.objects.filter(to=email).order_by("-pk").first()
    page.goto(LINK.search(ready.body).group(1))
    expect(page.get_by_test_id("outcome")).to_contain_text(
        "保有個人データをダウンロードできるようにしました。"
    )
    expect(page.get_by_test_id("package-json")).to_be_visible()
    shot("answer")
    with page.expect_download() as download:
        page.get_by_test_id("package-json").click()
    document = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert document["reference"] == req.reference
    profile = next(s for s in document["sections"] if s["category"] == "profile")
    assert profile["rows"][0]["email"] == cast.customer.email
    # The link of this request opens nothing of another.
    other = page.request.get(link.replace(link.split("/")[-2], link.split("/")[-2][:-3] + "xyz"))
    assert other.status == 404
