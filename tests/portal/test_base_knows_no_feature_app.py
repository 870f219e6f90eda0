"""The base names no feature app (docs/architecture.md, "The base and the feature apps").

`portal/` (its code, migrations and management commands) and the templates the base renders
(the layout, the public home page, the customer's page, the staff home and the other
templates outside an app's `templates/<audience>/<app>/` folders) never name `consents`,
`partners`, `requests` or `incidents`: no import, no dotted name (a module, a task, an audit
action), no URL name, no template path, no table or label. The feature apps register what the
base needs from them (portal/inventory.py, portal/navigation.py, portal/sections.py, ...).

Two files are the project's wiring rather than the base, and are left out on purpose:
`portal/settings.py` (INSTALLED_APPS, middleware, context processors of every app) and
`portal/urls.py` (the root URLconf includes every app's URLs).

English words are not names: "file requests" or "our partners." pass; `requests.tasks`,
`"partners"`, `consents:policy`, `incidents/` and `requests_datarequest` do not.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FEATURE_APPS = ("consents", "partners", "requests", "incidents")
AUDIENCES = ("customer", "staff", "public", "emails")
WIRING = {"portal/settings.py", "portal/urls.py"}

_names = "|".join(FEATURE_APPS)
NAMED = re.compile(
    rf"\b(?:{_names})(?:\.[A-Za-z_]|:[a-z_]|/[A-Za-z_]|_[a-z])"  # dotted, URL name, path, table
    rf"|[\"'](?:{_names})[\"']"  # a label
    rf"|^[ \t]*(?:from|import)[ \t]+(?:{_names})\b",  # an import
    re.MULTILINE,
)


def base_files() -> list[Path]:
    files = [
        p
        for p in (ROOT / "portal").rglob("*")
        if p.suffix in {".py", ".html", ".txt", ".sql"}
        and "__pycache__" not in p.parts
        and p.relative_to(ROOT).as_posix() not in WIRING
    ]
    templates = ROOT / "templates"
    for p in templates.rglob("*"):
        rel = p.relative_to(templates).parts
        if p.is_dir() or p.suffix not in {".html", ".txt"}:
            continue
        if len(rel) > 2 and rel[0] in AUDIENCES and rel[1] in FEATURE_APPS:
            continue  # a feature app's own templates
        files.append(p)
    return sorted(files)


def names_in(text: str) -> list[str]:
    return [m.group(0) for m in NAMED.finditer(text)]


def test_the_scan_reads_the_base_files():
    found = {p.relative_to(ROOT).as_posix() for p in base_files()}
    for expected in (
        "portal/models.py",
        "portal/inventory.py",
        "portal/migrations/0007_job_schedules.py",
        "portal/management/commands/i18n_extract.py",
        "templates/base.html",
        "templates/public/home.html",
        "templates/customer/dashboard.html",
        "templates/staff/home.html",
    ):
        assert expected in found
    assert "portal/settings.py" not in found
    assert "templates/customer/requests/list.html" not in found


def test_the_pattern_tells_names_from_words():
    assert names_in("You can file requests. Our partners, consents") == []
    assert names_in("tell incidents apart from requests and partners") == []
    assert names_in('"requests.tasks.request_deadline_sweep_task"') == ["requests.t"]
    assert names_in("{% url 'consents:policy' %}") == ["consents:p"]
    assert names_in('{% include "staff/incidents/home_card.html" %}') == ["incidents/h"]
    assert names_in("from partners.services import x") == ["from partners"]
    assert names_in('app_label="requests"') == ['"requests"']
    assert names_in("SELECT 1 FROM requests_datarequest") == ["requests_d"]


def test_the_base_names_no_feature_app():
    found = {}
    for path in base_files():
        names = names_in(path.read_text(encoding="utf-8"))
        if names:
            found[path.relative_to(ROOT).as_posix()] = sorted(set(names))
    assert found == {}
