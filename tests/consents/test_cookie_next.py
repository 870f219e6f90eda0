"""Where the cookie and announcement forms send the browser back: only a path on this site;
anything else, including a bare word, goes home instead of a 500."""

from __future__ import annotations

import pytest

from consents.cookies import COOKIE_NAME

pytestmark = pytest.mark.django_db


@pytest.mark.clause("LW-2.2A")
@pytest.mark.parametrize(
    ("next_url", "target"),
    [
        ("x", "/"),
        ("dashboard", "/"),
        ("admin:index", "/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/" + "a" * 5000, "/"),
        ("", "/"),
        ("/policy/", "/policy/"),
    ],
)
def test_the_cookie_choice_redirects_only_to_a_path_here(client, next_url, target):
    response = client.post("/cookies/", {"choice": "necessary", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == target
    assert response.cookies[COOKIE_NAME].value  # the choice itself was kept


def test_the_language_switch_redirects_only_to_a_path_here(client):
    response = client.post("/language/", {"language": "en", "next": "x"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_nul_byte_in_next_is_no_server_error(client):
    response = client.post("/cookies/", {"choice": "necessary", "next": "/policy/\x00"})
    assert response.status_code in (200, 302)
