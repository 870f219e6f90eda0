"""One meaning of "third party": the GPC signal, a third-party-stop request and restrictions
of kind third-party stop cover the same purposes (LW-6.1, LW-7, APPI Art. 27)."""

from __future__ import annotations

import pytest

from consents import selectors, services
from consents.models import ConsentSource, PurposeCategory, RestrictionKind
from requests.models import Kind, Status
from requests.services import fulfilment
from tests.consents import factories as f
from tests.requests.factories import data_request

pytestmark = pytest.mark.django_db

C = PurposeCategory
# One purpose of every category, optional unless marked necessary.
# code -> (category, necessary, opt-out)
PURPOSES = {
    "core": (C.SERVICE, True, True),
    "marketing": (C.MARKETING, False, False),
    "analytics": (C.ANALYTICS, False, False),
    "group-sharing": (C.GROUP_SHARED_USE, False, True),
    "partners": (C.PARTNER_PROVISION, False, False),
    "partners-opt-out": (C.PARTNER_PROVISION, False, True),
    "overseas": (C.OVERSEAS_PROVISION, False, False),
    "research": (C.RESEARCH, False, False),
    "apps": (C.CONNECTED_APPLICATION, False, False),
}
# The expectation, written out: what provides data to a third party ...
THIRD_PARTY = {"partners", "partners-opt-out", "overseas", "research", "apps"}
# ... and what the GPC signal refuses: those, and analytics (LW-7).
GPC = THIRD_PARTY | {"analytics"}


@pytest.fixture
def purposes(db):
    return {
        code: f.PurposeFactory(
            code=code, category=category, necessary=necessary, default_granted=opt_out
        )
        for code, (category, necessary, opt_out) in PURPOSES.items()
    }


@pytest.mark.clause("LW-6.1", "LW-7")
def test_the_one_definition(purposes):
    assert {p.code for p in selectors.third_party_purposes()} == THIRD_PARTY
    assert {p.code for p in services.gpc_purposes()} == GPC


@pytest.mark.clause("LW-7")
def test_the_gpc_signal_refuses_exactly_those(customer, purposes):
    everything = {code for code, (_c, necessary, _o) in PURPOSES.items() if not necessary}
    services.consent_change(
        customer=customer, choices=dict.fromkeys(everything, True), source="web"
    )
    events = services.consent_gpc_apply(customer=customer)
    assert {e.purpose.code for e in events} == GPC
    assert {e.source for e in events} == {ConsentSource.GPC}
    for code in PURPOSES:
        granted = selectors.consent_decide(customer=customer, purpose_code=code).granted
        assert granted == (code not in GPC), code


@pytest.mark.clause("LW-6.1")
def test_a_third_party_stop_request_restricts_exactly_those(cast, purposes):
    req = data_request(
        status=Status.IN_REVIEW,
        customer=cast.customer,
        kind=Kind.THIRD_PARTY_STOP,
        details={"scope": "all", "recipient": "", "explanation": ""},
    )
    fulfilment.restriction_apply(request_id=req.pk, actor=cast.agent)
    [restriction] = selectors.active_restrictions(customer=cast.customer)
    assert restriction.kind == RestrictionKind.THIRD_PARTY_STOP
    assert {p.code for p in restriction.purposes.all()} == THIRD_PARTY
    for code in PURPOSES:
        decided_by = selectors.consent_decide(customer=cast.customer, purpose_code=code).decided_by
        assert (decided_by == "restriction") == (code in THIRD_PARTY), code


@pytest.mark.clause("LW-6.1")
@pytest.mark.parametrize("outside", sorted(set(PURPOSES) - THIRD_PARTY))
def test_a_third_party_stop_restriction_cannot_name_anything_else(
    customer, agent, purposes, outside
):
    with pytest.raises(services.ConsentError):
        services.restriction_record(
            customer=customer,
            kind=RestrictionKind.THIRD_PARTY_STOP,
            purposes=["partners", outside],
            reference="DR-2026-000001",
            actor=agent,
        )
    assert not selectors.active_restrictions(customer=customer).exists()
    # A suspension may stop any of them.
    services.restriction_record(
        customer=customer,
        kind=RestrictionKind.SUSPENSION,
        purposes=[outside],
        reference="DR-2026-000002",
        actor=agent,
    )


@pytest.mark.clause("LW-7")
def test_the_consent_page_says_what_the_signal_covered(client, customer, purposes):
    client.force_login(customer)
    page = client.get("/consents/", headers={"Sec-GPC": "1"}).content.decode()
    covered = page[page.index('id="gpc-covered"') :]
    covered = covered[: covered.index("</ul>")]
    listed = {code for code in PURPOSES if f'data-purpose="{code}"' in covered}
    assert listed == GPC
    for code in GPC:
        assert purposes[code].name_ja in covered
