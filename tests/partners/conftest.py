"""Fixtures of the partners tests: purposes as the policy names them, consent helpers."""

from __future__ import annotations

import pytest

from consents import services as consent_services
from consents.models import PurposeCategory
from tests.consents import factories as cf


def grant(customer, purpose, service=None, granted=True):
    return consent_services.consent_change(
        customer=customer, choices={purpose.code: granted}, source="web", service=service
    )


def withdraw(customer, purpose, service=None):
    return grant(customer, purpose, service, granted=False)


@pytest.fixture
def quality_purpose(db):
    """LY-5 (1): improving the quality of services, an opt-in provision purpose."""
    return cf.provision_purpose(
        code="ly5-quality", name_ja="品質向上のための提供", name_en="Provision to improve quality"
    )


@pytest.fixture
def research_purpose(db):
    return cf.PurposeFactory(
        code="ly5-research",
        category=PurposeCategory.RESEARCH,
        name_ja="研究機関への提供",
        name_en="Provision to research institutions",
    )


@pytest.fixture
def overseas_purpose(db):
    return cf.PurposeFactory(
        code="overseas-sg",
        category=PurposeCategory.OVERSEAS_PROVISION,
        name_ja="シンガポールへの提供",
        name_en="Provision to Singapore",
        countries="SG",
    )


@pytest.fixture
def erase():
    """Erase a customer's account as a deletion request does (the records keep a pseudonym)."""
    from django.db import transaction

    from requests.services import erasure
    from tests import factories as people

    def erase_account(user) -> None:
        with transaction.atomic():
            erasure.account_erase(
                customer=user, actor=people.agent(email=f"eraser-{user.pk}@example.jp")
            )

    return erase_account
