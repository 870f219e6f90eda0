"""The `clause` marker: which tests prove which clause of docs/clauses.md.

Every run ends with `clauses: N of M covered` and the ids no passing test covers. A marker
naming an id that docs/clauses.md does not list is an error at collection.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CATALOGUE = Path(__file__).resolve().parents[2] / "docs" / "clauses.md"
_ID = re.compile(r"^\|\s*((?:LW|LY|APPI)-[0-9A-Za-z.]+)\s*\|", re.M)


def known_clauses() -> list[str]:
    return _ID.findall(CATALOGUE.read_text(encoding="utf-8"))


def pytest_collection_modifyitems(session, config, items):
    known = set(known_clauses())
    for item in items:
        for marker in item.iter_markers("clause"):
            unknown = [c for c in marker.args if c not in known]
            if unknown or not marker.args:
                raise pytest.UsageError(
                    f"{item.nodeid}: clause marker names unknown ids {unknown or '(none)'}"
                )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        ids = sorted({c for m in item.iter_markers("clause") for c in m.args})
        if ids:
            report.user_properties.append(("clauses", ids))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    known = known_clauses()
    covered: set[str] = set()
    for report in terminalreporter.stats.get("passed", []):
        for key, value in getattr(report, "user_properties", []):
            if key == "clauses":
                covered.update(value)
    missing = [c for c in known if c not in covered]
    line = f"clauses: {len([c for c in known if c in covered])} of {len(known)} covered"
    if missing:
        line += f" (uncovered: {', '.join(missing)})"
    terminalreporter.write_line(line)
