"""Activating an arrangement (LW-4.2, LW-4.3): a joint use only with its announcement complete,
an entrustment only with its contract, instructions and review date; the database refuses it
too."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from partners.errors import PartnerError
from partners.models import Arrangement, ArrangementStatus, Basis, PartnerKind
from partners.services import registry
from portal.models import AuditEvent
from tests.partners import factories as pf

pytestmark = pytest.mark.django_db


@pytest.mark.clause("LW-4.3")
def test_joint_use_cannot_be_activated_without_its_announcement(quality_purpose, agent):
    partner = pf.PartnerFactory(kind=PartnerKind.JOINT_USE_PARTNER)
    arrangement = pf.ArrangementFactory(
        partner=partner,
        basis=Basis.JOINT_USE,
        status=ArrangementStatus.DRAFT,
        activated_at=None,
        purposes=[quality_purpose],
        administrator_address_ja="",
    )
    with pytest.raises(PartnerError, match="administrator_address_ja"):
        registry.arrangement_activate(arrangement=arrangement, actor=agent)
    arrangement.refresh_from_db()
    assert arrangement.status == ArrangementStatus.DRAFT
    # The database refuses it too, whoever writes.
    with pytest.raises(IntegrityError), transaction.atomic():
        Arrangement.objects.filter(pk=arrangement.pk).update(status=ArrangementStatus.ACTIVE)
    Arrangement.objects.filter(pk=arrangement.pk).update(administrator_address_ja="東京都港区")
    arrangement.refresh_from_db()
    registry.arrangement_activate(arrangement=arrangement, actor=agent)
    assert arrangement.status == ArrangementStatus.ACTIVE
    assert AuditEvent.objects.filter(action="partners.arrangement.activated").exists()


@pytest.mark.clause("LW-4.2")
def test_entrustment_needs_contract_instructions_and_review_date(quality_purpose, agent):
    arrangement = pf.ArrangementFactory(
        partner=pf.PartnerFactory(kind=PartnerKind.ENTRUSTED_PROCESSOR),
        basis=Basis.ENTRUSTMENT,
        status=ArrangementStatus.DRAFT,
        purposes=[quality_purpose],
        review_due_on=None,
    )
    with pytest.raises(PartnerError, match="review_due_on"):
        registry.arrangement_activate(arrangement=arrangement, actor=agent)
