"""Live progress without reloads: while a disclosure package builds, the request
page asks for the package's part again (htmx, served from our origin under the CSP) and swaps
that part alone. A reply being typed on the same page survives every update, and the page is
never reloaded (a marker set in the page's window is still there at the end)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from requests.models import DisclosurePackage, Kind, PackageStatus, Status
from tests.browser.helpers import dismiss_cookie_banner, sign_in
from tests.requests.factories import data_request

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""

HALF_TYPED = "パッケージの件で確認したいことがあり、"


@pytest.mark.browser
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("LW-6.1")
def test_the_package_progress_updates_in_place_and_a_half_typed_message_survives(
    page, live_server, cast
):
    req = data_request(
        status=Status.CLOSED,
        customer=cast.customer,
        kind=Kind.DISCLOSURE,
        delivery_method="electronic",
    )
    package = DisclosurePackage.objects.create(
        request=req, status=PackageStatus.BUILDING, total=4, done=1
    )
    page.add_init_script(RECORD_VIOLATIONS)
    sign_in(page, live_server, cast.agent)
    page.goto(f"/staff/requests/{req.pk}/")
    dismiss_cookie_banner(page)
    status = page.get_by_test_id("package-status")
    expect(status).to_contain_text("25%")
    assert page.locator("meta[http-equiv=refresh]").count() == 0

    box = page.locator("textarea[name=body]")
    box.click()
    box.press_sequentially(HALF_TYPED)
    page.evaluate("window.__notReloaded = true")

    # The worker moves on: the bar follows without a reload, the text stays where it was.
    DisclosurePackage.objects.filter(pk=package.pk).update(done=3)
    expect(status).to_contain_text("75%", timeout=15_000)
    assert box.input_value() == HALF_TYPED
    box.press_sequentially("お願いします。")

    DisclosurePackage.objects.filter(pk=package.pk).update(status=PackageStatus.READY, done=4)
    expect(page.get_by_role("link", name="開示データを開く（印刷用）")).to_be_visible(  # noqa: RUF001
        timeout=15_000
    )
    assert box.input_value() == HALF_TYPED + "お願いします。"
    assert page.evaluate("window.__notReloaded") is True
    assert box.evaluate("el => el === document.activeElement") is True
    assert page.evaluate("window.__cspViolations") == []

    # Ready: the part no longer asks again.
    assert page.locator("#package-section[hx-trigger]").count() == 0
