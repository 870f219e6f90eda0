"""Bad input on the partners pages gets a clear message, never a 500, and nothing saved is
lost ("No input gets a 500")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from partners.models import Arrangement, Basis, Partner, PartnerKind
from portal.models import AuditEvent
from tests.admin_forms import change_form_data
from tests.partners import factories as pf

pytestmark = pytest.mark.django_db

RECORDS_VIEWED = "partners.records.viewed"


def _last_view() -> AuditEvent:
    return AuditEvent.objects.filter(action=RECORDS_VIEWED).latest("id")


@pytest.mark.clause("LW-5")
@pytest.mark.parametrize(
    "params",
    [
        {"customer_email": "a\x00b@example.jp"},
        {"customer_email": "x" * 100_000},
        {"basis": "\x00"},
        {"partner": "9" * 5000},
        {"date_from": "2030-13-45\x00", "purpose": "not-a-number"},
        {"unknown_filter": "y" * 100_000},
        {"page": "\x00" * 10},
    ],
)
def test_bad_filters_on_the_records_page_are_refused_and_not_audited_raw(agent_client, params):
    before = AuditEvent.objects.filter(action=RECORDS_VIEWED).count()
    response = agent_client.get(reverse("partners:staff_records"), params)
    assert response.status_code == 200
    # The view is still audited (LW-5), with only cleaned, bounded values.
    assert AuditEvent.objects.filter(action=RECORDS_VIEWED).count() == before + 1
    payload = _last_view().payload
    text = repr(payload)
    assert "\x00" not in text and "\\x00" not in text
    assert len(text) < 500
    assert "unknown_filter" not in payload["filters"]


@pytest.mark.clause("LW-5")
def test_valid_filters_are_audited_as_cleaned_values(agent_client, quality_purpose):
    partner = pf.partner_with(purpose=quality_purpose)
    agent_client.get(
        reverse("partners:staff_records"),
        {
            "partner": partner.pk,
            "basis": "consent",
            "customer_email": "Alice@Example.JP",
            "date_from": "2026-01-02",
            "junk": "ignored",
        },
    )
    assert _last_view().payload["filters"] == {
        "partner": str(partner.pk),
        "basis": "consent",
        "customer_email": "Alice@Example.JP",
        "date_from": "2026-01-02",
    }


@pytest.mark.clause("LW-5")
def test_invalid_filters_are_named_not_copied(agent_client):
    agent_client.get(
        reverse("partners:staff_records"),
        {"customer_email": "no\x00mail", "basis": "consent", "date_to": "x" * 3000},
    )
    assert _last_view().payload["filters"] == {
        "basis": "consent",
        "invalid": "customer_email,date_to",
    }


@pytest.mark.clause("LW-4.3")
def test_changing_a_partners_kind_against_its_arrangements_is_a_message(
    admin_client_, quality_purpose
):
    partner = pf.partner_with(
        kind=PartnerKind.ENTRUSTED_PROCESSOR, purpose=quality_purpose, basis=Basis.ENTRUSTMENT
    )
    url = reverse("admin:partners_partner_change", args=[partner.pk])
    data = change_form_data(admin_client_.get(url))
    data["kind"] = PartnerKind.THIRD_PARTY
    data["name_en"] = "Renamed Ltd."
    response = admin_client_.post(url, data)
    assert response.status_code == 200  # the form again, with the message
    [error] = response.context["adminform"].form.errors["kind"]
    # The message names the arrangement and its basis, in the page's language.
    assert error in (
        "The kind cannot become “Third party”: the basis of these arrangements does not fit "
        "it: Provision (Entrustment). End them and set up new ones under a separate partner, "
        "or keep the kind.",
        "種別を「第三者」に変更できません。次の取り決めの根拠がこの種別に合いません："  # noqa: RUF001
        "Provision (委託)。これらを終了して別の提供先として新たに設定するか、"
        "種別を変更しないでください。",
    ), error
    partner.refresh_from_db()
    assert partner.kind == PartnerKind.ENTRUSTED_PROCESSOR
    assert partner.name_en != "Renamed Ltd."
    assert Arrangement.objects.get(partner=partner).basis == Basis.ENTRUSTMENT


def test_changing_a_partners_kind_that_fits_its_arrangements_saves(admin_client_, quality_purpose):
    partner = pf.partner_with(kind=PartnerKind.THIRD_PARTY, purpose=quality_purpose)
    url = reverse("admin:partners_partner_change", args=[partner.pk])
    data = change_form_data(admin_client_.get(url))
    data["kind"] = PartnerKind.RESEARCH_INSTITUTION
    response = admin_client_.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Partner.objects.get(pk=partner.pk).kind == PartnerKind.RESEARCH_INSTITUTION
