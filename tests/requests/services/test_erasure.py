"""Deletion requests carried out (LW-6.1): chosen items, or the whole account erased leaving
no personal value of the customer in any personal field of any table, never while other
requests are open."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import translation

from portal.inventory import INVENTORY, personal_fields
from portal.models import AccessLogEntry, AuditEvent, OutboundMail, User
from portal.services import mail_send
from requests import workflow
from requests.errors import RequestError
from requests.models import DataRequest, Kind, Outcome, RequestMessage, Status
from requests.services import erasure
from tests.factories import PASSWORD
from tests.requests.factories import data_request, erasure_approved, footprint


@pytest.mark.clause("LW-6.1")
def test_deleting_chosen_items(cast):
    footprint(cast.customer, tag="alice", staff=cast.agent)
    req = data_request(
        status=Status.IN_REVIEW,
        customer=cast.customer,
        kind=Kind.DELETION,
        details={"scope": "items", "data_items": ["phone", "access_log"]},
    )
    erasure.deletion_carry_out(request_id=req.pk, actor=cast.agent)
    cast.customer.refresh_from_db()
    assert cast.customer.phone == "" and cast.customer.address == "千代田区 alice 1-1"
    assert not AccessLogEntry.objects.filter(user=cast.customer).exists()
    assert cast.customer.is_active


def _text_fields(model) -> list[str]:
    names = []
    for name in personal_fields(model):
        field = model._meta.get_field(name)
        if isinstance(
            field,
            (models.CharField, models.TextField, models.JSONField, models.GenericIPAddressField),
        ):
            names.append(name)
    return names


def _walk(values: list[str]) -> list[tuple[str, str, str]]:
    """(model, field, value) for every personal field of the inventory holding a value."""
    found = []
    for label, _entry in INVENTORY.items():
        model = apps.get_model(label)
        for name in _text_fields(model):
            for value in values:
                field = model._meta.get_field(name)
                if isinstance(field, models.GenericIPAddressField):
                    if value != "203.0.113.7":
                        continue
                    lookup = name
                else:
                    lookup = f"{name}__icontains"
                if isinstance(model._meta.get_field(name), models.JSONField):
                    hits = [
                        obj.pk for obj in model.objects.all() if value in str(getattr(obj, name))
                    ]
                else:
                    hits = list(
                        model.objects.filter(**{lookup: value}).values_list("pk", flat=True)
                    )
                if hits:
                    found.append((label, name, value))
    return found


@pytest.mark.clause("LW-1", "LW-6.1")
def test_erasing_the_account_leaves_no_personal_value_of_the_customer_anywhere(
    cast, client, django_capture_on_commit_callbacks
):
    alice = footprint(cast.customer, tag="alice", staff=cast.agent)
    footprint(cast.other_customer, tag="bob", staff=cast.agent)
    # Her open correction is answered first (an account is erased with nothing else open).
    workflow.request_close(
        request_id=alice["request"].pk, actor=cast.agent, outcome="fulfilled", reason="Done."
    )
    req = data_request(
        status=Status.IN_REVIEW,
        customer=cast.customer,
        kind=Kind.DELETION,
        details={"scope": "account", "data_items": []},
        principal_name="アリスの代理人",
    )
    values = [
        "alice@example.jp",
        "山田 アリス",
        "090-alice-0001",
        "100-alice",
        "千代田区 alice 1-1",
        "080-alice-9999",
        "why alice",
        "message from alice",
        "passport-alice",
        "paid by alice",
        "アリスの代理人",
        "203.0.113.7",
        "Browser/alice",
    ]
    before = _walk(values)
    # The walk does find the customer's values where they are held (it can fail).
    assert ("portal.User", "email", "alice@example.jp") in before
    assert ("requests.RequestMessage", "body", "message from alice") in before
    assert ("portal.AccessLogEntry", "ip_address", "203.0.113.7") in before
    # Append-only evidence (LW-5, LW-9) holds where she acted from until the erasure.
    assert ("consents.ConsentEvent", "ip_address", "203.0.113.7") in before
    assert ("consents.ConsentEvent", "user_agent", "Browser/alice") in before
    assert ("portal.AuditEvent", "ip_address", "203.0.113.7") in before
    assert ("requests.DataRequest", "details", "080-alice-9999") in before
    erasure_approved(req, asked_by=cast.agent, decided_by=cast.administrator)  # LW-5
    with django_capture_on_commit_callbacks(execute=False):
        erasure.deletion_carry_out(request_id=req.pk, actor=cast.agent)
    # The closing notice went to the address still on file; once sent, its copy is scrubbed.
    pending = list(OutboundMail.objects.filter(status="pending").values_list("pk", flat=True))
    notice = OutboundMail.objects.filter(to="alice@example.jp").latest("id")
    assert "deleted your account" in notice.body or "削除" in notice.body
    for mail_id in pending:
        mail_send(mail_id=mail_id)
    assert erasure.erased_mail_scrub(mail_ids=pending) == 0

    assert _walk(values) == []
    # Bob's data is untouched.
    cast.other_customer.refresh_from_db()
    assert cast.other_customer.phone == "090-bob-0001"
    assert RequestMessage.objects.filter(body="message from bob").exists()
    # The request record stays with a pseudonym; the account cannot sign in.
    req.refresh_from_db()
    assert (req.status, req.outcome, req.customer_id) == (
        Status.CLOSED,
        Outcome.FULFILLED,
        cast.customer.pk,
    )
    erased = User.objects.get(pk=cast.customer.pk)
    assert erased.email.endswith("@erased.invalid") and not erased.is_active
    assert not erased.has_usable_password()
    client.post(reverse("login"), {"username": "alice@example.jp", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert DataRequest.objects.filter(customer=erased).count() >= 3
    assert AuditEvent.objects.filter(action="requests.account.erased").exists()


@pytest.mark.clause("LW-6.1")
def test_the_account_is_not_erased_while_other_requests_are_open(cast):
    other = data_request(status=Status.VERIFYING, customer=cast.customer, kind=Kind.INQUIRY)
    req = data_request(
        status=Status.IN_REVIEW,
        customer=cast.customer,
        kind=Kind.DELETION,
        details={"scope": "account", "data_items": []},
    )
    with translation.override("en"), pytest.raises(RequestError, match=other.reference):
        erasure.deletion_carry_out(request_id=req.pk, actor=cast.agent)
    cast.customer.refresh_from_db()
    req.refresh_from_db()
    assert cast.customer.is_active and cast.customer.email == "alice@example.jp"
    assert req.status == Status.IN_REVIEW


@pytest.mark.clause("LW-6.1")
def test_a_live_session_of_an_erased_customer_ends(cast, client):
    client.force_login(cast.customer)
    assert client.get(reverse("dashboard")).status_code == 200
    req = data_request(
        status=Status.IN_REVIEW,
        customer=cast.customer,
        kind=Kind.DELETION,
        details={"scope": "account", "data_items": []},
    )
    erasure_approved(req, asked_by=cast.agent, decided_by=cast.administrator)  # LW-5
    erasure.deletion_carry_out(request_id=req.pk, actor=cast.agent)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]
