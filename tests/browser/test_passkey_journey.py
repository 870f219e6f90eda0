"""A member of staff adds a passkey and then finishes signing in with it, in a real Chromium
with a virtual authenticator (LW-5)."""

import re

import pytest
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from tests.browser.helpers import dismiss_cookie_banner, sign_in
from tests.factories import PASSWORD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.clause("LW-5")
def test_staff_register_a_passkey_and_sign_in_with_it(page, live_server, cast, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Passkeys belong to the host and origin the browser sees (localhost is a secure context).
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    shot = page.shots
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    agent = cast.agent
    sign_in(page, live_server, agent)  # with the app code already given (tests/otp.py)
    page.goto("/accounts/security/")
    dismiss_cookie_banner(page)
    page.get_by_role("button", name="パスキーを登録する").click()
    expect(page.locator("#passkey-register-status-message")).not_to_be_empty()
    shot("passkey-registered")
    assert WebAuthnCredential.objects.filter(user=agent).count() == 1

    # Sign out, sign in with the password: the second step offers the passkey.
    page.context.clear_cookies()
    page.goto("/accounts/sign-in/?next=/staff/")
    page.get_by_label("メールアドレス").fill(agent.email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))
    shot("second-step")
    page.get_by_role("button", name="パスキーでログイン").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    shot("staff-home")
