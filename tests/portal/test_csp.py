"""The Content Security Policy and the language cookie (LW-5). Every row of the
access tables also checks that its HTML response carries the policy (tests/access.py)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def directives(header: str) -> dict[str, list[str]]:
    parts = [p.strip().split() for p in header.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


@pytest.mark.django_db
@pytest.mark.clause("LW-5")
@pytest.mark.parametrize("path", ["/", "/accounts/sign-in/", "/privacy/", "/no-such-page/"])
def test_pages_carry_a_strict_policy(client, path):
    response = client.get(path)
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]  # no inline script, no other origin
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


@pytest.mark.django_db
@pytest.mark.clause("LW-5")
def test_staff_pages_and_the_admin_carry_it_too(agent_client, admin_client_):
    for client, path in [(agent_client, "/staff/"), (admin_client_, "/admin/")]:
        response = client.get(path)
        assert response.status_code == 200
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert "unsafe-inline" not in response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.clause("LW-5")
def test_a_page_with_an_inline_script_gets_a_nonce_that_matches(admin_client_):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.first()
    response = admin_client_.get(
        reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])
    )
    policy = directives(response["Content-Security-Policy"])
    nonces = [v for v in policy["script-src"] if v.startswith("'nonce-")]
    assert len(nonces) == 1
    nonce = nonces[0][len("'nonce-") : -1]
    assert f'<script nonce="{nonce}">' in response.content.decode()


def _policy_with(**env) -> dict:
    clean = {k: v for k, v in os.environ.items() if k != "GA_MEASUREMENT_ID"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from csp.utils import build_policy; "
            "print(build_policy())",  # the header a page without a nonce gets
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", "DJANGO_DEBUG": "true", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return directives(result.stdout.strip())


@pytest.mark.clause("LW-5")
def test_google_analytics_origins_only_when_analytics_is_configured():
    without = _policy_with()
    assert without["script-src"] == ["'self'"]
    assert without["connect-src"] == ["'self'"]
    configured = _policy_with(GA_MEASUREMENT_ID="G-TEST123")
    assert configured["script-src"] == ["'self'", "https://www.googletagmanager.com"]
    assert "https://*.google-analytics.com" in configured["connect-src"]


@pytest.mark.django_db
@pytest.mark.clause("LW-5")
def test_the_language_cookie_is_http_only(client, customer):
    response = client.post(reverse("language_set"), {"language": "en", "next": "/"})
    assert response.cookies["portal_language"]["httponly"] is True
    response = client.post(
        reverse("login"), {"username": customer.email, "password": "correct-horse-battery-staple"}
    )
    assert response.cookies["portal_language"]["httponly"] is True
