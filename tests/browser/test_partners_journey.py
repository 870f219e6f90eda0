"""Partners in a real Chromium with a real worker: privacy staff start a de-identified export
and watch its progress bar fill while the worker runs it, download the file, and the
customer then sees the provision on their consent page (LY-5, LY-1, APPI-29)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from partners.models import Export, ExportStatus, PartnerKind, ProvisionRecord
from portal.celery import app
from tests import factories as people
from tests.browser.helpers import dismiss_cookie_banner, sign_in
from tests.consents import factories as cf
from tests.partners import factories as pf
from tests.partners.conftest import grant


@pytest.fixture
def small_chunks(monkeypatch):
    """Small chunks so the worker reports progress many times (read by the worker at start)."""
    monkeypatch.setenv("PARTNERS_EXPORT_CHUNK_SIZE", "3")


@pytest.fixture
def exports_to_worker(celery_worker_process):
    """Send the export task to the real worker's queue instead of running it in-process."""
    eager, routes = app.conf.task_always_eager, app.conf.task_routes

    def route(table) -> None:
        app.conf.task_routes = table
        app.amqp.flush_routes()
        app.amqp.__dict__.pop("router", None)  # Celery caches the router built from the table

    app.conf.task_always_eager = False
    route({"partners.tasks.export_run_task": {"queue": celery_worker_process.queue}})
    yield celery_worker_process
    app.conf.task_always_eager = eager
    route(routes)


@pytest.mark.browser
@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("LY-5", "LY-1", "APPI-29")
def test_staff_export_with_progress_and_the_customer_sees_it(
    small_chunks, exports_to_worker, page, live_server, cast
):
    purpose = cf.provision_purpose(
        code="provision-research",
        category="research",
        name_ja="研究機関による調査・分析",
        name_en="Surveys and analysis by research institutions",
    )
    lab = pf.partner_with(
        kind=PartnerKind.RESEARCH_INSTITUTION,
        purpose=purpose,
        name_ja="東都大学 社会情報研究所",
        name_en="Toto University Institute of Social Informatics",
    )
    grant(cast.customer, purpose)
    for n in range(40):
        grant(people.customer(email=f"panel{n}@example.jp", prefecture="27"), purpose)
    grant(cast.other_customer, purpose)
    grant(cast.other_customer, purpose, granted=False)  # withdrew before the export

    sign_in(page, live_server, cast.agent)
    page.goto("/staff/partners/exports/")
    dismiss_cookie_banner(page)
    page.get_by_role("combobox", name="提供先").select_option(str(lab.pk))
    purpose_label = "目的（LY-5）"  # noqa: RUF001 (the page's own Japanese label)
    page.get_by_role("combobox", name=purpose_label).select_option(str(purpose.pk))
    page.shots("export-form")
    page.get_by_role("button", name="書き出しを開始").click()
    expect(page.get_by_role("status")).to_contain_text("書き出しを開始しました")
    bar = page.locator("#export-bar")
    expect(bar).to_be_visible()
    page.shots("export-started")
    # The page polls; the bar fills and the download appears without a reload.
    expect(page.locator("#export-download")).to_be_visible(timeout=30_000)
    expect(bar).to_have_attribute("value", "100")
    expect(page.locator("#export-status")).to_have_text("完了")
    expect(page.locator("#export-count")).to_have_text("41 / 41")
    page.shots("export-completed")
    export = Export.objects.get()
    assert export.status == ExportStatus.COMPLETED and export.rows == 41
    with page.expect_download() as info:
        page.get_by_role("link", name="CSVをダウンロード").click()
    body = info.value.path().read_text(encoding="utf-8")
    assert cast.customer.email not in body and cast.other_customer.email not in body
    assert len(body.strip().splitlines()) == 42

    sign_in(page, live_server, cast.customer)
    page.goto("/consents/")
    dismiss_cookie_banner(page)
    section = page.locator("#partners-provisions")
    row = section.locator(f'tr[data-partner="{lab.pk}"]')
    expect(row).to_contain_text("東都大学 社会情報研究所")
    expect(row).to_contain_text("同意あり")
    expect(row).to_contain_text("1回")
    expect(section.locator("#provision-records")).to_contain_text("研究機関による調査・分析")
    page.shots("customer-consent-page")
    assert ProvisionRecord.objects.filter(customer=cast.customer, export=export).count() == 1
    assert not ProvisionRecord.objects.filter(customer=cast.other_customer).exists()
