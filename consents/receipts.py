"""Consent receipts (ISO/IEC 29184 notice items in the Kantara Consent Receipt v1.1 layout).

One receipt per change: the events a single choice wrote share a `change_id`, which is the
receipt id. The JSON schema the receipts are tested against is tests/consents/receipt.schema.json.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.urls import reverse

from consents.models import ConsentEvent, ConsentSource

RECEIPT_VERSION = "KI-CR-v1.1.0"
JURISDICTION = "JP"  # Act on the Protection of Personal Information

# Who decides about the data: the operator of the service (the controller, LW-5).
CONTROLLER = {
    "piiController": "Example Works Co., Ltd.",
    "onBehalf": False,
    "contact": "Privacy Office",
    "address": "1-1-1 Example, Shibuya-ku, Tokyo 150-0002, Japan",
    "email": "privacy@example.jp",
    "phone": "+81-3-0000-0000",
    "piiControllerUrl": "https://example.jp/",
}

COLLECTION_METHODS = {
    ConsentSource.WEB: "web form: consent page",
    ConsentSource.BANNER: "web form: cookie banner",
    ConsentSource.GPC: "browser signal: Global Privacy Control (Sec-GPC: 1)",
    ConsentSource.REQUEST: "data subject request",
    ConsentSource.STAFF: "recorded by privacy staff",
}


def _purpose_entry(event: ConsentEvent) -> dict:
    purpose = event.purpose
    recipients = purpose.recipients_en or purpose.recipients_ja
    entry = {
        "purpose": purpose.name_en or purpose.name_ja,
        "purposeCode": purpose.code,
        "purposeCategory": [purpose.get_category_display()],
        "consentType": "EXPLICIT" if not purpose.necessary else "NOT_REQUIRED",
        "consentState": "granted" if event.granted else "withdrawn",
        "piiCategory": [c.strip() for c in (purpose.data_items_en or "").split(",") if c.strip()]
        or ["account data"],
        "primaryPurpose": purpose.necessary,
        "termination": "until withdrawn on the consent page or the account is deleted",
        "thirdPartyDisclosure": bool(recipients),
        "thirdPartyName": recipients,
        "countries": purpose.country_list or ["JP"],
    }
    return entry


def receipt_build(*, events: Sequence[ConsentEvent]) -> dict:
    """The receipt of one change: `events` all share `change_id` and the customer."""
    if not events:
        raise ValueError("a receipt needs at least one event")
    first = events[0]
    by_service: dict[str, list[dict]] = {}
    for event in events:
        name = event.service.name_en if event.service else "Example Works (all services)"
        by_service.setdefault(name, []).append(_purpose_entry(event))
    version = first.policy_version
    return {
        "version": RECEIPT_VERSION,
        "jurisdiction": JURISDICTION,
        "consentTimestamp": int(first.created_at.timestamp()),
        "consentTime": first.created_at.isoformat(),
        "collectionMethod": COLLECTION_METHODS.get(first.source, first.source),
        "consentReceiptID": str(first.change_id),
        "language": first.customer.preferred_language,
        "piiPrincipalId": first.customer.email,
        "piiControllers": [CONTROLLER],
        "policyUrl": settings.SITE_URL
        + (
            reverse("consents:policy_version", kwargs={"version": version.version})
            if version
            else reverse("consents:policy")
        ),
        "policyVersion": version.version if version else None,
        "services": [
            {"service": name, "purposes": purposes} for name, purposes in by_service.items()
        ],
        "sensitive": False,
        "spiCat": [],
    }
