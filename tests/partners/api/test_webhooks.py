"""Webhooks: a withdrawal reaches a live receiver on loopback, pushed by a real
Celery worker, signed per Standard Webhooks and verified with the `standardwebhooks` package;
a failed attempt is retried with the same event id; attempts are logged; a failed delivery
is replayed; secrets rotate."""

from __future__ import annotations

import datetime
import http.server
import threading

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from partners.api import webhooks
from partners.api.models import (
    DeliveryStatus,
    PartnerEvent,
    PartnerSystem,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from partners.errors import PartnerError
from portal.celery import app
from tests.conftest import running_worker
from tests.partners.api.conftest import subject_of
from tests.partners.conftest import withdraw


class Receiver:
    """An HTTP server on a free loopback port, in a thread, answering the statuses given in
    turn (then 204), keeping what it received."""

    def __init__(self, statuses: list[int]):
        self.statuses = list(statuses)
        self.received: list[tuple[dict, str]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 204
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def _route(table) -> None:
    app.conf.task_routes = table
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)


def _endpoint(partner, url, settings):
    settings.PARTNERS_WEBHOOK_ALLOW_LOOPBACK_HTTP = True
    settings.PARTNERS_WEBHOOK_ALLOW_PRIVATE = True  # the receivers run on loopback
    system, _created = PartnerSystem.objects.get_or_create(partner=partner, name="backend")
    endpoint, secret = webhooks.endpoint_register(system=system, url=url, actor=None)
    return endpoint, secret


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("LY-1", "LY-4")
def test_a_withdrawal_reaches_a_live_receiver_signed_and_retried(
    tmp_path, settings, pay, customer, phone_purpose
):
    with (
        Receiver([500]) as receiver,
        running_worker(
            tmp_path,
            own_default_queue=True,
            PARTNERS_WEBHOOK_BACKOFF_SECONDS="0.5",
            PARTNERS_WEBHOOK_ALLOW_LOOPBACK_HTTP="true",
            PARTNERS_WEBHOOK_ALLOW_PRIVATE="true",
        ) as worker,
    ):
        endpoint, secret = _endpoint(pay, receiver.url, settings)
        subject = subject_of(pay, customer)
        eager, routes = app.conf.task_always_eager, app.conf.task_routes
        app.conf.task_always_eager = False
        _route({"partners.api.tasks.webhook_deliver_task": {"queue": worker.queue}})
        try:
            withdraw(customer, phone_purpose)  # commits: the delivery goes to the worker
            worker.wait_for(
                lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).exists(),
                timeout=60,
            )
        finally:
            app.conf.task_always_eager = eager
            _route(routes)
    event = PartnerEvent.objects.get()
    assert len(receiver.received) == 2
    for headers, body in receiver.received:
        payload = Webhook(secret).verify(body, headers)
        assert headers["webhook-id"] == event.event_id
        assert payload["id"] == event.event_id
        assert payload["type"] == "consent.withdrawn"
        assert payload["data"]["subject"] == subject
        assert payload["data"]["purpose"] == "group-phone-sharing"
        assert customer.email not in body
        with pytest.raises(WebhookVerificationError):
            Webhook(webhooks.new_secret()).verify(body, headers)
    attempts = list(
        WebhookAttempt.objects.order_by("number").values_list("number", "status_code", "succeeded")
    )
    assert attempts == [(1, 500, False), (2, 204, True)]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.endpoint, delivery.attempts) == (endpoint, 2)


def _failed_delivery(pay, customer, phone_purpose, settings):
    settings.PARTNERS_WEBHOOK_RETRY_SECONDS = 0  # no time left for retries
    endpoint, secret = _endpoint(pay, "http://127.0.0.1:9/unreachable", settings)
    subject_of(pay, customer)
    withdraw(customer, phone_purpose)
    delivery = WebhookDelivery.objects.get()
    assert webhooks.webhook_deliver(delivery_id=delivery.pk) is None
    delivery.refresh_from_db()
    return delivery, endpoint, secret


