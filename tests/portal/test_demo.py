"""The demo command fills an empty database and duplicates nothing when run again."""

import pytest
from django.apps import apps
from django.core.management import call_command


def _counts():
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in {"portal", "consents", "partners", "requests", "auth"}
    }


@pytest.mark.django_db
def test_demo_twice_duplicates_nothing(capsys):
    call_command("demo")
    first = _counts()
    out = capsys.readouterr().out
    assert "hanako@example.jp" in out and "admin@example.jp" in out
    call_command("demo")
    assert _counts() == first
    assert first["portal.User"] >= 4
