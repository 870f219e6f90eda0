"""The fee schedule (LW-6.4, APPI Art. 38): only disclosure, purpose notice and
provision-record requests carry a fee; the schedule refuses any other kind in the model, the
admin and the database."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from requests.models import FeeSchedule, Kind
from requests.services import fees, filing
from tests.requests.factories import fee

pytestmark = pytest.mark.clause("LW-6.4")

# Written out, not read from the code's CHARGEABLE_KINDS (APPI Art. 38).
CHARGEABLE = ["disclosure", "purpose_notice", "provision_records"]
NOT_CHARGEABLE = [
    "correction",
    "addition",
    "deletion",
    "suspension",
    "third_party_stop",
    "inquiry",
]


def test_the_lists_cover_every_kind():
    assert sorted(CHARGEABLE + NOT_CHARGEABLE) == sorted(Kind.values)


@pytest.mark.parametrize("kind", NOT_CHARGEABLE)
def test_model_validation_refuses_a_fee_for_a_non_chargeable_kind(db, kind):
    with pytest.raises(ValidationError) as info:
        FeeSchedule(kind=kind, delivery_method="electronic", amount_yen=500).full_clean()
    assert "kind" in info.value.message_dict


@pytest.mark.parametrize("kind", NOT_CHARGEABLE)
def test_database_refuses_a_fee_for_a_non_chargeable_kind(db, kind):
    with pytest.raises(IntegrityError), transaction.atomic():
        FeeSchedule.objects.create(kind=kind, delivery_method="paper", amount_yen=500)


@pytest.mark.parametrize("kind", CHARGEABLE)
def test_chargeable_kinds_take_a_fee(db, kind):
    FeeSchedule(kind=kind, delivery_method="paper", amount_yen=800).full_clean()
    FeeSchedule.objects.create(kind=kind, delivery_method="paper", amount_yen=800)
    assert fees.fee_for(kind=kind, delivery_method="paper") == 800


def test_admin_refuses_with_a_clear_message(admin_client_):
    url = reverse("admin:requests_feeschedule_add")
    response = admin_client_.post(
        url, {"kind": Kind.DELETION, "delivery_method": "electronic", "amount_yen": "500"}
    )
    assert response.status_code == 200
    # The admin speaks Japanese by default; the message names the kind and the rule.
    assert "「保有個人データの削除」には手数料を設定できません" in response.content.decode()
    assert not FeeSchedule.objects.exists()
    ok = admin_client_.post(
        url, {"kind": Kind.DISCLOSURE, "delivery_method": "electronic", "amount_yen": "300"}
    )
    assert ok.status_code == 302
    assert FeeSchedule.objects.get().amount_yen == 300


def test_fee_follows_kind_and_delivery_method(db):
    fee(Kind.DISCLOSURE, "electronic", 300)
    fee(Kind.DISCLOSURE, "paper", 800)
    assert fees.fee_for(kind=Kind.DISCLOSURE, delivery_method="electronic") == 300
    assert fees.fee_for(kind=Kind.DISCLOSURE, delivery_method="paper") == 800
    assert fees.fee_for(kind=Kind.PURPOSE_NOTICE, delivery_method="paper") is None
    assert fees.fee_for(kind=Kind.CORRECTION, delivery_method="paper") is None


def test_a_schedule_change_does_not_touch_filed_requests(customer):
    schedule = fee(Kind.DISCLOSURE, "electronic", 300)
    req = filing.request_file(
        customer=customer,
        kind=Kind.DISCLOSURE,
        details={"scope": "all", "categories": []},
        delivery_method="electronic",
    )
    schedule.amount_yen = 900
    schedule.save()
    req.refresh_from_db()
    assert req.fee_yen == 300