@pytest.mark.django_db
def test_a_delivery_fails_for_good_when_its_time_is_up_and_is_replayed(
    pay, customer, phone_purpose, settings, administrator, django_capture_on_commit_callbacks
):
    delivery, endpoint, secret = _failed_delivery(pay, customer, phone_purpose, settings)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and "ConnectError" in attempt.error
    settings.PARTNERS_WEBHOOK_RETRY_SECONDS = 3600
    with Receiver([]) as receiver:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            webhooks.webhook_delivery_replay(delivery=delivery, actor=administrator)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SUCCEEDED, 2)
    headers, body = receiver.received[0]
    assert Webhook(secret).verify(body, headers)["id"] == delivery.event.event_id
    with pytest.raises(PartnerError):
        webhooks.webhook_delivery_replay(delivery=delivery, actor=administrator)


@pytest.mark.django_db
def test_backoff_doubles_up_to_the_cap(settings):
    settings.PARTNERS_WEBHOOK_BACKOFF_SECONDS = 10
    settings.PARTNERS_WEBHOOK_BACKOFF_MAX_SECONDS = 60
    assert [webhooks.backoff_seconds(n) for n in range(1, 6)] == [10, 20, 40, 60, 60]


@pytest.mark.django_db
def test_after_a_rotation_both_secrets_sign_for_a_day(pay, customer, phone_purpose, settings):
    endpoint, old = _endpoint(pay, "https://pay.example.jp/hooks", settings)
    new = webhooks.endpoint_secret_rotate(endpoint=endpoint, actor=None)
    assert new != old
    subject_of(pay, customer)
    withdraw(customer, phone_purpose)
    event = PartnerEvent.objects.get()
    body = webhooks.event_body(event)
    headers = webhooks.sign_headers(endpoint=WebhookEndpoint.objects.get(), event=event, body=body)
    assert Webhook(new).verify(body, headers)["id"] == event.event_id
    assert Webhook(old).verify(body, headers)["id"] == event.event_id
    WebhookEndpoint.objects.update(
        previous_secret_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    headers = webhooks.sign_headers(endpoint=WebhookEndpoint.objects.get(), event=event, body=body)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(body, headers)


@pytest.mark.django_db
def test_an_endpoint_must_be_https(settings):
    settings.PARTNERS_WEBHOOK_ALLOW_LOOPBACK_HTTP = False
    for url in ("http://127.0.0.1:8000/h", "ftp://x.example/h", "http://pay.example.jp/h"):
        with pytest.raises(PartnerError):
            webhooks.endpoint_url_check(url)
    assert webhooks.endpoint_url_check("https://pay.example.jp/h") == "https://pay.example.jp/h"
    settings.PARTNERS_WEBHOOK_ALLOW_LOOPBACK_HTTP = True
    assert webhooks.endpoint_url_check("http://127.0.0.1:8000/h")
    with pytest.raises(PartnerError):
        webhooks.endpoint_url_check("http://pay.example.jp/h")


@pytest.mark.django_db
def test_the_sweep_hands_a_lost_delivery_to_a_worker_again(pay, customer, phone_purpose, settings):
    with Receiver([]) as receiver:
        _endpoint_row, _secret = _endpoint(pay, receiver.url, settings)
        subject_of(pay, customer)
        withdraw(customer, phone_purpose)  # in a test transaction: the hand-over never ran
        delivery = WebhookDelivery.objects.get()
        assert webhooks.webhook_deliveries_sweep() == 0  # too recent to count as lost
        WebhookDelivery.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=11))
        assert webhooks.webhook_deliveries_sweep() == 1  # run in-process (eager in tests)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert receiver.received[0][0]["webhook-id"] == delivery.event.event_id
    assert webhooks.webhook_deliveries_sweep() == 0
