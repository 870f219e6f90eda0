"""Settings come from the environment and fail loudly on a bad value."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k3y-for-the-deploy-check-7f9a2c1e5b8d4a6f0e3c9b7a1d5f8e2c4b6a9d0e",
    "ALLOWED_HOSTS": "privacy.example.jp",
    "DATABASE_URL": "postgres://portal:secret@db.internal:5432/portal",
    "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.jp:587",
}


def manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "SECURE_", "SESSION_", "CSRF_"))
    }
    clean.pop("DATABASE_URL", None)
    clean.pop("DATABASE_OWNER_URL", None)
    clean.pop("CELERY_BROKER_URL", None)
    clean.pop("EMAIL_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DJANGO_DEBUG", "maybe"),
        ("DATABASE_URL", "nosuchdb://x"),
        ("CELERY_BROKER_URL", "amqp://guest@localhost//"),
        ("AXES_FAILURE_LIMIT", "five"),
        ("SECURE_SSL_REDIRECT", "sometimes"),
    ],
)
def test_a_bad_value_stops_the_start_naming_the_variable(name, value):
    result = manage("check", **{**PRODUCTION, name: value})
    assert result.returncode != 0
    assert name in result.stderr
    assert "Traceback" not in result.stderr.splitlines()[-1]


def test_missing_secret_key_in_production_is_an_error():
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}
    result = manage("check", **env)
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


def test_embedded_defaults_need_no_services():
    result = manage("diffsettings", "--all", DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert "django.db.backends.sqlite3" in result.stdout
    assert "CELERY_BROKER_URL = 'filesystem://'" in result.stdout
    assert "console" in result.stdout  # EMAIL_BACKEND
    assert "TIME_ZONE = 'Asia/Tokyo'" in result.stdout


@pytest.mark.parametrize(
    "owner",
    [
        "sqlite:///owner.sqlite3",
        "postgres://portal:secret@db.internal:5432/another_database",
        "postgres://portal:secret@elsewhere.internal:5432/portal",
    ],
)
def test_the_owner_url_must_name_the_same_postgres_database(owner):
    result = manage("check", **{**PRODUCTION, "DATABASE_OWNER_URL": owner})
    assert result.returncode != 0
    assert "DATABASE_OWNER_URL" in result.stderr


def test_the_owner_url_with_the_runtime_url_is_clean():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **{
            **PRODUCTION,
            "DATABASE_URL": "postgres://portal_runtime:secret@db.internal:5432/portal",
            "DATABASE_OWNER_URL": "postgres://portal:secret2@db.internal:5432/portal",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
