"""No page breaks the Content Security Policy (LW-5).

A real Chromium visits every page of the URL conf with the demo data, as a visitor, a
customer, privacy staff and an administrator (the Django admin too), and records each
`securitypolicyviolation` event the browser raises. Pages that take an argument are reached by
following the links of the pages before them (at most a few addresses per URL name, so that
the admin's change pages do not make the crawl endless), and a few are given directly.
"""

from __future__ import annotations

from collections import deque
from urllib.parse import urljoin, urlparse

import pytest
from django.core import signing
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from portal.models import User
from tests.browser.helpers import sign_in
from tests.otp import app_device, login_without_second_factor

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push({
    directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample,
    source: e.sourceFile, line: e.lineNumber,
  });
});
"""

# Pages every role starts from; the crawl goes on from their links.
START = [
    "/",
    "/dashboard/",
    "/accounts/profile/",
    "/accounts/security/",
    "/accounts/two-factor/set-up/",
    "/accounts/email/",
    "/accounts/password/",
    "/accounts/sign-in/",
    "/accounts/sign-up/",
    "/accounts/sign-up/sent/",
    "/accounts/password/reset/",
    "/accounts/password/reset/sent/",
    "/accounts/password/reset/complete/",
    "/accounts/password/reset/MQ/set-password/",
    "/privacy/",
    "/privacy/history/",
    "/privacy/changes/",
    "/cookies/",
    "/consents/",
    "/consents/history/",
    "/partners/group-companies/",
    "/partners/countries/",
    "/partners/joint-use/",
    "/partners/my-data/",
    "/requests/",
    "/requests/new/",
    "/requests/new/disclosure/",
    "/staff/",
    "/staff/requests/",
    "/staff/requests/overview/",
    "/staff/approvals/",
    "/staff/partners/",
    "/staff/partners/records/",
    "/staff/partners/provisions/new/",
    "/staff/partners/exceptions/",
    "/staff/partners/exports/",
    "/admin/",
    "/no-such-page/",
]
# Never followed: they sign out, download files or answer with JSON.
SKIP_NAMES = {
    "logout",
    "consents:receipt",
    "requests:document_download",
    "requests:package_download",
    "partners:staff_export_download",
    "partners:staff_export_progress",
    "requests:staff_queue_csv",
    "requests:staff_package_pdf",
    "requests:transparency_csv",
    "requests:follow_document_download",
    "requests:follow_package_download",
    "otp_webauthn:js-i18n-catalog",
    "admin:logout",
    "admin:view_on_site",
    "admin:jsi18n",
    "admin:password_change",
}
PER_NAME = 3

# The HTML pages the crawl must have seen, across the roles (from the URL conf).
MUST_SEE = {
    "home",
    "dashboard",
    "sign_up",
    "sign_up_done",
    "email_confirm",
    "email_change",
    "email_change_confirm",
    "login",
    "profile",
    "password_change",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "mfa_verify",
    "mfa_setup",
    "security",
    "staff_home",
    "consents:policy",
    "consents:policy_history",
    "consents:policy_diff",
    "consents:policy_version",
    "consents:cookies",
    "consents:consent_page",
    "consents:history",
    "partners:group_companies",
    "partners:countries",
    "partners:joint_use",
    "partners:provisions",
    "partners:staff_registry",
    "partners:staff_records",
    "partners:staff_provision_new",
    "partners:staff_exceptions",
    "partners:staff_exports",
    "requests:list",
    "requests:start",
    "requests:file",
    "requests:detail",
    "requests:staff_queue",
    "requests:staff_overview",
    "approvals",
    "requests:staff_detail",
    "admin:index",
    "admin:login",
}


def _name(path: str) -> str | None:
    try:
        match = resolve(urlparse(path).path)
    except Resolver404:
        return None
    return match.view_name


def _crawl(page, base: str, start: list[str], seen_names: dict, violations: list, role: str):
    queue = deque(start)
    visited: set[str] = set()
    while queue:
        path = queue.popleft()
        if path in visited:
            continue
        visited.add(path)
        name = _name(path)
        if name in SKIP_NAMES:
            continue
        if name is not None:
            if seen_names.setdefault((role, name), 0) >= PER_NAME:
                continue
            seen_names[(role, name)] += 1
        page.goto(path)
        page.wait_for_load_state("load")
        landed = _name(urlparse(page.url).path)
        if landed is not None:
            seen_names.setdefault((role, landed), 1)
        for item in page.evaluate("window.__cspViolations"):
            violations.append({"role": role, "page": path, **item})
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            url = urlparse(urljoin(page.url, href))
            if url.netloc != urlparse(base).netloc or url.scheme not in ("http", "https"):
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            if target not in visited:
                queue.append(target)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.clause("LW-5")
def test_no_page_violates_the_content_security_policy(page, live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    page.context.add_init_script(RECORD_VIOLATIONS)
    # Consoles report what the event also reports; keep them for the failure message.
    console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security" in m.text else None)

    hanako = User.objects.get(email="hanako@example.jp")
    confirm = signing.dumps({"u": hanako.pk, "e": hanako.email}, salt="portal.email.confirm")
    change = signing.dumps(
        {"u": hanako.pk, "old": hanako.email, "new": "hanako@new.example.jp"},
        salt="portal.email.change",
    )
    direct = [
        reverse("email_confirm", kwargs={"token": confirm}),
        reverse("email_change_confirm", kwargs={"token": change}),
    ]

    seen: dict = {}
    violations: list = []
    roles = [
        ("anonymous", None),
        ("customer", hanako),
        ("staff", User.objects.get(email="staff@example.jp")),
        ("administrator", User.objects.get(email="admin@example.jp")),
    ]
    for role, user in roles:
        page.context.clear_cookies()
        if user is not None:
            sign_in(page, live_server, user)
        _crawl(page, live_server.url, START + direct, seen, violations, role)

    # A customer who has turned on the second factor meets the sign-in step.
    page.context.clear_cookies()
    app_device(hanako)
    client = Client()
    login_without_second_factor(client, hanako)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    _crawl(page, live_server.url, ["/accounts/two-factor/"], seen, violations, "customer-mfa")

    assert violations == [], f"{len(violations)} CSP violations: {violations[:10]}\n{console[:10]}"
    seen_names = {name for (_role, name) in seen}
    assert MUST_SEE - seen_names == set()
