"""The staff pages of incidents through the browser's HTTP: the list by deadline with a
pinned query count, recording with bad input, the scope's count before adding, the upload."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents.models import AffectedPerson, Incident
from partners.services import records
from portal.models import AuditEvent
from tests.incidents.factories import incident, processor, provision, tokyo


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.clause("APPI-26")
def test_the_list_costs_the_same_queries_for_few_and_many_incidents(agent_client, cast):
    url = reverse("incidents:staff_list")
    for _ in range(3):
        incident(actor=cast.agent)
    few = _queries(agent_client, url)
    for _ in range(40):
        incident(actor=cast.agent)
    many = _queries(agent_client, url)
    # session, user, the session's second-factor device, the user's permissions (own and
    # groups' in one query) for the role check and the menu, the count for the paginator, the
    # page of incidents, their reports (prefetch), and the cookie banner's decision (no cookie
    # yet; no customer policy notice on staff pages)
    assert few == many == 8


@pytest.mark.clause("APPI-26")
def test_the_list_puts_the_nearest_deadline_first_and_marks_overdue(agent_client, cast):
    late = incident(
        actor=cast.agent, title="古い事案", aware_at=timezone.now() - datetime.timedelta(days=6)
    )
    fresh = incident(actor=cast.agent, title="新しい事案")
    page = agent_client.get(reverse("incidents:staff_list")).content.decode()
    assert page.index(late.reference) < page.index(fresh.reference)
    assert "overdue" in page
    only = agent_client.get(reverse("incidents:staff_list") + "?overdue=on").content.decode()
    assert late.reference in only and fresh.reference not in only


def test_recording_with_a_missing_summary_shows_a_message_and_keeps_the_input(agent_client):
    response = agent_client.post(
        reverse("incidents:staff_new"),
        {
            "title": "誤送信",
            "kind": "leak",
            "discovered_at": "2026-11-01T09:00",
            "aware_at": "2026-10-31T10:00",
            "summary": "",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "誤送信" in body
    assert "field-errors" in body
    assert not Incident.objects.exists()


@pytest.mark.clause("APPI-26", "APPI-29", "LW-5")
def test_the_scope_page_counts_first_then_adds_the_count_it_showed(agent_client, cast):
    desk = processor()
    provision(partner=desk, customer=cast.customer, when=tokyo(2026, 10, 2, 9, 0))
    provision(partner=desk, customer=cast.other_customer, when=tokyo(2026, 10, 3, 9, 0))
    inc = incident(actor=cast.agent)
    url = reverse("incidents:staff_scope", kwargs={"pk": inc.pk})
    form = {
        "source": "provision",
        "partner": desk.pk,
        "date_from": "2026-10-01",
        "date_to": "2026-10-31",
    }
    preview = agent_client.post(url, form)
    assert preview.status_code == 200
    assert 'data-testid="scope-count"' in preview.content.decode()
    assert AffectedPerson.objects.count() == 0
    done = agent_client.post(url, {**form, "expected": "2", "confirm": "1"})
    assert done.status_code == 302
    inc.refresh_from_db()
    assert inc.affected_count == 2
    # Looking at the people on the incident is a staff view of customer data (LW-5).
    agent_client.get(url)
    viewed = AuditEvent.objects.get(action="incidents.people.viewed")
    assert (viewed.actor, viewed.payload) == (
        cast.agent,
        {"customers": sorted([cast.customer.pk, cast.other_customer.pk])},
    )


def test_an_uploaded_list_is_read_and_unknown_lines_are_shown(agent_client, cast):
    inc = incident(actor=cast.agent)
    url = reverse("incidents:staff_scope", kwargs={"pk": inc.pk})
    text = f"{records.customer_reference(cast.customer.pk)}\nnot-a-customer\n".encode()
    response = agent_client.post(
        url, {"source": "upload", "upload": SimpleUploadedFile("refs.csv", text, "text/csv")}
    )
    body = response.content.decode()
    assert "not-a-customer" in body
    # The confirmation carries the list itself (the file is not sent twice).
    response = agent_client.post(
        url,
        {
            "source": "upload",
            "references": f"{records.customer_reference(cast.customer.pk)},not-a-customer",
            "expected": "1",
            "confirm": "1",
        },
    )
    assert response.status_code == 302
    assert list(AffectedPerson.objects.values_list("customer", flat=True)) == [cast.customer.pk]


def test_a_binary_upload_is_refused_with_a_message(agent_client, cast):
    inc = incident(actor=cast.agent)
    response = agent_client.post(
        reverse("incidents:staff_scope", kwargs={"pk": inc.pk}),
        {
            "source": "upload",
            "upload": SimpleUploadedFile("x.bin", b"\xff\xfe\x00\x81", "application/octet-stream"),
        },
    )
    assert response.status_code == 200
    assert "UTF-8" in response.content.decode()


def test_a_provision_scope_without_a_partner_is_refused_with_a_message(agent_client, cast):
    inc = incident(actor=cast.agent)
    response = agent_client.post(
        reverse("incidents:staff_scope", kwargs={"pk": inc.pk}),
        {"source": "provision", "date_from": "2026-10-31", "date_to": "2026-10-01"},
    )
    assert response.status_code == 200
    assert response.content.decode().count("field-errors") == 2


@pytest.mark.clause("APPI-26", "LW-5")
def test_the_edit_page_shows_the_register_and_a_change_lands_in_the_history(agent_client, cast):
    desk = processor(name_en="Inquiry Desk Ltd.")
    inc = incident(actor=cast.agent, partners=[desk], aware_at=tokyo(2026, 11, 2, 10, 0))
    url = reverse("incidents:staff_edit", kwargs={"pk": inc.pk})
    page = agent_client.get(url).content.decode()
    assert 'value="2026-11-02T10:00"' in page
    assert 'value="email" checked' in page or 'value="email"\n' in page or "checked" in page
    form = {
        "title": inc.title,
        "kind": "leak",
        "discovered_at": "2026-11-02T08:00",
        "aware_at": "2026-11-02T10:00",
        "summary": inc.summary,
        "data_items": ["name", "email", "phone"],
        "partners": [desk.pk],
        "cause": "",
    }
    assert agent_client.post(url, form).status_code == 302
    change = inc.events.get(event="changed")
    assert change.changes == {"data_items": [["name", "email"], ["name", "email", "phone"]]}
    detail = agent_client.get(reverse("incidents:staff_detail", kwargs={"pk": inc.pk}))
    # The history names the items in words, in the page's language.
    assert (
        "<td>氏名、メールアドレス</td><td>氏名、メールアドレス、電話番号</td>"
        in detail.content.decode()
    )
