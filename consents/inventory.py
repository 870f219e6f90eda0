"""The consents app's rows of the data inventory (LW-1): the purposes and policies it
describes, the consent ledger and current state, and the restrictions a request records.

Registered with `portal.inventory` from the app's `AppConfig.ready()`; the field classes are
described there (docs/architecture.md, "The data inventory").
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal import inventory
from portal.inventory import Entry, Kind

D, P, N = Kind.DIRECT, Kind.PERSONAL, Kind.NONE

ENTRIES: dict[str, Entry] = {
    "consents.Purpose": Entry(
        None,
        None,
        {
            "id": N,
            "code": N,
            "name_ja": N,
            "name_en": N,
            "description_ja": N,
            "description_en": N,
            "category": N,
            "necessary": N,
            "default_granted": N,
            "position": N,
            "is_active": N,
            "data_items_ja": N,
            "data_items_en": N,
            "recipients_ja": N,
            "recipients_en": N,
            "countries": N,
        },
    ),
    "consents.PolicyVersion": Entry(
        None,
        None,
        {
            "id": N,
            "version": N,
            "effective_date": N,
            "text_ja": N,
            "text_en": N,
            "revision_notes_ja": N,
            "revision_notes_en": N,
            "is_published": N,
            "published_at": N,
            "announce": N,
            "widened_purposes": N,
        },
    ),
    "consents.Service": Entry(
        None,
        None,
        {
            "id": N,
            "code": N,
            "name_ja": N,
            "name_en": N,
            "kind": N,
            "receives_ja": N,
            "receives_en": N,
            "purposes": N,
            "is_active": N,
        },
    ),
    # The ledger: what the customer chose, when, from where (part of a disclosure).
    "consents.ConsentEvent": Entry(
        "consents",
        "customer",
        {
            "id": N,
            "customer": P,
            "purpose": P,
            "service": P,
            "granted": P,
            "policy_version": P,
            "source": P,
            "change_id": P,
            "created_at": P,
            "ip_address": P,
            "user_agent": P,
            "actor": P,
        },
    ),
    "consents.ConsentState": Entry(
        "consents",
        "customer",
        {
            "id": N,
            "customer": P,
            "purpose": P,
            "service": P,
            "granted": P,
            "event": P,
            "policy_version": P,
            "decided_at": P,
        },
    ),
    "consents.PolicyAnnouncementDismissal": Entry(
        "consents",
        "customer",
        {"id": N, "customer": P, "policy_version": P, "dismissed_at": P},
    ),
    # Suspension and third-party stop (LW-6.1); reference names the data request.
    "consents.Restriction": Entry(
        "consents",
        "customer",
        {
            "id": N,
            "customer": P,
            "kind": P,
            "purposes": P,
            "reference": P,
            "created_at": P,
            "created_by": P,
            "lifted_at": P,
            "lifted_by": P,
        },
    ),
}


def register() -> None:
    inventory.category_register("consents", _("Consents and their history"), order=30)
    inventory.register(ENTRIES)
