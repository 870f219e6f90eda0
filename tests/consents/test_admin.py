"""Consents in the admin: filters and search, the ledger read-only, publishing through the
service (LW-5, LW-9); the data inventory covers the consents models (LW-1)."""

from __future__ import annotations

import pytest
from django.apps import apps

from consents import services
from consents.models import ConsentEvent, PolicyVersion
from portal import inventory
from portal.models import AuditEvent
from tests.consents import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(customer):
    purpose = f.opt_in_purpose(code="marketing")
    return services.consent_change(customer=customer, choices={purpose.code: True}, source="web")


@pytest.mark.clause("LW-5")
def test_no_admin_path_changes_or_deletes_a_consent_event(admin_client_, events):
    event = events[0]
    base = "/admin/consents/consentevent/"
    listing = admin_client_.get(base + "?source=web&q=alice")
    assert listing.status_code == 200 and "山田 アリス" in listing.content.decode()
    assert b'name="action"' not in listing.content  # no bulk delete
    detail = admin_client_.get(f"{base}{event.pk}/change/")
    assert detail.status_code == 200  # view only
    assert b'name="_save"' not in detail.content
    assert admin_client_.post(f"{base}{event.pk}/change/", {"granted": ""}).status_code == 403
    assert admin_client_.get(f"{base}{event.pk}/delete/").status_code == 403
    assert admin_client_.post(f"{base}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client_.get(base + "add/").status_code == 403
    assert ConsentEvent.objects.get(pk=event.pk).granted


@pytest.mark.clause("LW-5")
@pytest.mark.parametrize(
    "path",
    [
        "/admin/consents/purpose/?category=marketing&q=mark",
        "/admin/consents/policyversion/?is_published__exact=1",
        "/admin/consents/service/?kind=connected_application",
        "/admin/consents/consentstate/?granted__exact=1&q=alice",
        "/admin/consents/restriction/?kind=suspension",
    ],
)
def test_admin_lists_with_filters(admin_client_, events, path):
    assert admin_client_.get(path).status_code == 200


@pytest.mark.clause("LW-9")
def test_publishing_from_the_admin_calls_the_service(admin_client_, administrator):
    draft = f.PolicyVersionFactory(version="3.0")
    response = admin_client_.post(
        "/admin/consents/policyversion/",
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_published and draft.published_at is not None
    event = AuditEvent.objects.get(action="consents.policy.published")
    assert event.actor == administrator
    # A published version's text is a public record: the admin shows it read-only.
    page = admin_client_.get(f"/admin/consents/policyversion/{draft.pk}/change/")
    assert b'name="text_ja"' not in page.content
    assert PolicyVersion.objects.get(pk=draft.pk).text_ja == draft.text_ja


@pytest.mark.clause("LW-5")
def test_staff_may_view_the_ledger_but_not_configure(client, agent, events):
    client.force_login(agent)
    agent.is_staff = True  # admin access for the check; the group gives only view rights
    agent.save()
    assert client.get("/admin/consents/consentevent/").status_code == 200
    assert client.get("/admin/consents/purpose/add/").status_code == 403


@pytest.mark.clause("LW-1")
def test_the_inventory_classifies_every_consents_field():
    for model in apps.get_app_config("consents").get_models():
        entry = inventory.entry_for(model)
        assert entry is not None, model
        assert set(inventory.own_fields(model)) == set(entry.fields), model
    ledger = apps.get_model("consents", "ConsentEvent")
    assert inventory.entry_for(ledger).category == "consents"
    assert "ip_address" in inventory.personal_fields(ledger)
