"""The back-office in a real Chromium with a real worker (LW-6.3, LW-6.4, LW-5, LW-6.1,
APPI-36, LW-1): an agent claims a disclosure from the queue, verifies identity, quotes the
fee and records the payment, drafts a partial disclosure withholding the access log on
ground (1); a privacy administrator reads the notice and approves; the worker builds the
package while the customer's page shows progress; the customer reads and downloads it."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from portal.celery import app
from portal.models import AccessLogEntry, AuditEvent, OutboundMail
from requests.models import DataRequest, FeeStatus, Outcome, PackageStatus, Status
from requests.services import filing
from tests.browser.helpers import dismiss_cookie_banner, sign_in
from tests.requests.factories import fee


@pytest.fixture
def private_root(settings, tmp_path, monkeypatch):
    """One private folder for the live server and the worker (read from the environment by
    the worker when it starts)."""
    root = tmp_path / "private"
    settings.PRIVATE_STORAGE_ROOT = root
    monkeypatch.setenv("PRIVATE_STORAGE_ROOT", str(root))
    return root


@pytest.fixture
def packages_to_worker(private_root, request):
    """Send the package build to the real worker's queue instead of running it in-process."""
    worker = request.getfixturevalue("celery_worker_process")
    eager, routes = app.conf.task_always_eager, app.conf.task_routes

    def route(table) -> None:
        app.conf.task_routes = table
        app.amqp.flush_routes()
        app.amqp.__dict__.pop("router", None)

    app.conf.task_always_eager = False
    route({"requests.tasks.package_build_task": {"queue": worker.queue}})
    yield worker
    app.conf.task_always_eager = eager
    route(routes)


def _act(page, name: str) -> None:
    page.locator(f"form[action$='/act/{name}/'] button[type=submit]").first.click()


@pytest.mark.browser
@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("LW-6.3", "LW-6.4", "LW-5", "LW-6.1", "APPI-36", "LW-1")
def test_agent_verifies_pays_drafts_partial_admin_approves_customer_downloads(
    packages_to_worker, page, live_server, cast
):
    shot = page.shots
    fee("disclosure", "electronic", 500)
    alice = cast.customer
    type(alice).objects.filter(pk=alice.pk).update(phone="090-1234-5678")
    AccessLogEntry.objects.create(
        user=alice, action="sign_in", ip_address="203.0.113.7", user_agent="Journey/1.0"
    )
    req = filing.request_file(
        customer=alice,
        kind="disclosure",
        details={"scope": "all", "categories": ["access_log", "profile", "requests"]},
    )

    # The agent finds the request in the queue and claims it.
    sign_in(page, live_server, cast.agent)
    page.goto("/staff/requests/")
    dismiss_cookie_banner(page)
    row = page.get_by_test_id("queue").locator("tr", has_text=req.reference)
    expect(row).to_contain_text("山田 アリス")
    shot("queue")
    row.locator("input[name=pick]").check()  # the row's one control
    page.locator("#queue-assign button[type=submit]").click()  # to "me", the first choice
    # The queue names the viewer's own rows "me" / 「自分」.
    expect(page.get_by_test_id("queue").locator("tr", has_text=req.reference)).to_contain_text(
        "自分"
    )
    page.get_by_role("link", name=req.reference).click()

    # Identity, then the fee, then the payment.
    _act(page, "verification_start")
    expect(page.get_by_test_id("status")).to_contain_text(str(Status.VERIFYING.label))
    page.get_by_test_id("identity-confirm").click()
    _act(page, "fee_quote")
    expect(page.get_by_test_id("payment-form")).to_be_visible()
    form = page.get_by_test_id("payment-form")
    form.locator("select[name=method]").select_option("bank_transfer")
    form.locator("input[name=amount_yen]").fill("500")
    form.locator("input[name=paid_on]").fill("2026-11-20")
    shot("payment")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("fee")).to_contain_text("500")
    req.refresh_from_db()
    assert (req.status, req.fee_status) == (Status.IN_REVIEW, FeeStatus.PAID)

    # A partial disclosure: the access log is withheld on ground (1).
    page.get_by_test_id("decision-link").click()
    form = page.get_by_test_id("decision-form")
    form.locator("input[name=access_log__withheld]").check()
    form.locator("input[name=access_log__grounds][value='1']").check()
    form.locator("textarea[name=access_log__reason]").fill(
        "第三者の権利を害するおそれがある記録が含まれるためです。"
    )
    form.locator("textarea[name=summary]").fill("一部の情報を開示しないこととしました。")
    shot("decision")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("status")).to_contain_text(str(Status.AWAITING_APPROVAL.label))
    expect(page.get_by_test_id("notice-preview")).to_contain_text("第三者の権利")

    # The administrator reads the notice the customer will get and approves.
    sign_in(page, live_server, cast.administrator)
    page.goto("/staff/approvals/")
    dismiss_cookie_banner(page)
    page.get_by_test_id("approvals").locator("tr", has_text=req.reference).get_by_role(
        "link"
    ).click()
    expect(page.get_by_test_id("notice-preview")).to_contain_text("一部の情報を開示しない")
    shot("approval")
    page.get_by_test_id("approval-form").locator("button[value=approve]").click()
    req.refresh_from_db()
    assert (req.status, req.outcome) == (Status.CLOSED, Outcome.PARTIALLY_FULFILLED)
    # The closing notice (the package's "ready" mail may already follow it).
    notice = OutboundMail.objects.get(to=alice.email, body__contains="一部の情報を開示しない")
    assert "第三者の権利を害するおそれ" in notice.body and req.reference in notice.subject

    # The worker builds the package; the customer's page shows it, then the download.
    sign_in(page, live_server, alice)
    page.goto(f"/requests/{req.reference}/")
    dismiss_cookie_banner(page)
    expect(page.get_by_test_id("package")).to_be_visible()
    shot("package-progress")
    packages_to_worker.wait_for(
        lambda: DataRequest.objects.get(pk=req.pk).package.status == PackageStatus.READY,
        timeout=60,
    )
    # The page updates itself (htmx asks for the package's part every 3 s), no reload.
    expect(page.get_by_test_id("package-html")).to_be_visible(timeout=15_000)
    expect(page.get_by_test_id("decision-items")).to_contain_text("第三者")
    shot("package-ready")
    page.get_by_test_id("package-html").click()
    expect(page.locator("body")).to_contain_text("090-1234-5678")
    expect(page.locator(".withheld")).to_contain_text("第三者の権利を害するおそれ")
    expect(page.locator("body")).not_to_contain_text("203.0.113.7")
    shot("package-page")
    response = page.request.get(f"/requests/{req.reference}/package.json")
    assert response.ok
    document = json.loads(response.body())
    assert {w["category"] for w in document["withheld"]} == {"access_log"}
    assert "access_log" not in {s["category"] for s in document["sections"]}
    assert AuditEvent.objects.filter(action="requests.request.approved", actor=cast.administrator)
