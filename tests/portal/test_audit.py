"""The audit log is append-only: in the ORM, the admin and, on PostgreSQL, the database (LW-5)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from portal.models import AuditEvent
from portal.services import audit_addresses_erase, audit_record

# The runtime role lacks the privilege (two roles); a single role meets the trigger.
REFUSED = r"permission denied|append-only"


@pytest.fixture
def event(db, agent):
    return audit_record(actor=agent, action="portal.test.did", target=agent, payload={"n": 1})


@pytest.mark.clause("LW-5")
def test_event_records_actor_target_and_payload(event, agent):
    assert (event.actor, event.target_type, event.target_id) == (
        agent,
        "portal.user",
        str(agent.pk),
    )
    assert event.payload == {"n": 1}


@pytest.mark.clause("LW-5")
def test_orm_refuses_change_and_delete(event):
    event.action = "portal.test.rewritten"
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "portal.test.did"


@pytest.mark.postgres
@pytest.mark.clause("LW-5")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE portal_auditevent SET action = 'forged' WHERE id = %s",
        "DELETE FROM portal_auditevent WHERE id = %s",
    ],
)
def test_database_refuses_raw_update_and_delete(event, sql):
    with (
        pytest.raises(DatabaseError, match=REFUSED),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "portal.test.did"


@pytest.mark.clause("LW-5")
def test_admin_shows_but_cannot_change_or_delete(client, administrator, event):
    client.force_login(administrator)
    change = reverse("admin:portal_auditevent_change", args=[event.pk])
    assert client.get(reverse("admin:portal_auditevent_changelist")).status_code == 200
    response = client.post(change, {"action": "forged"})
    assert response.status_code == 403
    delete = reverse("admin:portal_auditevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).action == "portal.test.did"


@pytest.mark.clause("LW-5", "LW-6.1")
def test_erasure_blanks_the_address_of_an_erased_account_only(db, customer, other_customer):
    from portal.middleware import request_context_set

    with request_context_set(ip_address="203.0.113.7"):
        event = audit_record(actor=customer, action="portal.test.did", target=customer)
        kept = audit_record(actor=other_customer, action="portal.test.did")
    assert event.ip_address == "203.0.113.7"
    with pytest.raises((DatabaseError, PermissionDenied), match="not erased"), transaction.atomic():
        audit_addresses_erase(customer=customer)
    assert AuditEvent.objects.get(pk=event.pk).ip_address == "203.0.113.7"
    _close_as_erased(customer)
    assert audit_addresses_erase(customer=customer) == 1
    erased = AuditEvent.objects.get(pk=event.pk)
    assert erased.ip_address is None and erased.action == "portal.test.did"
    assert AuditEvent.objects.get(pk=kept.pk).ip_address == "203.0.113.7"


def _close_as_erased(user) -> None:
    from portal.models import User

    User.objects.filter(pk=user.pk).update(
        is_active=False, email=f"erased-{user.pk:016d}@erased.invalid"
    )
    user.refresh_from_db()


@pytest.mark.postgres
@pytest.mark.clause("LW-5")
@pytest.mark.parametrize(
    "sql",
    [
        # The old trigger let this one through on any row: no longer.
        "UPDATE portal_auditevent SET ip_address = NULL WHERE id = %s",
        "UPDATE portal_auditevent SET ip_address = '192.0.2.1' WHERE id = %s",
        "UPDATE portal_auditevent SET ip_address = NULL, action = 'x' WHERE id = %s",
    ],
)
def test_database_refuses_even_blanking_the_address(db, customer, sql):
    from portal.middleware import request_context_set

    with request_context_set(ip_address="203.0.113.7"):
        event = audit_record(actor=customer, action="portal.test.did")
    with (
        pytest.raises(DatabaseError, match=REFUSED),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).ip_address == "203.0.113.7"
