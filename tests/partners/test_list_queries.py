"""Every list page of the partners app costs a fixed number of queries however many rows
there are (selectors own select_related/prefetch_related)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import Basis, DataItem, Export, PartnerKind
from partners.services import exceptions as partner_exceptions
from tests.partners import factories as pf

pytestmark = pytest.mark.django_db


def _fill(purpose, agent, customer, n):
    for i in range(n):
        country = pf.singapore() if i % 2 else pf.japan()
        group = pf.PartnerFactory(kind=PartnerKind.GROUP_COMPANY, listed=True, country=country)
        pf.ArrangementFactory(partner=group, basis=Basis.JOINT_USE, purposes=[purpose])
        processor = pf.PartnerFactory(kind=PartnerKind.ENTRUSTED_PROCESSOR, country=country)
        pf.ArrangementFactory(partner=processor, basis=Basis.ENTRUSTMENT, purposes=[purpose])
        lab = pf.partner_with(kind=PartnerKind.RESEARCH_INSTITUTION, purpose=purpose)
        Export.objects.create(partner=lab, purpose=purpose, requested_by=agent)
        partner_exceptions.exception_request(
            customer=customer,
            partner=lab,
            purpose=purpose,
            items=[DataItem.PREFECTURE],
            basis=Basis.EXCEPTION_C,
            justification="A written reason that is long enough.",
            actor=agent,
        )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# Pages and their fixed cost. Public pages, anonymous (no session, no consents state to
# read): group companies = partners + their arrangements + those arrangements' purposes (3);
# countries = partners with an arrangement in force and their country + the purposes that
# name countries (2; a third only for countries no partner is in); joint use = arrangements
# with partner and country + purposes (2).
PUBLIC = {"group_companies": 3, "countries": 2, "joint_use": 2}
# Staff pages: 1 session, 2 user, 3 the session's second-factor device (issue 11), 4
# permissions (own and groups' in one query), 5 the cookie banner's decision (no cookie yet;
# no customer policy notice on staff pages), then: registry =
# partners with country + arrangements + purposes + reviews due + pending count (5);
# exports = form choices (partners, purposes) + the list with its relations (3); exceptions =
# the list with its relations + their approvals with who decided (2).
STAFF = {"staff_registry": 10, "staff_exports": 8, "staff_exceptions": 7}


@pytest.mark.clause("LW-4.3", "LY-2", "LY-4")
@pytest.mark.parametrize(("name", "expected"), PUBLIC.items())
def test_public_lists(client, agent, customer, quality_purpose, name, expected):
    url = reverse(f"partners:{name}")
    _fill(quality_purpose, agent, customer, 2)
    few = _count(client, url)
    _fill(quality_purpose, agent, customer, 10)
    assert _count(client, url) == few == expected


@pytest.mark.clause("LW-5")
@pytest.mark.parametrize(("name", "expected"), STAFF.items())
def test_staff_lists(agent_client, agent, customer, quality_purpose, name, expected):
    url = reverse(f"partners:{name}")
    _fill(quality_purpose, agent, customer, 2)
    few = _count(agent_client, url)
    _fill(quality_purpose, agent, customer, 10)
    assert _count(agent_client, url) == few == expected
