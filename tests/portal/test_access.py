"""Access table of the portal app's own pages (LW-5)."""

import pytest

from tests.access import Case, cases_params, check_case, everyone, signed_in, staff_only

CASES = [
    Case("home", everyone(200)),
    # Load-balancer probes: open to everyone, no session needed.
    Case("healthz", everyone(200)),
    Case("readyz", everyone(200)),
    Case("dashboard", signed_in(200)),
    Case("profile", signed_in(200)),
    Case("password_change", signed_in(200)),
    Case("staff_home", staff_only()),
    Case("sign_up", {**everyone(302), "anonymous": 200}),
    Case("login", {**everyone(302), "anonymous": 200}),
    Case("password_reset", everyone(200)),
    Case("password_reset_done", everyone(200)),
    Case("password_reset_complete", everyone(200)),
    Case(
        "password_reset_confirm",
        everyone(200),
        kwargs=lambda cast: {"uidb64": "MQ", "token": "set-password"},
    ),
    Case("language_set", everyone(302), method="post", data=lambda cast: {"language": "en"}),
    Case("language_set", everyone(405), id="get:language_set"),
    Case("logout", everyone(302), method="post"),
    Case("logout", everyone(405), id="get:logout"),
    # Sign-up confirmation and email change. A token that is not ours: the
    # confirmation page still shows (its button does the work); the change page says it is bad.
    Case("sign_up_done", everyone(200)),
    Case("email_confirm", everyone(200), kwargs=lambda cast: {"token": "not-a-token"}),
    Case(
        "email_confirm",
        everyone(302),
        kwargs=lambda cast: {"token": "not-a-token"},
        method="post",
        id="post:email_confirm",
    ),
    Case("email_confirmation_resend", signed_in(302), method="post"),
    Case("email_confirmation_resend", signed_in(405), id="get:email_confirmation_resend"),
    Case("email_change", signed_in(200)),
    Case("email_change_confirm", everyone(400), kwargs=lambda cast: {"token": "not-a-token"}),
    # The second factor. The cast's staff are signed in with a verified device
    # (tests/otp.py); the customers have none and need none.
    Case("mfa_verify", signed_in(302)),  # customers to set-up, staff straight on
    Case("mfa_setup", signed_in(200)),
    Case("mfa_recovery_codes", signed_in(302)),  # nothing new to show: to the security page
    Case(
        "mfa_recovery_codes",
        {**signed_in(302), "agent": 200, "administrator": 200},  # customers: verify first
        method="post",
        id="post:mfa_recovery_codes",
    ),
    Case("security", signed_in(200)),
    Case("mfa_remove", signed_in(302), method="post"),
    Case("mfa_remove", signed_in(405), id="get:mfa_remove"),
    # django-otp-webauthn's JSON endpoints: POST only; anonymous visitors get 403 (no
    # passwordless sign-in), a ceremony that was never begun is a 400.
    Case(
        "otp_webauthn:credential-registration-begin",
        {**signed_in(200), "anonymous": 403},
        method="post",
    ),
    Case(
        "otp_webauthn:credential-registration-complete",
        {**signed_in(400), "anonymous": 403},
        method="post",
    ),
    Case(
        "otp_webauthn:credential-authentication-begin",
        {**signed_in(200), "anonymous": 403},
        method="post",
    ),
    Case(
        "otp_webauthn:credential-authentication-complete",
        {**signed_in(400), "anonymous": 403},
        method="post",
    ),
    Case("otp_webauthn:js-i18n-catalog", everyone(200)),
    # The Django admin sends everyone without admin access to its own sign-in page.
    Case(
        "admin:index",
        {
            "anonymous": 302,
            "customer": 302,
            "other_customer": 302,
            "agent": 302,
            "administrator": 200,
        },
    ),
]

params, ids = cases_params(CASES)


@pytest.mark.clause("LW-5")
@pytest.mark.parametrize(("case", "role"), params, ids=ids)
def test_access(client, cast, case, role):
    if case.name == "admin:index" and role != "administrator":
        # The admin redirects to its own sign-in page, not the portal's.
        user = cast.by_role(role)
        if user:
            client.force_login(user)
        response = client.get("/admin/")
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
        return
    check_case(client, cast, case, role)
