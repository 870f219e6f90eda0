"""Incidents in a real Chromium (APPI-26, LW-5): an agent records a leak at an entrusted
processor, scopes the people from the provision records (seeing the count first), assesses
it and drafts the preliminary report; a privacy administrator who did not draft it approves
it; the agent records the submission and sends the notices; the customer sees the incident
on her home page, in Japanese."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents.models import AffectedPerson, Incident
from portal.celery import app
from portal.models import OutboundMail
from tests.browser.helpers import dismiss_cookie_banner, sign_in
from tests.incidents.factories import NOTICE_TEXTS, processor, provision


@pytest.fixture
def notices_to_worker(celery_worker_process):
    """Send the notices' task to a real worker's queue instead of running it in-process, so
    the page has a job in flight to show."""
    eager, routes = app.conf.task_always_eager, app.conf.task_routes

    def route(table) -> None:
        app.conf.task_routes = table
        app.amqp.flush_routes()
        app.amqp.__dict__.pop("router", None)  # Celery caches the router built from the table

    app.conf.task_always_eager = False
    route({"incidents.tasks.notices_send_task": {"queue": celery_worker_process.queue}})
    yield celery_worker_process
    app.conf.task_always_eager = eager
    route(routes)


@pytest.mark.browser
@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("APPI-26", "LW-5")
def test_record_scope_approve_and_notify(notices_to_worker, page, live_server, cast):
    shot = page.shots
    desk = processor(name_ja="問合せ代行株式会社", name_en="Inquiry Desk Ltd.")
    now = timezone.localtime()
    provided = now - datetime.timedelta(days=10)
    provision(partner=desk, customer=cast.customer, when=provided, items=["email", "phone"])
    provision(partner=desk, customer=cast.other_customer, when=provided, items=["email"])
    aware = (now - datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    discovered = (now - datetime.timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")

    # The agent records the incident.
    sign_in(page, live_server, cast.agent)
    page.goto("/staff/incidents/")
    dismiss_cookie_banner(page)
    page.get_by_role("link", name="インシデントを登録する").click()
    page.fill("#id_title", "委託先サーバーへの不正アクセス")
    page.fill("#id_discovered_at", discovered)
    page.fill("#id_aware_at", aware)
    page.fill("#id_summary", "委託先の問い合わせ管理サーバーに第三者が侵入した。")
    page.get_by_label("問合せ代行株式会社").check()
    page.get_by_label("委託先で発生した").check()
    page.get_by_label("メールアドレス", exact=True).check()
    page.get_by_label("電話番号", exact=True).check()
    page.fill("#id_cause", "管理画面の認証情報が窃取された。")
    page.locator("#id_deliberate").check()
    for name, text in NOTICE_TEXTS.items():
        page.fill(f"#id_{name}", text)
    shot("record")
    page.get_by_role("button", name="インシデントを登録する").click()
    incident = Incident.objects.get()
    expect(page.locator("h1")).to_contain_text(incident.reference)
    expect(page.get_by_test_id("final-due")).to_contain_text("事態を知ってから 60 日")
    shot("recorded")

    # Scoping: the count is shown before anyone is added.
    page.get_by_test_id("scope-link").click()
    page.select_option("#id_partner", str(desk.pk))
    day = provided.date().isoformat()
    page.fill("#id_date_from", day)
    page.fill("#id_date_to", day)
    page.get_by_role("button", name="該当する人数を数える").click()
    expect(page.get_by_test_id("scope-count")).to_contain_text("新たに 2 人")
    assert AffectedPerson.objects.count() == 0
    shot("scope-count")
    page.get_by_test_id("scope-confirm").click()
    expect(page.get_by_test_id("people")).to_contain_text("2")

    # The assessment: an attack (trigger 3), with its reason.
    page.locator("#id_unauthorised_purpose").check()
    page.fill("#id_unauthorised_purpose_reason", "外部からの不正アクセスによる。")
    page.get_by_role("button", name="判断を記録する").click()
    expect(page.get_by_test_id("assessment")).to_contain_text("報告対象です")

    # The agent drafts the preliminary report and previews it.
    page.get_by_test_id("report-preliminary").click()
    page.get_by_test_id("report-draft").click()
    preview = page.get_by_test_id("report-preview")
    expect(preview).to_contain_text("個人データの漏えい等の報告（速報）")  # noqa: RUF001
    expect(preview).to_contain_text("メールアドレス、電話番号")
    expect(preview).to_contain_text("2人")
    expect(page.get_by_test_id("report-approve")).to_have_count(0)  # staff cannot approve
    shot("report-draft")

    # A privacy administrator approves it.
    sign_in(page, live_server, cast.administrator)
    page.goto(f"/staff/incidents/{incident.pk}/")
    page.get_by_test_id("assessment-confirm").click()
    page.get_by_test_id("report-preliminary").click()
    page.get_by_test_id("report-approve").click()
    expect(page.get_by_test_id("report-status")).to_have_text("承認済み")
    pdf = page.request.get(f"/staff/incidents/{incident.pk}/reports/preliminary/report.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
    shot("approved")

    # The agent records the submission and sends the notices.
    sign_in(page, live_server, cast.agent)
    page.goto(f"/staff/incidents/{incident.pk}/reports/preliminary/")
    page.get_by_test_id("report-submitted").click()
    expect(page.get_by_test_id("submitted-on")).to_have_text(timezone.localdate().isoformat())
    page.goto(f"/staff/incidents/{incident.pk}/")
    expect(page.get_by_test_id("preliminary-due")).to_contain_text("提出済み")
    page.get_by_test_id("notices-link").click()
    shot("notices")
    page.get_by_test_id("notices-send").click()
    expect(page.locator(".messages")).to_contain_text("2 件の通知を送付します")
    # A worker sends them; the page's poll shows the progress in place until all are out.
    expect(page.get_by_test_id("notice-progress")).to_have_text(
        "送付済み — 2 件中 2 件", timeout=60_000
    )
    expect(page.locator(".messages")).to_contain_text("2 件の通知を送付します")  # no reload
    shot("notices-sent")
    mails = dict(OutboundMail.objects.values_list("to", "language"))
    assert mails == {"alice@example.jp": "ja", "bob@example.com": "en"}
    page.goto(f"/staff/incidents/{incident.pk}/")
    expect(page.get_by_test_id("timeline")).to_contain_text("本人への通知を送付")

    # The customer sees it on her home page and opens it.
    sign_in(page, live_server, cast.customer)
    page.goto("/dashboard/")
    card = page.get_by_test_id("incident-notices")
    expect(card).to_contain_text("お客様に関わるインシデント")
    shot("customer-home")
    card.get_by_role("link").click()
    expect(page.get_by_test_id("notice-items")).to_have_text("メールアドレス、電話番号")
    expect(page.locator("main")).to_contain_text(NOTICE_TEXTS["notice_advice_ja"])
    shot("customer-notice")
