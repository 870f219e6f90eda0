"""Erasure of a customer's account (LW-6.1, LW-1): the base erases what it holds and each
feature app erases or anonymises its own rows through the eraser it registered.

An eraser is `eraser(*, customer) -> None`, registered once from the app's
`AppConfig.ready()` with `eraser_register`. It runs inside the erasure's transaction after the
base has closed the account (inactive, pseudonymous address), so the database functions that
refuse to touch a ledger for an account that is not erased (portal/dbroles.py) let it through.
An eraser writes only its own app's tables: the app that orchestrates a deletion request asks
the base to run them all, it does not write them itself (docs/architecture.md, "Erasure").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from portal.models import AccessLogEntry, OutboundMail, User

Eraser = Callable[..., None]


@dataclass(frozen=True)
class _Registered:
    name: str
    eraser: Eraser
    order: int


_erasers: list[_Registered] = []


def eraser_register(name: str, eraser: Eraser, *, order: int) -> None:
    """Add an app's eraser; erasers run by `order` (registering a name twice replaces it)."""
    _erasers[:] = [e for e in _erasers if e.name != name]
    _erasers.append(_Registered(name, eraser, order))
    _erasers.sort(key=lambda e: e.order)


def erasers() -> list[str]:
    """The registered erasers' names, in the order they run."""
    return [e.name for e in _erasers]


def account_erase(*, customer: User, address: str) -> list[int]:
    """Close the account for good under the pseudonymous `address`, erase the base's own
    personal data, run every registered eraser, and scrub mail copies. Returns the ids of mails
    still waiting to be sent to the old address (the closing notice), which are scrubbed once
    sent. The caller holds the transaction and writes the audit event."""
    from portal.mfa import second_factor_devices_delete
    from portal.services import audit_addresses_erase

    old_email = customer.email
    customer.email = address
    customer.full_name = ""
    customer.phone = ""
    customer.postal_code = ""
    customer.prefecture = ""
    customer.address = ""
    customer.birth_year = None
    customer.last_login = None
    customer.is_active = False
    customer.set_unusable_password()
    customer.save()
    customer.groups.clear()
    customer.user_permissions.clear()
    AccessLogEntry.objects.filter(user=customer).delete()
    second_factor_devices_delete(user=customer)  # app secrets, recovery codes, passkeys
    # The ledgers' narrow writes, through the database's own functions (portal/dbroles.py).
    audit_addresses_erase(customer=customer)
    for registered in _erasers:
        registered.eraser(customer=customer)
    # Mails already sent to the old address: their copies go; pending ones wait until sent.
    OutboundMail.objects.filter(to=old_email).exclude(
        status__in=[OutboundMail.Status.PENDING, OutboundMail.Status.SENDING]
    ).update(to=address, subject="", body="")
    pending = list(
        OutboundMail.objects.filter(
            to=old_email,
            status__in=[OutboundMail.Status.PENDING, OutboundMail.Status.SENDING],
        ).values_list("pk", flat=True)
    )
    # Marked in this transaction, so the stale-work sweep scrubs them even if the scrub task
    # is never queued (a dead broker at commit).
    OutboundMail.objects.filter(pk__in=pending).update(scrub_after_send=True)
    # Signed out everywhere: every session carries a hash of the password, which the unusable
    # password above no longer matches, so Django ends them on their next request.
    return pending


def profile_items_erase(*, customer: User, fields: dict, access_log: bool) -> None:
    """Erase chosen items of the base's data about a customer who keeps the account: the
    profile `fields` (name -> blank value) and, when asked, the access log."""
    if fields:
        User.objects.filter(pk=customer.pk).update(**fields)
    if access_log:
        AccessLogEntry.objects.filter(user=customer).delete()


def erased_mail_scrub(*, mail_ids: list[int]) -> int:
    """Scrub the address and text of mails to an erased account once they were sent (or
    failed for good). Returns how many are still waiting to be sent."""
    waiting = 0
    for mail in OutboundMail.objects.filter(pk__in=mail_ids):
        if mail.status in (OutboundMail.Status.PENDING, OutboundMail.Status.SENDING):
            waiting += 1
            continue
        if mail.to.endswith("@erased.invalid"):
            if mail.scrub_after_send:
                OutboundMail.objects.filter(pk=mail.pk).update(scrub_after_send=False)
            continue
        OutboundMail.objects.filter(pk=mail.pk).update(
            to="erased@erased.invalid", subject="", body="", scrub_after_send=False
        )
    return waiting
