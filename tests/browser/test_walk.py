# ruff: noqa: RUF001 (full-width Japanese punctuation is what these tests look for)
"""The page walk (issue 16): every page of the URL conf (tests/browser/walk.py) and of the
Django admin, as each demo role (`manage.py demo`) in Japanese and English, at 1280 and 390 px.
A page fails on a server error, on scrolling sideways, on any critical or serious axe-core
finding, and (in Japanese) on the Japanese scan's faults. One test per role, so that xdist
spreads them; each page is loaded once per language and checked at both widths in place. The
findings of the last walk are written to artifacts/walk/<role>.txt as well as the failure."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Error as PlaywrightError

from portal.models import User
from tests.browser import walk
from tests.browser.helpers import sign_in

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
REPORTS = Path(settings.BASE_DIR) / "artifacts" / "walk"  # the last walk's findings, per role
WIDTHS = (1280, 390)
ADMIN_SITE = "admin-site"  # the administrator in the Django admin, a parameter of its own
LANGUAGES = ("ja", "en")

# The element furthest past the right edge that no scrolling ancestor contains: the culprit.
# It first lets the page settle at its new width: transitions that the resize started (the
# admin's sidebar) end (spinners that never end are not waited for), and two frames are laid
# out.
OVERFLOW_JS = """async () => {
  const ending = document.getAnimations().filter(
    a => a.effect && a.effect.getComputedTiming().iterations !== Infinity);
  await Promise.all(ending.map(a => a.finished.catch(() => null)));
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  const root = document.documentElement, limit = root.clientWidth;
  if (root.scrollWidth <= limit) return null;
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o !== 'visible') return true;
    }
    return false;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.classList.length ? '.' + [...el.classList].join('.') : '');
  let worst = null, right = limit;
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > right + 0.5 && !clipped(el)) { right = r.right; worst = el; }
  }
  if (!worst) {  // no box sticks out: some text does (a long line in a <pre>, a long word)
    for (const el of document.body.querySelectorAll('*')) {
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'visible'
          && el.getBoundingClientRect().right + el.scrollWidth - el.clientWidth > limit) worst = el;
    }
  }
  const path = [];
  for (let el = worst; el && el !== document.body; el = el.parentElement) path.unshift(name(el));
  return {scrollWidth: root.scrollWidth, clientWidth: limit, widest: path.join(' > '),
          widestRight: Math.round(right)};
}"""

AXE_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'critical' || v.impact === 'serious')
    .map(v => ({rule: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""

# --- the Japanese scan ---------------------------------------------------------------------
JA = r"\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e\u3000-\u303f"
JA_FAULTS = {
    "a colon after a question or a sentence": re.compile(r"[？?。]\s*[:：]"),
    "a half-width colon after a Japanese label": re.compile(rf"[{JA}]:"),
    "half-width brackets around Japanese": re.compile(rf"\([^()\n]*[{JA}][^()\n]*\)"),
}
# English words a Japanese page may carry: names of things, codes, the other language's own
# button, and the demo's own English data (an English-speaking customer's name and address).
ENGLISH_ALLOWED = {
    "line", "works", "pdf", "json", "csv", "html", "api", "gpc", "url", "id", "ok",
    "english", "example", "co", "ltd", "inc", "llc", "gmbh", "pte", "corp", "kk",
    "emma", "wilson", "umeda", "kita", "osaka", "jp", "com", "sec", "sub", "dr",
    # Names Japanese writes in Latin letters: the cookie and the analytics service.
    "cookie", "google",
    # Authenticator apps a customer is told to install, by their own names.
    "authenticator", "microsoft",
    # Names of standards and schemes, and keys of a keyboard, as Japanese writes them.
    "openapi", "webhook", "http", "https", "control", "command", "mac",
}  # fmt: skip
ENGLISH_WORD = re.compile(r"(?<![\w@./:\-])[A-Za-z]{3,}(?![\w@./\-])")


def japanese_faults(text: str) -> list[str]:
    found = []
    for line in text.splitlines():
        for fault, pattern in JA_FAULTS.items():
            for match in pattern.finditer(line):
                found.append(f"{fault}: …{line[max(0, match.start() - 15) : match.end() + 15]}…")
        words = [w for w in ENGLISH_WORD.findall(line) if w.lower() not in ENGLISH_ALLOWED]
        # A word in capitals is an acronym or a code (LW-6.3, INC-00001); a lower-case word,
        # or a capitalised one among Japanese text, is an untranslated string.
        words = [w for w in words if not w.isupper()]
        if words:
            found.append(f"untranslated English {words}: …{line[:80]}…")
    return found


# The text a reader sees, without what is marked as another language (lang="en") or as code:
# those are hidden for a moment, as innerText of a detached copy would lose the line breaks.
# In the admin, the records' own values (what staff typed in both languages, codes, JSON) are
# data, not the admin's words: skipped too (`ADMIN_VALUES`).
VISIBLE_TEXT_JS = """(extra) => {
  const own = '[lang]:not([lang^=ja]), script, style, noscript, code, kbd, pre';
  const skip = document.body.querySelectorAll(own + (extra ? ', ' + extra : ''));
  const saved = [...skip].map(el => [el, el.style.display]);
  saved.forEach(([el]) => { el.style.display = 'none'; });
  const text = document.body.innerText;
  saved.forEach(([el, display]) => { el.style.display = display; });
  return text;
}"""
ADMIN_VALUES = ", ".join(
    (
        "#result_list tbody td, #result_list tbody th, .inline-group tbody td",  # rows
        ".readonly, textarea, select, input, .related-widget-wrapper",  # a form's values
        ".breadcrumbs, #content > h2, .inline-related h3 b, .inline_label",  # the record's name
        "td.original, #changelist-filter li, #recent-actions-module .actionlist",
        ".field-password p",  # a stored password's algorithm, salt and hash
    )
)


def _context(browser, live_server, role: str, language: str):
    context = browser.new_context(
        base_url=live_server.url,
        locale="ja-JP" if language == "ja" else "en-US",
        viewport={"width": WIDTHS[0], "height": 900},
    )
    context.set_default_timeout(20_000)
    context.add_init_script(path=str(AXE))
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page = context.new_page()
    email = walk.ROLES[role]
    if email:
        sign_in(page, live_server, User.objects.get(email=email))
    # The cookie banner is left showing: it is part of every page until one chooses, and is
    # checked with each of them.
    return context, page


def _walk_role(browser, live_server, role: str) -> tuple[dict, int]:
    if role == ADMIN_SITE:
        pages, missing, role = walk.admin_pages(), [], "admin"
    else:
        pages, missing = walk.portal_pages()
    findings: dict[str, list[str]] = defaultdict(list)
    findings["demo data holds no object for"] = missing
    visited = 0
    for language in LANGUAGES:
        context, page = _context(browser, live_server, role, language)
        seen: set[str] = set()
        for name, path in pages:
            try:
                response = page.goto(path)
            except PlaywrightError as exc:
                findings["does not open"].append(f"{role}/{language} {name} {path}: {exc}")
                continue
            landed = urlparse(page.url)
            # A query counts only where the walk asked for one (not the sign-in's ?next=).
            asked = "?" in path and landed.query
            where = landed.path + (f"?{landed.query}" if asked else "")
            if where in seen:
                continue  # a redirect to a page already checked (the sign-in, the dashboard)
            seen.add(where)
            visited += 1
            label = f"{role}/{language} {name} {where} ({response.status if response else '-'})"
            if response and response.status >= 500:
                findings["server error"].append(label)
                continue
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                overflow = page.evaluate(OVERFLOW_JS)
                if overflow:
                    findings["scrolls sideways"].append(f"{label} at {width}px: {overflow}")
                for violation in page.evaluate(AXE_JS):
                    findings["axe"].append(f"{label} at {width}px: {violation}")
            if language == "ja" and walk.japanese_scanned(name):
                extra = ADMIN_VALUES if name.startswith("admin:") else ""
                for fault in japanese_faults(page.evaluate(VISIBLE_TEXT_JS, extra)):
                    findings["Japanese"].append(f"{label}: {fault}")
            page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        context.close()
    return {kind: found for kind, found in findings.items() if found}, visited


def _report(findings: dict, visited: int) -> str:
    lines = [f"{visited} page views"]
    for kind, found in findings.items():
        lines.append(f"{kind} ({len(found)}):")
        lines.extend(f"  {item}" for item in found)
    return "\n".join(lines)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", [*walk.ROLES, ADMIN_SITE])
def test_every_page_is_usable_on_a_phone_and_accessible(browser, live_server, role):
    with open(os.devnull, "w") as quiet:
        call_command("demo", stdout=quiet)
    walk.demo_supplement()
    findings, visited = _walk_role(browser, live_server, role)
    report = _report(findings, visited)
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"{role}.txt").write_text(report + "\n")
    assert findings == {}, report


def test_every_url_is_walked_or_excluded():
    names = set(walk.url_names())
    portal = {name for name in names if not name.startswith("admin:")}
    unlisted = portal - set(walk.WALKED) - set(walk.EXCLUDED)
    assert unlisted == set(), "URLs neither walked nor excluded in tests/browser/walk.py"
    stale = (set(walk.WALKED) | set(walk.EXCLUDED)) - portal
    assert stale == set(), "walk.py lists URLs the URL conf no longer has"
    admin_unlisted = {n for n in names if n.startswith("admin:") and not walk.admin_name_covered(n)}
    assert admin_unlisted == set(), "admin URLs neither walked nor excluded"


def test_the_japanese_scan_finds_each_known_fault():
    assert japanese_faults("どなたからのご請求ですか？:") != []
    assert japanese_faults("受付しました。: 詳細") != []
    assert japanese_faults("メールアドレス: a@example.jp") != []
    assert japanese_faults("受付番号 (DR-2026-000001)") == []
    assert japanese_faults("ご本人 (代理人)") != []
    assert japanese_faults("12/- granted 15:28") != []
    assert japanese_faults("受付番号（DR-2026-000001）15:28 LINE WORKS") == []
    assert japanese_faults("連絡先 hanako@example.jp provision-fraud-prevention") == []
