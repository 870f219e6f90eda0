"""No input gets a 500: every form of the portal, customer and staff side, posted by
the user it is for with bad values: NUL bytes, huge strings, numbers out of range, wrong types
(a list where one value is expected), missing fields and unknown ones.

The forms are not listed by hand: the test signs in as a customer, privacy staff, a privacy
administrator and an anonymous visitor, walks the pages each can reach from their home pages
(the demo data plus requests in every state, so that every action form is on some page), reads
every form of every page and submits its variants. What is bounded is the number of
submissions (pages per URL name, variants per form), never the time.
"""

from __future__ import annotations

import io
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.urls import Resolver404, resolve

from partners.models import Basis, DataItem
from partners.services import exceptions as partner_exceptions
from portal.models import User
from requests.models import ApprovalKind, Kind, Status
from requests.services import approvals
from tests.consents import factories as cf
from tests.partners import factories as pf
from tests.requests.conftest import PDF
from tests.requests.factories import data_request

pytestmark = pytest.mark.django_db

# --- the bad values -----------------------------------------------------------------------

NUL = "a\x00b"
HUGE = "長" * 6_000  # past every max_length of the portal (the longest is 5,000)
WIDE_DIGITS = "\uff11\uff12"  # "12" in full-width digits
# A NUL byte, past every max_length, negative, past every integer column, not ASCII digits.
BAD_VALUES = [NUL, HUGE, "-1", "9" * 40, WIDE_DIGITS]
FIELDS_ONE_BY_ONE = 3  # per form: this many fields get a bad value alone (the rest valid)
PAGES_PER_URL_NAME = 8  # e.g. at most 8 request pages per user (the demo has six requests)
MAX_PAGES = 120  # per user

SKIP_PATHS = ("/admin/", "/accounts/sign-out/", "/static/", "/media/")


# --- reading forms ------------------------------------------------------------------------


class Form:
    def __init__(self, action: str, method: str):
        self.action = action
        self.method = method
        self.fields: dict[str, list[str]] = {}  # name -> valid-looking values
        self.files: list[str] = []
        self.buttons: dict[str, str] = {}

    def add(self, name: str, value: str) -> None:
        self.fields.setdefault(name, []).append(value)


