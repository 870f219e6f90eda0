"""Japanese and English for what customers read; the Japanese catalogues are complete."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import _missing

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
@pytest.mark.clause("LW-11")
@pytest.mark.parametrize(
    ("language", "expected"),
    [("ja", "アカウント作成"), ("en", "Create account")],
)
def test_pages_in_both_languages(client, language, expected):
    client.cookies["portal_language"] = language
    page = client.get(reverse("sign_up")).content.decode()
    assert expected in page
    assert f'<html lang="{language}">' in page


@pytest.mark.django_db
def test_japanese_is_the_default(client):
    assert '<html lang="ja">' in client.get(reverse("home")).content.decode()


@pytest.mark.clause("LW-11")
def test_every_catalogue_is_complete_and_compiled():
    if shutil.which("xgettext") is None:
        _missing("GNU gettext is not installed (apt-get install gettext)")
    result = subprocess.run(
        [sys.executable, "manage.py", "i18n_extract", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"DJANGO_DEBUG": "true", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
