"""Every named URL the project defines appears in an access table (tests/*/test_access.py)."""

import importlib
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

APPS = ("portal", "consents", "partners", "requests", "incidents")


def _names(patterns, namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the Django admin: its index is in the portal table
            ns = entry.namespace or namespace
            yield from _names(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}:{entry.name}" if namespace else entry.name


def test_every_url_is_in_an_access_table():
    tested = set()
    for app in APPS:
        if (Path(__file__).parent / app / "test_access.py").exists():
            module = importlib.import_module(f"tests.{app}.test_access")
            tested |= {case.name for case in module.CASES}
    defined = set(_names(get_resolver().url_patterns))
    assert defined - tested == set(), "URLs with no row in an access table"
