# ruff: noqa: RUF001  (Japanese labels use full-width parentheses)
"""Consent-bound arrangements: an entrustment or joint use marked as needing the customer's
consent makes the gate ask for it; its basis reads "with consent" (LY-1, LY-4)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from consents.models import PurposeCategory
from partners.errors import PartnerError
from partners.models import Arrangement, Basis, DataItem, PartnerKind
from partners.services import gate, records
from tests.consents import factories as cf
from tests.partners import factories as pf
from tests.partners.conftest import grant, withdraw

pytestmark = pytest.mark.django_db

ITEMS = [DataItem.PHONE]

# (arrangement basis, marked as needing consent, customer's answer) -> (allowed, basis)
# for an opt-out group shared-use purpose ("on unless you turn it off").
TABLE = {
    (Basis.JOINT_USE, True, "never"): (True, "joint_use_consent"),
    (Basis.JOINT_USE, True, "granted"): (True, "joint_use_consent"),
    (Basis.JOINT_USE, True, "withdrawn"): (False, None),
    (Basis.JOINT_USE, False, "never"): (True, "joint_use"),
    (Basis.JOINT_USE, False, "withdrawn"): (True, "joint_use"),
    (Basis.ENTRUSTMENT, True, "never"): (True, "entrustment_consent"),
    (Basis.ENTRUSTMENT, True, "withdrawn"): (False, None),
    (Basis.ENTRUSTMENT, False, "withdrawn"): (True, "entrustment"),
}

# What the basis reads, in both languages.
LABELS = {
    "joint_use_consent": {"en": "Joint use, with consent", "ja": "共同利用（本人の同意あり）"},
    "entrustment_consent": {"en": "Entrustment, with consent", "ja": "委託（本人の同意あり）"},
}


@pytest.fixture
def sharing(db):
    return cf.PurposeFactory(
        code="group-phone",
        category=PurposeCategory.GROUP_SHARED_USE,
        default_granted=True,
        name_ja="電話番号の共同利用",
        name_en="Sharing the phone number",
    )


def _partner(basis, needs_consent, purpose):
    kind = PartnerKind.GROUP_COMPANY
    partner = pf.PartnerFactory(kind=kind)
    pf.ArrangementFactory(
        partner=partner,
        basis=basis,
        purposes=[purpose],
        data_items=ITEMS,
        needs_consent=needs_consent,
    )
    return partner


@pytest.mark.clause("LY-1", "LY-4")
@pytest.mark.parametrize(("basis", "bound", "answer"), TABLE.keys())
def test_a_consent_bound_arrangement_asks_for_consent(customer, sharing, basis, bound, answer):
    partner = _partner(basis, bound, sharing)
    if answer == "granted":
        grant(customer, sharing)
    if answer == "withdrawn":
        withdraw(customer, sharing)
    decision = gate.provision_decide(
        customer=customer, partner=partner, purpose=sharing, items=ITEMS
    )
    assert (decision.allowed, decision.basis) == TABLE[(basis, bound, answer)], decision.message
    if not decision.allowed:
        assert decision.reason == "no_consent"
        with pytest.raises(PartnerError):
            records.provision_record(
                customer=customer, partner=partner, purpose=sharing, items=ITEMS
            )
    elif bound:
        record = records.provision_record(
            customer=customer, partner=partner, purpose=sharing, items=ITEMS
        )
        assert record.basis == TABLE[(basis, bound, answer)][1]
        # The consent relied on is kept with the record when there is a ledger event.
        assert (record.consent_event is not None) == (answer == "granted")


@pytest.mark.clause("LY-4")
@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("basis", list(LABELS))
def test_the_basis_reads_with_consent_in_both_languages(basis, language):
    with translation.override(language):
        assert str(Basis(basis).label) == LABELS[basis][language]


@pytest.mark.clause("LY-4")
def test_only_entrustment_or_joint_use_can_be_marked(sharing):
    partner = pf.PartnerFactory(kind=PartnerKind.THIRD_PARTY)
    arrangement = Arrangement(
        partner=partner,
        basis=Basis.CONSENT,
        title_ja="提供",
        title_en="Provision",
        data_items=ITEMS,
        starts_on="2026-01-01",
        needs_consent=True,
    )
    with pytest.raises(ValidationError) as info:
        arrangement.full_clean()
    assert "needs_consent" in info.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        arrangement.save()


@pytest.mark.clause("LY-1", "LY-4")
def test_the_customer_page_shows_a_consent_bound_joint_use_as_their_choice(
    customer_client, customer, sharing
):
    partner = _partner(Basis.JOINT_USE, True, sharing)
    withdraw(customer, sharing)
    page = customer_client.get("/consents/").content.decode()
    row = page[page.index(f'data-partner="{partner.pk}"') :]
    row = row[: row.index("</tr>")]
    assert 'class="badge warn"' in row  # "Not allowed"
    assert 'data-decides="gate"' in page


def _admin_form(arrangement, **changes):
    data = {
        "partner": arrangement.partner_id,
        "basis": arrangement.basis,
        "title_ja": arrangement.title_ja,
        "title_en": arrangement.title_en,
        "purposes": [p.pk for p in arrangement.purposes.all()],
        "data_items": arrangement.data_items,
        "starts_on": arrangement.starts_on.isoformat(),
        "status": arrangement.status,
        "contract_date": arrangement.contract_date.isoformat() if arrangement.contract_date else "",
        "instructions_ja": arrangement.instructions_ja,
        "instructions_en": arrangement.instructions_en,
        "review_due_on": arrangement.review_due_on.isoformat() if arrangement.review_due_on else "",
    }
    data.update(changes)
    return data


@pytest.mark.clause("LY-4")
def test_the_admin_marks_an_arrangement_as_needing_consent(admin_client_, sharing):
    from django.urls import reverse

    entrustment = pf.ArrangementFactory(
        partner=pf.PartnerFactory(kind=PartnerKind.ENTRUSTED_PROCESSOR),
        basis=Basis.ENTRUSTMENT,
        purposes=[sharing],
        data_items=ITEMS,
    )
    url = reverse("admin:partners_arrangement_change", args=[entrustment.pk])
    response = admin_client_.post(url, _admin_form(entrustment, needs_consent="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    entrustment.refresh_from_db()
    assert entrustment.needs_consent and entrustment.provision_basis == "entrustment_consent"
    # A consent arrangement always asks: marking it is refused with a message, not a 500.
    consent = pf.ArrangementFactory(
        partner=pf.PartnerFactory(kind=PartnerKind.THIRD_PARTY), purposes=[sharing]
    )
    url = reverse("admin:partners_arrangement_change", args=[consent.pk])
    response = admin_client_.post(url, _admin_form(consent, needs_consent="on"))
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    consent.refresh_from_db()
    assert not consent.needs_consent
