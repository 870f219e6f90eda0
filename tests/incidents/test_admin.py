"""The admin: administrators edit the deadlines; the register is read-only there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents.models import IncidentSettings
from tests.incidents.factories import incident


@pytest.mark.clause("APPI-26")
def test_an_administrator_changes_the_deadlines_in_the_admin(admin_client_):
    response = admin_client_.post(
        reverse("admin:incidents_incidentsettings_add"),
        {
            "preliminary_days": "4",
            "final_days": "30",
            "final_days_unauthorised": "60",
            "reminder_days_before": "2, 1",
        },
    )
    assert response.status_code == 302
    config = IncidentSettings.current()
    assert (config.preliminary_days, config.reminder_offsets) == (4, [2, 1])


def test_bad_reminder_days_are_refused_with_a_message(admin_client_):
    response = admin_client_.post(
        reverse("admin:incidents_incidentsettings_add"),
        {
            "preliminary_days": "4",
            "final_days": "30",
            "final_days_unauthorised": "60",
            "reminder_days_before": "soon",
        },
    )
    assert response.status_code == 200
    assert not IncidentSettings.objects.exists()


@pytest.mark.parametrize(
    "name",
    [
        "incidents_incident_changelist",
        "incidents_assessment_changelist",
        "incidents_affectedperson_changelist",
        "incidents_report_changelist",
    ],
)
def test_the_register_is_visible_in_the_admin(admin_client_, cast, name):
    incident(actor=cast.agent)
    assert admin_client_.get(reverse(f"admin:{name}")).status_code == 200


def test_the_register_cannot_be_edited_in_the_admin(admin_client_, cast):
    inc = incident(actor=cast.agent)
    response = admin_client_.post(
        reverse("admin:incidents_incident_change", args=[inc.pk]), {"title": "x"}
    )
    assert response.status_code == 403
