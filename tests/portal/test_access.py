"""Access table of the portal app's own pages (LW-5)."""

import pytest

from tests.access import Case, cases_params, check_case, everyone, signed_in, staff_only

CASES = [
    Case("home", everyone(200)),
    Case("healthz", everyone(200)),
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