class PageParser(HTMLParser):
    """The forms of a page (fields with the values a browser would send) and its links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: tuple[str, list[str], list[str]] | None = None  # name, options, selected
        self._textarea: str | None = None
        self._text: list[str] = []
        self._radios: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(a.get("action", ""), (a.get("method") or "get").lower())
            self._radios = {}
        elif self._form is None:
            return
        elif tag == "input":
            name, kind = a.get("name"), (a.get("type") or "text").lower()
            if not name:
                return
            if kind == "file":
                self._form.files.append(name)
            elif kind == "checkbox":  # tick every box: more of the code runs
                self._form.add(name, a.get("value") or "on")
            elif kind == "radio":
                self._radios.setdefault(name, []).append(a.get("value", ""))
                if "checked" in a:
                    self._form.fields[name] = [a.get("value", "")]
            elif kind in ("submit", "button"):
                self._form.buttons[name] = a.get("value", "")
            else:
                self._form.add(name, a.get("value") or _plausible(name, kind))
        elif tag == "select":
            self._select = (a.get("name", ""), [], [])
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select[1].append(value)
            if "selected" in a:
                self._select[2].append(value)
        elif tag == "textarea":
            self._textarea = a.get("name", "")
            self._text = []
        elif tag == "button" and a.get("name"):
            self._form.buttons.setdefault(a["name"], a.get("value", ""))

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if self._form is None:
            return
        if tag == "select" and self._select is not None:
            name, options, selected = self._select
            chosen = selected or [o for o in options if o][:1] or options[:1]
            if name and chosen:
                self._form.fields[name] = chosen
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            if self._textarea:
                self._form.fields[self._textarea] = ["".join(self._text) or "テストです。"]
            self._textarea = None
        elif tag == "form":
            for name, values in self._radios.items():
                self._form.fields.setdefault(name, values[:1])
            self.forms.append(self._form)
            self._form = None


def _plausible(name: str, kind: str) -> str:
    if kind == "email" or "email" in name:
        return "fuzz@example.jp"
    if kind == "date" or name.endswith(("_on", "date_from", "date_to")):
        return "2026-01-02"
    if kind == "number":
        return "1"
    if "password" in name:
        return "Fuzz-pass-2026!"
    return "テスト"


# --- the variants of one form -------------------------------------------------------------


def variants(form: Form) -> list[tuple[str, dict]]:
    """(label, data) pairs; data values are lists (a multi-value POST) or files."""
    names = [n for n in form.fields if n != "csrfmiddlewaretoken"]
    valid = {n: list(form.fields[n]) for n in names}
    buttons = {k: [v] for k, v in form.buttons.items()}
    base = {**valid, **buttons}
    out: list[tuple[str, dict]] = [("as shown", dict(base)), ("nothing", {})]
    for bad in BAD_VALUES:
        out.append((f"every field {bad[:10]!r}", {**buttons, **{n: [bad] for n in names}}))
    out.append(("two values each", {**buttons, **{n: ["1", NUL] for n in names}}))
    out.append(("unknown fields", {**base, "zz_unknown": [HUGE], "": ["x"], NUL: [NUL]}))
    for name in names[:FIELDS_ONE_BY_ONE]:
        out.append((f"{name}=NUL", {**base, name: [NUL]}))
        out.append((f"{name} missing", {k: v for k, v in base.items() if k != name}))
    for name in form.files:
        out.append((f"{name}=file", {**base, name: _pdf()}))
        out.append((f"{name}=html as pdf", {**base, name: _fake()}))
        out.append((f"{name}=text", {**base, name: [NUL]}))
    return out


def _pdf():
    return SimpleUploadedFile("身分証.pdf", PDF, "application/pdf")


def _fake():
    return SimpleUploadedFile("a\x00b.pdf", b"%PDF-1.4\n<html><script>x</script>", "text/html")


# --- the walk -----------------------------------------------------------------------------


def _states(customer: User, staff: User, admin: User) -> None:
    """Requests in every state and kind (one open request per kind and customer, so a few
    customers), so that every action form is on some page; the customer's own are in review."""
    from tests import factories

    others = [factories.customer(email=f"fuzz{n}@example.jp") for n in range(4)]
    whole = {"scope": "account", "data_items": []}
    for kind in Kind.values:
        details = whole if kind == Kind.DELETION else {}
        data_request(status=Status.IN_REVIEW, customer=customer, kind=kind, details=details)
        for person, status in zip(others[:2], (Status.SUBMITTED, Status.VERIFYING), strict=True):
            data_request(status=status, customer=person, kind=kind, details=details)
    data_request(status=Status.AWAITING_APPROVAL, customer=others[2], kind=Kind.DISCLOSURE)
    data_request(status=Status.AWAITING_CUSTOMER, customer=others[2], kind=Kind.CORRECTION)
    waiting = data_request(status=Status.AWAITING_PAYMENT, customer=others[3], kind=Kind.DISCLOSURE)
    approvals.approval_ask(
        request_id=waiting.pk, actor=staff, kind=ApprovalKind.WAIVER, reason="生活が苦しいため"
    )
    erase = data_request(
        status=Status.IN_REVIEW, customer=others[3], kind=Kind.DELETION, details=whole
    )
    approvals.approval_ask(
        request_id=erase.pk, actor=staff, kind=ApprovalKind.ERASURE, reason="本人確認済み"
    )
    # An exception provision waiting for an administrator (LW-4.1).
    purpose = cf.provision_purpose(code="ly5-fuzz")
    partner_exceptions.exception_request(
        customer=customer,
        partner=pf.partner_with(purpose=purpose),
        purpose=purpose,
        items=[DataItem.PREFECTURE],
        basis=Basis.EXCEPTION_C,
        justification="救急隊が本人を探すため、都道府県が今すぐ必要です。",
        actor=staff,
    )


SEEDS = {
    "anonymous": ["/accounts/sign-in/", "/accounts/sign-up/", "/accounts/password/reset/"],
    "customer": ["/dashboard/", "/requests/", "/requests/new/", "/consents/", "/cookies/"]
    + [f"/requests/new/{kind}/" for kind in Kind.values],
    "agent": ["/staff/", "/staff/requests/", "/staff/partners/", "/staff/partners/records/"],
    "administrator": ["/staff/approvals/", "/staff/partners/exceptions/"],
}


def _key(path: str) -> tuple[str, tuple] | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    # Object ids do not make a different form; an action's name does.
    kwargs = tuple(sorted((k, v) for k, v in match.kwargs.items() if k in ("name", "kind")))
    return match.view_name, kwargs


def _page_path(href: str) -> str | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(SKIP_PATHS) or parts.path.endswith((".json", ".html", "/package/")):
        return None
    if "download" in parts.path:
        return None
    return parts.path


def _signed_in_as(client, user) -> None:
    """Sign in again only when the last submission signed out (a new password, a deletion)."""
    if user is not None and client.session.get("_auth_user_id") != str(user.pk):
        client.force_login(user)


