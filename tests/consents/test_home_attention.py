"""After a policy revision that adds or widens a purpose, the customer's home asks them to
decide again, naming the purposes, until they do (LW-9)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from consents import selectors, services
from tests import factories as people
from tests.consents import factories as f

pytestmark = pytest.mark.django_db


def _attention(page: str) -> str:
    start = page.index('data-testid="attention"')
    return " ".join(page[start : page.index("</section>", start)].split())


@pytest.mark.clause("LW-9")
def test_the_home_asks_to_decide_again_until_the_customer_does(
    customer_client, customer, administrator
):
    widened = f.provision_purpose(code="provision-quality", name_ja="品質向上のための提供")
    opt_out = f.opt_out_purpose(code="group", name_ja="グループ内の共同利用")
    untouched = f.opt_in_purpose(code="marketing", name_ja="広告配信")
    restricted = f.provision_purpose(code="provision-research", name_ja="研究機関への提供")
    customer.date_joined = timezone.now() - datetime.timedelta(days=30)
    customer.save()
    services.consent_change(
        customer=customer,
        choices={widened.code: True, untouched.code: True, restricted.code: True},
        source="web",
    )
    services.restriction_record(
        customer=customer,
        kind="suspension",
        purposes=[restricted],
        reference="DR-2026-000001",
        actor=None,
    )
    version = f.PolicyVersionFactory(version="3.0", widened=[widened, opt_out, restricted])
    services.policy_version_publish(version=version, actor=administrator)
    newcomer = people.customer()

    waiting = selectors.purposes_awaiting_decision(customer=customer)
    assert sorted(p.code for p in waiting) == ["group", "provision-quality"]
    box = _attention(customer_client.get(reverse("dashboard")).content.decode())
    assert "プライバシーポリシーの改定に伴い、改めてご判断ください" in box
    assert "次の利用目的が追加または拡大されました" in box
    assert "品質向上のための提供" in box and "グループ内の共同利用" in box
    assert "広告配信" not in box and "研究機関への提供" not in box  # unchanged; stopped
    assert 'href="/consents/#summary"' in box
    customer_client.force_login(newcomer)  # joined after the revision: nothing to decide
    assert "改めてご判断ください" not in _attention(
        customer_client.get(reverse("dashboard")).content.decode()
    )

    customer_client.force_login(customer)
    customer_client.post(
        "/consents/", {f"purpose-{widened.code}": "on", f"purpose-{opt_out.code}": "on"}
    )
    assert selectors.purposes_awaiting_decision(customer=customer) == []
    assert "改めてご判断ください" not in _attention(
        customer_client.get(reverse("dashboard")).content.decode()
    )
