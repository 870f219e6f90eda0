"""Webhooks: every event of a partner's feed is pushed to its systems' endpoints,
signed per the Standard Webhooks specification (`standardwebhooks`: webhook-id = the event
id, webhook-timestamp, v1 HMAC signature), by Celery, retried with exponential back-off for
PARTNERS_WEBHOOK_RETRY_SECONDS, each attempt logged with its status and latency.
Outgoing HTTP uses httpx (it does not import the PyPI `requests` package). An endpoint whose
host resolves to a loopback, private, link-local or otherwise non-public address is refused at
registration and again at each delivery, unless PARTNERS_WEBHOOK_ALLOW_PRIVATE."""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import logging
import secrets
import socket
import time
from collections.abc import Sequence
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from standardwebhooks.webhooks import Webhook

from partners.api.models import (
    DeliveryStatus,
    PartnerEvent,
    PartnerSystem,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from partners.errors import PartnerError
from portal import tasking
from portal.models import User
from portal.services import audit_record

logger = logging.getLogger(__name__)

# After a rotation the old secret keeps signing (next to the new one) this long.
ROTATION_OVERLAP = datetime.timedelta(hours=24)


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def endpoint_url_check(url: str) -> str:
    """HTTPS only; plain HTTP to a loopback address only where allowed (tests, development)."""
    parts = urlsplit(url.strip())
    if parts.scheme == "https" and parts.hostname:
        return url.strip()
    if parts.scheme == "http" and settings.PARTNERS_WEBHOOK_ALLOW_LOOPBACK_HTTP:
        host = parts.hostname or ""
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if loopback:
            return url.strip()
    raise PartnerError(_("A webhook endpoint must be an https:// address."))


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 prefixes that carry an IPv4 address in their last 32 bits (NAT64, RFC 6052 / 8215).
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def address_is_public(address: IPAddress) -> bool:
    """A global unicast address: not loopback, private, link-local, shared (100.64/10),
    reserved, documentation, unspecified or multicast; an IPv6 address that embeds an IPv4
    one (mapped, 6to4, Teredo, NAT64) is judged by the embedded address too."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = [address.ipv4_mapped, address.sixtofour]
        if address.teredo:
            embedded.append(address.teredo[1])
        if any(address in net for net in _NAT64):
            embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if any(e is not None and not address_is_public(e) for e in embedded):
            return False
    return address.is_global and not address.is_multicast


def host_resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the host resolves to (a literal address is itself). Raises OSError
    (socket.gaierror) when the name does not resolve."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    found: list[IPAddress] = []
    for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = ipaddress.ip_address(info[4][0])
        if address not in found:
            found.append(address)
    return found


def endpoint_address_check(url: str, *, unresolved_ok: bool = False) -> IPAddress | None:
    """The address to connect to for `url`, after checking that every address its host
    resolves to is public (PartnerError otherwise). None when not checked: private
    addresses are allowed (PARTNERS_WEBHOOK_ALLOW_PRIVATE), or the name does not resolve and
    `unresolved_ok` (at registration; each delivery checks again). A name that does not
    resolve raises OSError otherwise, a network error like any other."""
    if settings.PARTNERS_WEBHOOK_ALLOW_PRIVATE:
        return None
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = host_resolve(host, port)
    except (OSError, UnicodeError, ValueError):
        if unresolved_ok:
            return None
        raise OSError(f"cannot resolve {host!r}") from None
    for address in addresses:
        if address_is_public(address):
            continue
        if host.lower() in {str(address), address.exploded}:
            message = _(
                "%(address)s is not a public internet address (loopback, private,"
                " link-local or reserved). Webhooks go only to public addresses."
            )
        else:
            message = _(
                "%(host)s resolves to %(address)s, which is not a public internet address"
                " (loopback, private, link-local or reserved). Webhooks go only to"
                " public addresses."
            )
        raise PartnerError(message % {"host": host, "address": address})
    return addresses[0] if addresses else None


def endpoint_check(url: str) -> str:
    """What registration checks: the scheme (endpoint_url_check) and that the host does not
    resolve to a non-public address (endpoint_address_check). Returns the URL."""
    url = endpoint_url_check(url)
    endpoint_address_check(url, unresolved_ok=True)
    return url


@transaction.atomic
def endpoint_register(
    *, system: PartnerSystem, url: str, actor: User | None
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it and its signing secret (shown to the partner once)."""
    endpoint = WebhookEndpoint.objects.create(
        system=system, url=endpoint_check(url), secret=new_secret()
    )
    audit_record(
        actor=actor,
        action="partners.webhook_endpoint.registered",
        target=endpoint,
        payload={"system": system.pk},
    )
    return endpoint, endpoint.secret


@transaction.atomic
def endpoint_secret_rotate(*, endpoint: WebhookEndpoint, actor: User | None) -> str:
    """A new signing secret; the old one signs too for ROTATION_OVERLAP. Returns the new one."""
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    locked.previous_secret = locked.secret
    locked.previous_secret_until = timezone.now() + ROTATION_OVERLAP
    locked.secret = new_secret()
    locked.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    audit_record(actor=actor, action="partners.webhook_secret.rotated", target=locked)
    endpoint.secret = locked.secret
    return locked.secret


def _secrets_for(endpoint: WebhookEndpoint, now: datetime.datetime) -> list[str]:
    found = [endpoint.secret]
    if endpoint.previous_secret and (
        endpoint.previous_secret_until and endpoint.previous_secret_until > now
    ):
        found.append(endpoint.previous_secret)
    return found


def event_body(event: PartnerEvent) -> str:
    """The JSON pushed for an event, the same object the feed lists."""
    payload = {
        "id": event.event_id,
        "type": event.type,
        "created_at": event.created_at.isoformat(),
        "data": event.data,
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def sign_headers(*, endpoint: WebhookEndpoint, event: PartnerEvent, body: str) -> dict[str, str]:
    now = timezone.now()
    signatures = [
        Webhook(secret).sign(msg_id=event.event_id, timestamp=now, data=body)
        for secret in _secrets_for(endpoint, now)
    ]
    return {
        "webhook-id": event.event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": " ".join(signatures),
        "content-type": "application/json",
        "user-agent": "privacy-portal-webhooks/1",
    }


# --- deliveries ----------------------------------------------------------------------------


def _queue(delivery_ids: Sequence[int]) -> None:
    """Hand deliveries to a worker when the transaction commits; a dead broker leaves them
    pending for the sweep (webhook_deliveries_sweep) instead of failing the change."""
    ids = list(delivery_ids)
    if not ids:
        return

    tasking.enqueue_many_on_commit(
        "partners.api.tasks.webhook_deliver_task", ids, what=f"{len(ids)} webhook deliveries"
    )


def deliveries_create(*, events: Sequence[PartnerEvent]) -> list[WebhookDelivery]:
    """A delivery per event and active endpoint of the partner's active systems."""
    if not events:
        return []
    partner_ids = {e.partner_id for e in events}
    endpoints: dict[int, list[WebhookEndpoint]] = {}
    for endpoint in WebhookEndpoint.objects.filter(
        is_active=True, system__is_active=True, system__partner_id__in=partner_ids
    ).select_related("system"):
        endpoints.setdefault(endpoint.system.partner_id, []).append(endpoint)
    until = timezone.now() + datetime.timedelta(seconds=settings.PARTNERS_WEBHOOK_RETRY_SECONDS)
    rows = [
        WebhookDelivery(endpoint=endpoint, event=event, retry_until=until)
        for event in events
        for endpoint in endpoints.get(event.partner_id, [])
    ]
    created = WebhookDelivery.objects.bulk_create(rows)
    _queue([d.pk for d in created])
    return created


def backoff_seconds(attempt: int) -> float:
    """Exponential: base, 2 x base, 4 x base ... capped."""
    base = settings.PARTNERS_WEBHOOK_BACKOFF_SECONDS
    return min(base * (2 ** max(0, attempt - 1)), settings.PARTNERS_WEBHOOK_BACKOFF_MAX_SECONDS)


def webhook_deliver(*, delivery_id: int) -> float | None:
    """Make one attempt of a delivery. Returns the seconds to wait before the next attempt,
    or None when there is nothing more to do (delivered, failed for good, or not pending).

    The attempt is counted under a row lock (skipped when another worker holds it); the HTTP
    call runs outside any transaction. A receiver may see an event twice (a worker dying
    after the POST): it deduplicates by the webhook-id, which is the event id."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint", "event")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .first()
        )
        if delivery is None:
            return None
        delivery.attempts += 1
        delivery.save(update_fields=["attempts"])
    endpoint, event = delivery.endpoint, delivery.event
    body = event_body(event)
    started = timezone.now()
    clock = time.monotonic()
    status_code, error, refused = None, "", False
    try:
        if not endpoint.is_active:
            raise PartnerError("endpoint deactivated")
        try:
            address = endpoint_address_check(endpoint.url)
        except PartnerError as exc:
            refused = True
            raise PartnerError(f"refused: {exc}") from None
        headers = sign_headers(endpoint=endpoint, event=event, body=body)
        url, extensions = httpx.URL(endpoint.url), {}
        if address is not None:
            # Connect to the address just checked, not to whatever a second lookup gives
            # (DNS rebinding); the Host header and TLS (SNI, certificate) keep the name.
            headers["host"] = url.netloc.decode("ascii")
            if url.scheme == "https" and url.host != str(address):
                extensions["sni_hostname"] = url.raw_host.decode("ascii")
            url = url.copy_with(host=str(address))
        with httpx.Client(
            timeout=settings.PARTNERS_WEBHOOK_TIMEOUT_SECONDS, follow_redirects=False
        ) as client:
            response = client.post(
                url, content=body.encode(), headers=headers, extensions=extensions
            )
        status_code = response.status_code
    except (httpx.HTTPError, PartnerError, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    latency_ms = int((time.monotonic() - clock) * 1000)
    succeeded = status_code is not None and 200 <= status_code < 300
    now = timezone.now()
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        started_at=started,
        status_code=status_code,
        latency_ms=latency_ms,
        succeeded=succeeded,
        error=error or ("" if succeeded else f"HTTP {status_code}"),
    )
    if succeeded:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.SUCCEEDED, delivered_at=now
        )
        return None
    wait = backoff_seconds(delivery.attempts)
    if refused:
        # Another attempt would be refused the same way: failed now, replayable once the
        # endpoint is corrected.
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED)
        logger.error("webhook delivery %s refused: %s", delivery.pk, error)
        return None
    if not endpoint.is_active or now + datetime.timedelta(seconds=wait) > delivery.retry_until:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED)
        logger.error("webhook delivery %s failed for good", delivery.pk)
        return None
    return wait


@transaction.atomic
def webhook_delivery_replay(*, delivery: WebhookDelivery, actor: User | None) -> WebhookDelivery:
    """Send a failed delivery again (from the admin), with a fresh retry period. The event id
    stays the same, so a receiver that got it after all ignores it."""
    locked = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    if locked.status != DeliveryStatus.FAILED:
        raise PartnerError(_("Only a failed delivery can be sent again."))
    locked.status = DeliveryStatus.PENDING
    locked.retry_until = timezone.now() + datetime.timedelta(
        seconds=settings.PARTNERS_WEBHOOK_RETRY_SECONDS
    )
    locked.save(update_fields=["status", "retry_until"])
    audit_record(
        actor=actor,
        action="partners.webhook_delivery.replayed",
        target=locked,
        payload={"event": locked.event.event_id},
    )
    _queue([locked.pk])
    return locked


def webhook_deliveries_sweep(*, stale_minutes: int = 10) -> int:
    """Hand pending deliveries nobody attempted recently to a worker again (a dead broker
    or a lost task). Returns how many were queued."""
    stale = timezone.now() - datetime.timedelta(minutes=stale_minutes)
    ids = list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, created_at__lt=stale)
        .exclude(attempt_log__started_at__gte=stale)
        .values_list("pk", flat=True)[:1000]
    )
    deliver = tasking.task_named("partners.api.tasks.webhook_deliver_task")
    for delivery_id in ids:
        deliver.delay(delivery_id)
    return len(ids)
