"""The staff page and the admin of the partner API: keys made and revoked there
(shown once), webhook secrets rotated, failed deliveries replayed, attempts visible; the page
costs a fixed number of queries."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.api import webhooks
from partners.api.models import (
    ApiKey,
    DeliveryStatus,
    PartnerSystem,
    WebhookDelivery,
    WebhookEndpoint,
)
from tests import factories
from tests.partners.api.conftest import subject_of
from tests.partners.conftest import withdraw

pytestmark = pytest.mark.django_db


def test_an_administrator_makes_a_key_on_the_staff_page_and_sees_it_once(admin_client_, pay):
    system = PartnerSystem.objects.create(partner=pay, name="backend")
    url = reverse("partners:staff_api")
    made = admin_client_.post(
        url, {"system": system.pk, "scopes": ["decide", "events"], "valid_days": "30"}
    )
    assert made.status_code == 200
    key = re.search(r"<code>(ppk_[A-Za-z0-9_-]+)</code>", made.content.decode()).group(1)
    row = ApiKey.objects.get()
    assert row.scopes == ["decide", "events"] and row.expires_at is not None
    assert key not in admin_client_.get(url).content.decode()
    revoke = admin_client_.post(reverse("partners:staff_api_key_revoke", kwargs={"pk": row.pk}))
    assert revoke.status_code == 302
    assert ApiKey.objects.get().revoked_at is not None


def test_privacy_staff_see_keys_but_cannot_make_them(agent_client, pay):
    system = PartnerSystem.objects.create(partner=pay, name="backend")
    page = agent_client.get(reverse("partners:staff_api"))
    assert page.status_code == 200
    assert (
        "Make the key" not in page.content.decode()
        and "キーを発行する" not in page.content.decode()
    )
    assert (
        agent_client.post(
            reverse("partners:staff_api"), {"system": system.pk, "scopes": ["decide"]}
        ).status_code
        == 403
    )
    assert not ApiKey.objects.exists()


def test_the_admin_makes_a_key_shown_once(admin_client_, pay):
    system = PartnerSystem.objects.create(partner=pay, name="backend")
    response = admin_client_.post(
        reverse("admin:partners_apikey_add"),
        {"system": system.pk, "label": "pay", "scopes": ["provide"], "rate_limit_per_minute": ""},
        follow=True,
    )
    assert response.status_code == 200
    text = " ".join(str(m) for m in response.context["messages"])
    key = re.search(r"ppk_[A-Za-z0-9_-]+", text).group(0)
    row = ApiKey.objects.get()
    assert (row.scopes, row.label) == (["provide"], "pay")
    assert key.startswith(f"ppk_{row.prefix}_")


def _failed(pay, customer, phone_purpose, settings):
    settings.PARTNERS_WEBHOOK_ALLOW_LOOPBACK_HTTP = True
    settings.PARTNERS_WEBHOOK_ALLOW_PRIVATE = True
    settings.PARTNERS_WEBHOOK_RETRY_SECONDS = 0
    system = PartnerSystem.objects.create(partner=pay, name="backend")
    endpoint, _secret = webhooks.endpoint_register(
        system=system, url="http://127.0.0.1:9/x", actor=None
    )
    subject_of(pay, customer)
    withdraw(customer, phone_purpose)
    delivery = WebhookDelivery.objects.get()
    webhooks.webhook_deliver(delivery_id=delivery.pk)
    return endpoint, delivery


def test_the_admin_rotates_a_secret_and_replays_a_failed_delivery(
    admin_client_, pay, customer, phone_purpose, settings
):
    endpoint, delivery = _failed(pay, customer, phone_purpose, settings)
    old = endpoint.secret
    admin_client_.post(
        reverse("admin:partners_webhookendpoint_changelist"),
        {"action": "rotate", "_selected_action": [endpoint.pk]},
    )
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old
    assert WebhookDelivery.objects.get().status == DeliveryStatus.FAILED
    settings.PARTNERS_WEBHOOK_RETRY_SECONDS = 3600
    admin_client_.post(
        reverse("admin:partners_webhookdelivery_changelist"),
        {"action": "replay", "_selected_action": [delivery.pk]},
    )
    # Sent again in-process (tests run tasks eagerly) and failed again against the dead port.
    delivery.refresh_from_db()
    assert delivery.attempts >= 1
    assert delivery.retry_until > delivery.created_at
    change = admin_client_.get(reverse("admin:partners_webhookdelivery_change", args=[delivery.pk]))
    assert change.status_code == 200 and "ConnectError" in change.content.decode()


def test_staff_see_each_attempt_with_status_and_latency(
    agent_client, pay, customer, phone_purpose, settings
):
    _failed(pay, customer, phone_purpose, settings)
    page = agent_client.get(reverse("partners:staff_api")).content.decode()
    assert "1: —" in page and "ミリ秒" in page


def test_the_staff_page_costs_the_same_with_more_rows(
    agent_client, pay, customer, phone_purpose, settings
):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert agent_client.get(reverse("partners:staff_api")).status_code == 200
        return len(ctx.captured_queries)

    _failed(pay, customer, phone_purpose, settings)
    few = count()
    system = PartnerSystem.objects.get()
    from partners.api.keys import api_key_create

    for _ in range(5):
        api_key_create(system=system, scopes="decide", actor=None)
    WebhookEndpoint.objects.create(
        system=system, url="https://pay.example.jp/h", secret=webhooks.new_secret()
    )
    for email in ("carol@example.jp", "dave@example.jp"):
        person = factories.customer(email=email)
        subject_of(pay, person)
        withdraw(person, phone_purpose)
    for delivery in WebhookDelivery.objects.all():
        webhooks.webhook_deliver(delivery_id=delivery.pk)
    many = count()
    # 1 session, 2 user, 3 the second-factor device, 4 the user's own and groups'
    # permissions in one query, 5 deliveries with event and endpoint, 6 their attempts, 7 the
    # cookie banner's decision (no customer policy notice on staff pages), 8 systems with
    # partner, 9 their keys, 10 the subject-link form's systems (an agent sees no key form).
    assert few == many == 10
