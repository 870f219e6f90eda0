"""The access table: every URL the project defines x the cast -> the expected status.

Each app's `tests/<app>/test_access.py` lists `CASES` and runs them with `check_case`;
`tests/test_url_coverage.py` fails when a named URL is in no table.

Statuses: 200 shown, 302 redirect (anonymous to sign-in, or after a POST), 403 wrong role,
404 not yours (another customer's object), 405 wrong method.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

ROLES = ("anonymous", "customer", "other_customer", "agent", "administrator")


@dataclass
class Case:
    name: str  # URL name, with namespace
    expect: dict[str, int]  # role -> status; every role in ROLES
    kwargs: Callable | None = None  # cast -> URL kwargs (objects owned by cast.customer)
    method: str = "get"
    data: Callable | None = None  # cast -> POST data
    id: str = field(default="")
    # Where an anonymous GET answered with 302 must lead: sign-in, unless the page is public
    # and sends the visitor to an earlier step of its own (filing without an account).
    anonymous_to: str = "/accounts/sign-in/"

    def __post_init__(self):
        missing = set(ROLES) - set(self.expect)
        assert not missing, f"{self.name}: no expectation for {missing}"
        self.id = self.id or f"{self.method}:{self.name}"


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def signed_in(status: int, anonymous: int = 302) -> dict[str, int]:
    return {**dict.fromkeys(ROLES, status), "anonymous": anonymous}


def staff_only(status: int = 200) -> dict[str, int]:
    return {
        "anonymous": 302,
        "customer": 403,
        "other_customer": 403,
        "agent": status,
        "administrator": status,
    }


def admin_only(status: int = 200) -> dict[str, int]:
    return {**staff_only(status), "agent": 403}


def owner_only(status: int = 200) -> dict[str, int]:
    """A customer's own object: other customers get 404; staff use the staff pages."""
    return {
        "anonymous": 302,
        "customer": status,
        "other_customer": 404,
        "agent": 404,
        "administrator": 404,
    }


def check_case(client, cast, case: Case, role: str) -> None:
    user = cast.by_role(role)
    if user is not None:
        client.force_login(user)
    url = reverse(case.name, kwargs=case.kwargs(cast) if case.kwargs else None)
    data = case.data(cast) if case.data else {}
    response = getattr(client, case.method)(url, data)
    expected = case.expect[role]
    assert response.status_code == expected, (
        f"{case.method.upper()} {url} as {role}: {response.status_code}, expected {expected}"
    )
    if "text/html" in response.get("Content-Type", ""):
        # Every HTML page carries a Content Security Policy without inline script.
        header = response.get("Content-Security-Policy", "")
        directives = {p.split()[0]: p.split()[1:] for p in header.split(";") if p.strip()}
        scripts = directives.get("script-src", directives.get("default-src"))
        assert scripts is not None and "'unsafe-inline'" not in scripts, (url, header)
    if role == "anonymous" and expected == 302 and case.method == "get":
        assert case.anonymous_to in response["Location"], response["Location"]


def cases_params(cases: list[Case]):
    return [(case, role) for case in cases for role in ROLES], [
        f"{case.id}-{role}" for case in cases for role in ROLES
    ]
