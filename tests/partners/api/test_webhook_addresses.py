"""Webhook endpoints only on public addresses: a URL whose host is, or resolves to,
a loopback, private, link-local or otherwise non-public address is refused when an
administrator registers it and again when a delivery is attempted (logged as refused, failed
at once, never retried), unless PARTNERS_WEBHOOK_ALLOW_PRIVATE."""

from __future__ import annotations

import http.server
import ipaddress
import socket
import threading

import pytest
from django.urls import reverse

from partners.api import webhooks
from partners.api.models import (
    DeliveryStatus,
    PartnerSystem,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from partners.errors import PartnerError
from tests.partners.api.conftest import subject_of
from tests.partners.conftest import withdraw

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# address -> public? (written out by hand)
ADDRESSES = {
    "127.0.0.1": False,  # loopback
    "127.8.9.10": False,
    "10.1.2.3": False,  # private
    "172.16.0.1": False,
    "192.168.1.1": False,
    "169.254.169.254": False,  # link-local (cloud metadata)
    "100.64.0.1": False,  # shared address space (carrier-grade NAT)
    "0.0.0.0": False,  # unspecified
    "192.0.2.1": False,  # documentation
    "240.0.0.1": False,  # reserved
    "224.0.0.1": False,  # multicast
    "::1": False,
    "::": False,
    "fe80::1": False,
    "fc00::1": False,  # unique local
    "ff02::1": False,  # multicast
    "64:ff9b::a00:1": False,  # NAT64 of 10.0.0.1
    "2002:7f00:1::": False,  # 6to4 of 127.0.0.1
    "8.8.8.8": True,
    "1.1.1.1": True,
    "133.242.0.1": True,
    "2001:4860:4860::8888": True,
    "64:ff9b::808:808": True,  # NAT64 of 8.8.8.8
}


@pytest.mark.parametrize("address", list(ADDRESSES))
def test_which_addresses_are_public(address):
    assert webhooks.address_is_public(ipaddress.ip_address(address)) is ADDRESSES[address]


REFUSED = [
    "https://127.0.0.1/hooks",
    "https://localhost:8443/hooks",  # a name that resolves to loopback
    "https://10.0.0.5/hooks",
    "https://169.254.169.254/latest/meta-data",
    "https://[::1]/hooks",
    "https://[fd12:3456::1]/hooks",
]


@pytest.mark.parametrize("url", REFUSED)
def test_registration_refuses_a_non_public_address(url, settings):
    settings.PARTNERS_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(PartnerError) as info:
        webhooks.endpoint_check(url)
    assert "public" in str(info.value) or "公開" in str(info.value)
    settings.PARTNERS_WEBHOOK_ALLOW_PRIVATE = True
    assert webhooks.endpoint_check(url) == url


def test_registration_accepts_public_and_not_yet_resolvable_names(settings):
    settings.PARTNERS_WEBHOOK_ALLOW_PRIVATE = False
    for url in ("https://8.8.8.8/hooks", "https://pay.invalid/hooks"):
        assert webhooks.endpoint_check(url) == url  # .invalid never resolves


def test_the_admin_form_refuses_it_with_a_clear_message_and_saves_nothing(
    admin_client_, pay, settings
):
    settings.PARTNERS_WEBHOOK_ALLOW_PRIVATE = False
    system = PartnerSystem.objects.create(partner=pay, name="backend")
    admin_client_.cookies["portal_language"] = "en"
    add = reverse("admin:partners_webhookendpoint_add")
    response = admin_client_.post(
        add, {"system": system.pk, "url": "https://10.0.0.5/hooks", "is_active": "on"}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["url"] == [
        "10.0.0.5 is not a public internet address (loopback, private, link-local or"
        " reserved). Webhooks go only to public addresses."
    ]
    assert not WebhookEndpoint.objects.exists()
    admin_client_.cookies["portal_language"] = "ja"
    response = admin_client_.post(
        add, {"system": system.pk, "url": "https://localhost/hooks", "is_active": "on"}
    )
    assert response.context["adminform"].form.errors["url"] == [
        "localhost の解決先 127.0.0.1 は、インターネット上の公開アドレスではありません"
        "（ループバック、プライベート、リンクローカル、予約済みのいずれか）。"  # noqa: RUF001
        "Webhook は公開アドレスにのみ送信します。"
    ]
    assert not WebhookEndpoint.objects.exists()
    response = admin_client_.post(
        add, {"system": system.pk, "url": "https://pay.invalid/hooks", "is_active": "on"}
    )
    assert response.status_code == 302
    assert WebhookEndpoint.objects.get().url == "https://pay.invalid/hooks"
    # Changing an endpoint to a private address is refused the same way.
    endpoint = WebhookEndpoint.objects.get()
    change = reverse("admin:partners_webhookendpoint_change", args=[endpoint.pk])
    response = admin_client_.post(
        change, {"system": system.pk, "url": "https://192.168.0.10/hooks", "is_active": "on"}
    )
    assert response.status_code == 200 and "url" in response.context["adminform"].form.errors
    endpoint.refresh_from_db()
    assert endpoint.url == "https://pay.invalid/hooks"


class Receiver:
    """An HTTP server on loopback (the address `localhost` resolves to first), in a thread."""

    def __init__(self):
        self.received: list[dict] = []
        receiver = self
        host = socket.getaddrinfo("localhost", 0, type=socket.SOCK_STREAM)[0]

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({k.lower(): v for k, v in self.headers.items()})
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            address_family = host[0]

        self.server = Server((host[4][0], 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def _pending_delivery(pay, customer, phone_purpose, url, settings):
    """A delivery to `url`, registered while private addresses were allowed."""
    settings.PARTNERS_WEBHOOK_ALLOW_LOOPBACK_HTTP = True
    settings.PARTNERS_WEBHOOK_ALLOW_PRIVATE = True
    settings.PARTNERS_WEBHOOK_RETRY_SECONDS = 3600  # plenty of time left for retries
    system = PartnerSystem.objects.create(partner=pay, name="backend")
    webhooks.endpoint_register(system=system, url=url, actor=None)
    subject_of(pay, customer)
    withdraw(customer, phone_purpose)  # in the test transaction: nothing is sent yet
    return WebhookDelivery.objects.get()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_delivery_to_a_non_public_address_is_refused_and_not_retried(
    pay, customer, phone_purpose, settings, host
):
    with Receiver() as receiver:
        url = f"http://{host}:{receiver.port}/hooks"
        delivery = _pending_delivery(pay, customer, phone_purpose, url, settings)
        settings.PARTNERS_WEBHOOK_ALLOW_PRIVATE = False
        assert webhooks.webhook_deliver(delivery_id=delivery.pk) is None  # no retry
        assert webhooks.webhook_deliver(delivery_id=delivery.pk) is None
    assert receiver.received == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    attempt = WebhookAttempt.objects.get()
    assert (attempt.number, attempt.status_code, attempt.succeeded) == (1, None, False)
    assert attempt.error.startswith("PartnerError: refused: ")
    assert "127.0.0.1" in attempt.error or "::1" in attempt.error


def test_with_private_addresses_allowed_the_same_delivery_arrives(
    pay, customer, phone_purpose, settings
):
    with Receiver() as receiver:
        url = f"http://localhost:{receiver.port}/hooks"
        delivery = _pending_delivery(pay, customer, phone_purpose, url, settings)
        assert webhooks.webhook_deliver(delivery_id=delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert receiver.received[0]["host"] == f"localhost:{receiver.port}"


def test_a_delivery_connects_to_the_address_it_checked_and_keeps_the_name(
    pay, customer, phone_purpose, settings, monkeypatch
):
    """The POST goes to the address the check resolved, not to a second lookup, and the Host
    header still names the endpoint: `pay.invalid` never resolves, so only a connection to
    the checked address can arrive. Loopback stands in for a public network here."""
    public = webhooks.address_is_public
    monkeypatch.setattr(webhooks, "address_is_public", lambda a: a.is_loopback or public(a))
    with Receiver() as receiver:
        listening = ipaddress.ip_address(receiver.server.server_address[0])
        real_resolve = webhooks.host_resolve
        monkeypatch.setattr(
            webhooks,
            "host_resolve",
            lambda host, port: [listening] if host == "pay.invalid" else real_resolve(host, port),
        )
        url = f"http://localhost:{receiver.port}/hooks"
        delivery = _pending_delivery(pay, customer, phone_purpose, url, settings)
        # (plain http is only registered for loopback; the row is changed behind its back)
        WebhookEndpoint.objects.update(url=f"http://pay.invalid:{receiver.port}/hooks")
        settings.PARTNERS_WEBHOOK_ALLOW_PRIVATE = False
        assert webhooks.webhook_deliver(delivery_id=delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert receiver.received[0]["host"] == f"pay.invalid:{receiver.port}"
