"""The partners pages: public announcements (LY-2, LY-4, LW-4.3), the customer's view
(LY-1, LY-7, APPI-29), and the staff back-office (LW-4.1, LW-4.2, LW-5, APPI-29)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.models import (
    ArrangementStatus,
    Basis,
    DataItem,
    ExceptionRequest,
    ExceptionStatus,
    PartnerKind,
    ProvisionRecord,
)
from partners.services import records as partner_records
from portal.models import AuditEvent
from tests.partners import factories as pf
from tests.partners.conftest import grant

pytestmark = pytest.mark.django_db

ITEMS = [DataItem.PREFECTURE, DataItem.BIRTH_YEAR]


# --- public pages ---------------------------------------------------------------------------


@pytest.mark.clause("LY-4", "LW-11")
def test_group_companies_list(client, quality_purpose):
    pay = pf.PartnerFactory(
        kind=PartnerKind.GROUP_COMPANY, name_ja="ペイ株式会社", name_en="Pay Co.", listed=True
    )
    pf.ArrangementFactory(
        partner=pay,
        basis=Basis.JOINT_USE,
        purposes=[quality_purpose],
        data_items=[DataItem.PHONE],
        trigger_ja="口座開設時",
        trigger_en="When you open an account",
    )
    pf.PartnerFactory(kind=PartnerKind.GROUP_COMPANY, name_en="Unlisted Co.", listed=False)
    page = client.get(reverse("partners:group_companies")).content.decode()
    assert "ペイ株式会社" in page and "電話番号" in page and "口座開設時" in page
    assert "Unlisted" not in page
    client.post(reverse("language_set"), {"language": "en"})
    page = client.get(reverse("partners:group_companies")).content.decode()
    assert "Pay Co." in page and "Phone number" in page and "When you open an account" in page
    assert "the Japanese version prevails" in page


@pytest.mark.clause("LY-2")
def test_countries_page_has_the_art_28_information(client, quality_purpose):
    pf.partner_with(
        purpose=quality_purpose,
        country=pf.singapore(),
        name_en="Lion Data Pte.",
        measures_en="ISO 27001 certified; contract with APPI-level duties.",
    )
    pf.partner_with(purpose=quality_purpose, country=pf.ireland(), name_en="Shamrock Ltd.")
    pf.partner_with(purpose=quality_purpose, name_en="Domestic K.K.")
    client.post(reverse("language_set"), {"language": "en"})
    page = client.get(reverse("partners:countries")).content.decode()
    assert "Singapore" in page and "Personal Data Protection Act 2012" in page
    assert "ISO 27001 certified" in page
    assert "Ireland" in page and "equivalent system (EU/EEA, UK)" in page
    assert "Domestic K.K." not in page and "Japan" not in page.split("<main")[1].split("</h1>")[0]


@pytest.mark.clause("LW-4.3")
def test_joint_use_announcement_lists_the_four_items_and_the_address(client, quality_purpose):
    partner = pf.PartnerFactory(kind=PartnerKind.JOINT_USE_PARTNER)
    pf.ArrangementFactory(
        partner=partner,
        basis=Basis.JOINT_USE,
        purposes=[quality_purpose],
        data_items=[DataItem.PHONE],
        joint_users_ja="当社と提携先A",
        joint_purpose_ja="入力の省略のため",
        administrator_name_ja="管理責任者株式会社",
        administrator_address_ja="東京都港区1-2-3",
    )
    pf.ArrangementFactory(
        partner=partner,
        basis=Basis.JOINT_USE,
        status=ArrangementStatus.DRAFT,
        joint_users_ja="下書きの共同利用",
    )
    page = client.get(reverse("partners:joint_use")).content.decode()
    for text in (
        "当社と提携先A",
        "入力の省略のため",
        "管理責任者株式会社",
        "東京都港区1-2-3",
        "電話番号",
    ):
        assert text in page
    assert "下書きの共同利用" not in page


# --- supervision reviews (LW-4.2) --------------------------------------------------------------


@pytest.mark.clause("LW-4.2")
def test_registry_shows_overdue_reviews(agent_client, quality_purpose):
    pf.ArrangementFactory(
        partner=pf.PartnerFactory(kind=PartnerKind.ENTRUSTED_PROCESSOR, name_ja="遅延サポート"),
        basis=Basis.ENTRUSTMENT,
        purposes=[quality_purpose],
        review_due_on=timezone.localdate() - datetime.timedelta(days=3),
    )
    page = agent_client.get(reverse("partners:staff_registry")).content.decode()
    section = page.split('id="reviews-due"')[1].split("</table>")[0]
    assert "遅延サポート" in section and 'class="overdue"' in section


# --- the customer's view --------------------------------------------------------------------


@pytest.mark.clause("LY-1", "LY-7", "APPI-29")
def test_customer_sees_what_they_allowed_and_what_was_provided(
    customer_client, customer, other_customer, quality_purpose
):
    lab = pf.partner_with(purpose=quality_purpose, items=ITEMS, name_ja="品質ラボ株式会社")
    pf.partner_with(
        kind=PartnerKind.ENTRUSTED_PROCESSOR,
        purpose=quality_purpose,
        items=[DataItem.INQUIRY],
        name_ja="委託先株式会社",
    )
    grant(customer, quality_purpose)
    partner_records.provision_record(
        customer=customer, partner=lab, purpose=quality_purpose, items=ITEMS
    )
    grant(other_customer, quality_purpose)
    partner_records.provision_record(
        customer=other_customer, partner=lab, purpose=quality_purpose, items=ITEMS
    )
    for url in (reverse("partners:provisions"), reverse("consents:consent_page")):
        page = customer_client.get(url).content.decode()
        section = page.split('id="partners-provisions"')[1]
        assert "品質ラボ株式会社" in section and "委託先株式会社" in section
        assert "同意あり" in section or "Allowed" in section
        records = section.split('id="provision-records"')[1].split("</table>")[0]
        assert records.count("<tr>") == 2  # the header and this customer's one record


@pytest.mark.clause("LY-1")
def test_section_query_count_is_fixed(customer, quality_purpose, django_assert_max_num_queries):
    from partners.views.customer import section_context

    for _n in range(5):
        pf.partner_with(purpose=quality_purpose, items=ITEMS)
    grant(customer, quality_purpose)
    # partners + arrangements + purposes + record counts + record items, plus two small
    # queries per consent-based purpose (consent_decide) and one for the records list.
    with django_assert_max_num_queries(5 + 2 * 5 + 1):
        context = section_context(customer)
        list(context["records"])
    assert len(context["overview"]) == 5


# --- staff ----------------------------------------------------------------------------------


@pytest.mark.clause("APPI-29", "LW-5")
def test_records_list_filters_and_pins_its_queries(
    agent_client, agent, customer, quality_purpose, django_assert_num_queries
):
    lab = pf.partner_with(purpose=quality_purpose, items=ITEMS)
    other = pf.partner_with(purpose=quality_purpose, items=ITEMS)
    grant(customer, quality_purpose)
    for _n in range(30):
        partner_records.provision_record(
            customer=customer, partner=lab, purpose=quality_purpose, items=ITEMS, actor=agent
        )
    partner_records.provision_record(
        customer=customer, partner=other, purpose=quality_purpose, items=ITEMS
    )
    url = reverse("partners:staff_records")
    # 1 session, 2 user, 3 the session's second-factor device, 4 the user's own
    # and groups' permissions in one query (role check), 5 the partner named in the filter,
    # 6 count, 7 one page of records with every relation joined, 8 the audit event, 9 the
    # cookie banner's decision (no cookie yet; no customer policy notice on staff pages),
    # 10-11 the filter form's choice lists (partners, purposes). 31 rows, still 11.
    with django_assert_num_queries(11):
        response = agent_client.get(url, {"partner": lab.pk})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 30
    event = AuditEvent.objects.filter(action="partners.records.viewed").latest("id")
    assert event.actor == agent and event.payload["filters"] == {"partner": str(lab.pk)}
    response = agent_client.get(url, {"date_from": "2030-01-02", "date_to": "2030-01-01"})
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode() or (
        "終了日" in response.content.decode()
    )


@pytest.mark.clause("LW-4.1", "APPI-29")
def test_staff_record_a_provision_through_the_gate(agent_client, customer, quality_purpose):
    lab = pf.partner_with(purpose=quality_purpose, items=ITEMS)
    url = reverse("partners:staff_provision_new")
    data = {
        "customer_email": customer.email,
        "partner": lab.pk,
        "purpose": quality_purpose.pk,
        "items": ITEMS,
        "basis": "gate",
    }
    response = agent_client.post(url, data)
    assert response.status_code == 200  # refused: no consent
    assert not ProvisionRecord.objects.exists()
    assert response.context["form"].non_field_errors()
    grant(customer, quality_purpose)
    response = agent_client.post(url, data)
    assert response.status_code == 302
    assert ProvisionRecord.objects.get().basis == Basis.CONSENT


@pytest.mark.clause("LW-4.1")
def test_staff_ask_for_an_exception_and_another_admin_approves(
    agent_client, client, agent, administrator, customer, quality_purpose
):
    police = pf.partner_with(purpose=quality_purpose, items=ITEMS)
    url = reverse("partners:staff_provision_new")
    data = {
        "customer_email": customer.email,
        "partner": police.pk,
        "purpose": quality_purpose.pk,
        "items": ITEMS,
        "basis": Basis.EXCEPTION_D,
        "justification": "",
    }
    response = agent_client.post(url, data)
    assert response.status_code == 200 and "justification" in response.context["form"].errors
    data["justification"] = "Written inquiry from the police under the Code of Criminal Procedure."
    response = agent_client.post(url, data)
    exception = ExceptionRequest.objects.get()
    assert response.status_code == 302 and exception.status == ExceptionStatus.PENDING
    assert not ProvisionRecord.objects.exists()
    detail = reverse("partners:staff_exception", args=[exception.pk])
    assert agent_client.post(detail, {"decision": "approve"}).status_code == 403
    client.force_login(administrator)
    response = client.post(detail, {"decision": "approve", "note": "Lawful request."})
    assert response.status_code == 302
    exception.refresh_from_db()
    assert exception.status == ExceptionStatus.PROVIDED
    assert ProvisionRecord.objects.get().basis == Basis.EXCEPTION_D


@pytest.mark.clause("LY-5", "LW-5")
def test_staff_start_an_export_and_download_it(
    agent_client, agent, customer, quality_purpose, django_capture_on_commit_callbacks
):
    lab = pf.partner_with(kind=PartnerKind.RESEARCH_INSTITUTION, purpose=quality_purpose)
    grant(customer, quality_purpose)
    url = reverse("partners:staff_exports")
    response = agent_client.post(url, {"partner": lab.pk, "purpose": ""})
    assert response.status_code == 200 and "purpose" in response.context["form"].errors
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(url, {"partner": lab.pk, "purpose": quality_purpose.pk})
    assert response.status_code == 302
    export = lab.exports.get()
    progress = agent_client.get(reverse("partners:staff_export_progress", args=[export.pk]))
    assert progress.json()["status"] == "completed" and progress.json()["percent"] == 100
    page = agent_client.get(reverse("partners:staff_export", args=[export.pk])).content.decode()
    assert "<progress" in page
    download = agent_client.get(reverse("partners:staff_export_download", args=[export.pk]))
    assert download.status_code == 200
    body = b"".join(download.streaming_content).decode()
    assert customer.email not in body and len(body.strip().splitlines()) == 2
    assert AuditEvent.objects.filter(action="partners.export.downloaded", actor=agent).exists()
