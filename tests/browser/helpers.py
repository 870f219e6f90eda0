"""What every browser journey does besides its own steps."""

from __future__ import annotations

from django.conf import settings
from django.test import Client


def sign_in(page, live_server, user) -> None:
    """Put a real session for `user` into the browser, replacing anyone signed in before
    (the sign-in form itself has its own journey, tests/browser/test_portal_journey.py)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def dismiss_cookie_banner(page) -> None:
    """Choose "necessary cookies only" when the banner is showing."""
    button = page.locator("#cookies-necessary")
    if button.count() and button.is_visible():
        button.click()
