"""The incidents demo: one open incident with its people, assessment and draft, once."""

import pytest
from django.core.management import call_command

from incidents.models import Incident


@pytest.mark.django_db
@pytest.mark.clause("APPI-26")
def test_demo_records_one_incident_once(capsys):
    call_command("demo")
    assert "incidents: 1 incidents" in capsys.readouterr().out
    incident = Incident.objects.get()
    assert incident.final_days == 60
    assert incident.affected_count == 1  # hanako's inquiry went to the support desk
    assert incident.reports.get().status == "draft"
    assert incident.reportable is True
    call_command("demo")
    assert Incident.objects.count() == 1