ACCOUNT_FORMS = {"login", "sign_up", "password_reset", "password_reset_confirm"}


def _theirs(role: str, target: str, action_key: tuple) -> bool:
    """Each form is posted by the user it is for: staff forms by staff, the sign-in and
    sign-up forms by a visitor, the rest by a customer (who comes first)."""
    if role in ("agent", "administrator"):
        return target.startswith("/staff/")
    if role == "anonymous":
        return action_key[0] in ACCOUNT_FORMS
    return not target.startswith("/staff/")


def _send(client, user, form: Form, page: str, data: dict):
    _signed_in_as(client, user)
    target = _page_path(form.action) if form.action else page
    if target is None:
        return None
    with transaction.atomic():  # a failure must not poison the next submissions
        if form.method == "get":
            plain = {k: v for k, v in data.items() if isinstance(v, list)}
            return client.get(target + "?" + urlencode(plain, doseq=True))
        return client.post(target, data)


def test_no_form_of_the_portal_answers_500(client, cast):
    call_command("demo", stdout=io.StringIO())
    _states(cast.customer, cast.agent, cast.administrator)
    users = {
        "customer": cast.customer,
        "anonymous": None,
        "agent": cast.agent,
        "administrator": cast.administrator,
    }
    failures: list[str] = []
    fuzzed: set[tuple] = set()
    done: set[tuple] = set()  # each form once, by the first of its users to see it
    submissions = 0
    for role, user in users.items():
        per_name: dict[str, int] = {}
        seen: set[str] = set()
        queue = deque(SEEDS[role])
        pages = 0
        client.logout()
        while queue and pages < MAX_PAGES:
            path = queue.popleft()
            key = _key(path)
            if path in seen or key is None:
                continue
            seen.add(path)
            if per_name.get(key[0], 0) >= PAGES_PER_URL_NAME:
                continue
            per_name[key[0]] = per_name.get(key[0], 0) + 1
            _signed_in_as(client, user)
            response = client.get(path)
            pages += 1
            if response.status_code >= 500:
                failures.append(f"{role} GET {path}: {response.status_code}")
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            parser = PageParser()
            parser.feed(response.content.decode())
            for href in parser.links:
                link = _page_path(href)
                if link and link not in seen:
                    queue.append(link)
            for form in parser.forms:
                target = (_page_path(form.action) if form.action else path) or path
                action_key = _key(target)
                form_key = (action_key, form.method, frozenset(form.fields))
                if action_key is None or form_key in done or not _theirs(role, target, action_key):
                    continue
                done.add(form_key)
                fuzzed.add((role, *form_key))
                for label, data in variants(form):
                    submissions += 1
                    try:
                        sent = _send(client, user, form, path, data)
                    except Exception as exc:  # the test client re-raises the view's error
                        failures.append(
                            f"{role} {form.method.upper()} {form.action or path} [{label}]: "
                            f"{type(exc).__name__}: {str(exc)[:200]}"
                        )
                        continue
                    if sent is not None and sent.status_code >= 500:
                        failures.append(
                            f"{role} {form.method.upper()} {form.action or path} [{label}]: "
                            f"{sent.status_code}"
                        )
    forms_seen = {(role, action[0]) for role, action, *_ in fuzzed}

    # The walk did reach the forms that matter (it can fail: a broken walk fuzzes nothing).
    expected = {
        ("anonymous", "sign_up"),
        ("anonymous", "login"),
        ("anonymous", "password_reset"),
        ("customer", "profile"),
        ("customer", "consents:consent_page"),
        ("customer", "consents:cookies"),
        ("customer", "requests:file"),
        ("customer", "requests:message_post"),
        ("customer", "requests:document_upload"),
        ("customer", "requests:withdraw"),
        ("customer", "language_set"),
        ("agent", "requests:staff_queue"),
        ("agent", "requests:staff_action"),
        ("agent", "requests:staff_message_post"),
        ("agent", "requests:staff_assign"),
        ("agent", "requests:staff_close"),
        ("agent", "requests:staff_decision"),
        ("agent", "partners:staff_records"),
        ("agent", "partners:staff_provision_new"),
        ("agent", "partners:staff_exports"),
        ("administrator", "requests:staff_approval"),
        ("administrator", "partners:staff_exception"),
    }
    assert expected <= forms_seen, sorted(expected - forms_seen)
    assert submissions > 300
    assert failures == [], f"{len(failures)} of {submissions} submissions failed:\n" + "\n".join(
        failures[:60]
    )
