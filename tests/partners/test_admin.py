"""Administrators configure the registry in the Django admin; records stay read-only there
and activation goes through the same service (LW-4.3, APPI-29, LW-5)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from partners.models import Arrangement, ArrangementStatus, Basis, PartnerKind
from tests.partners import factories as pf
from tests.partners.conftest import grant

pytestmark = pytest.mark.django_db


@pytest.mark.clause("APPI-29", "LW-5")
def test_administrators_see_everything_and_edit_no_record(admin_client_, customer, quality_purpose):
    from partners.services import records

    partner = pf.partner_with(purpose=quality_purpose, items=["prefecture"])
    grant(customer, quality_purpose)
    record = records.provision_record(
        customer=customer, partner=partner, purpose=quality_purpose, items=["prefecture"]
    )
    for model in (
        "country",
        "partner",
        "arrangement",
        "provisionrecord",
        "exceptionrequest",
        "export",
    ):
        url = reverse(f"admin:partners_{model}_changelist")
        assert admin_client_.get(url).status_code == 200, model
    change = reverse("admin:partners_provisionrecord_change", args=[record.pk])
    response = admin_client_.get(change)
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    delete = reverse("admin:partners_provisionrecord_delete", args=[record.pk])
    assert admin_client_.post(delete, {"post": "yes"}).status_code == 403
    assert admin_client_.get(reverse("admin:partners_arrangement_add")).status_code == 200


@pytest.mark.clause("LW-4.3")
def test_the_admin_activates_through_the_service(admin_client_, quality_purpose):
    incomplete = pf.ArrangementFactory(
        partner=pf.PartnerFactory(kind=PartnerKind.JOINT_USE_PARTNER),
        basis=Basis.JOINT_USE,
        status=ArrangementStatus.DRAFT,
        activated_at=None,
        purposes=[quality_purpose],
        joint_purpose_en="",
    )
    complete = pf.ArrangementFactory(
        partner=pf.PartnerFactory(kind=PartnerKind.JOINT_USE_PARTNER),
        basis=Basis.JOINT_USE,
        status=ArrangementStatus.DRAFT,
        activated_at=None,
        purposes=[quality_purpose],
    )
    url = reverse("admin:partners_arrangement_changelist")
    admin_client_.post(
        url, {"action": "activate", "_selected_action": [incomplete.pk, complete.pk]}
    )
    assert Arrangement.objects.get(pk=incomplete.pk).status == ArrangementStatus.DRAFT
    assert Arrangement.objects.get(pk=complete.pk).status == ArrangementStatus.ACTIVE
