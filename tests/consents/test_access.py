"""Access table of the consents app's pages (LW-5): public policy pages, the customer's own
consent pages (another customer's receipt is a 404), POST-only actions."""

import pytest

from consents import services
from tests.access import Case, cases_params, check_case, everyone, owner_only, signed_in
from tests.consents import factories as f


def _receipt(cast):
    purpose = f.opt_in_purpose(code="marketing")
    [event] = services.consent_change(
        customer=cast.customer, choices={purpose.code: True}, source="web"
    )
    return {"change_id": event.change_id}


def _version(cast):
    return {"version": f.published_version(version="2.0").version}


def _application(cast):
    purpose = f.opt_in_purpose(code="connected-apps")
    return {"code": f.connected_application(code="calendar-sync", purposes=[purpose]).code}


CASES = [
    Case("consents:policy", everyone(200)),
    Case("consents:policy_history", everyone(200)),
    Case("consents:policy_diff", everyone(200)),
    Case("consents:policy_version", everyone(200), kwargs=_version),
    Case("consents:cookies", everyone(200)),
    Case(
        "consents:cookies",
        everyone(302),
        method="post",
        data=lambda cast: {"choice": "necessary"},
    ),
    Case("consents:consent_page", signed_in(200)),
    Case("consents:consent_page", signed_in(302), method="post"),
    Case("consents:history", signed_in(200)),
    Case("consents:receipt", owner_only(200), kwargs=_receipt),
    Case("consents:service_revoke", signed_in(302), kwargs=_application, method="post"),
    Case(
        "consents:service_revoke",
        signed_in(405),
        kwargs=_application,
        id="get:consents:service_revoke",
    ),
    Case("consents:announcement_dismiss", signed_in(302), kwargs=_version, method="post"),
    Case(
        "consents:announcement_dismiss",
        signed_in(405),
        kwargs=_version,
        id="get:consents:announcement_dismiss",
    ),
]

params, ids = cases_params(CASES)


@pytest.mark.clause("LW-5")
@pytest.mark.parametrize(("case", "role"), params, ids=ids)
def test_access(client, cast, case, role):
    check_case(client, cast, case, role)


@pytest.mark.django_db
def test_a_policy_version_that_is_not_published_is_not_found(client):
    f.PolicyVersionFactory(version="draft", is_published=False)
    assert client.get("/privacy/versions/draft/").status_code == 404
