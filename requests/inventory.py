"""The requests app's rows of the data inventory (LW-1): requests, their timeline, messages,
documents, fees, decisions, approvals and packages, and the job settings.

Registered with `portal.inventory` from the app's `AppConfig.ready()`; the field classes are
described there (docs/architecture.md, "The data inventory").
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal import inventory
from portal.inventory import Entry, Kind
from requests.models import ContactPoint

D, P, N = Kind.DIRECT, Kind.PERSONAL, Kind.NONE

ENTRIES: dict[str, Entry] = {
    "requests.DataRequest": Entry(
        "requests",
        "customer",
        {
            "id": N,
            "reference": P,
            "kind": P,
            "status": P,
            "outcome": P,
            "outcome_reason": P,
            "customer": P,
            "channel": P,
            "requester_name": D,
            "requester_email": D,
            "requester_email_verified_at": P,
            "requester_address": D,
            "requester_phone": D,
            "requester_language": P,
            "filed_by": N,
            "matched_customer": P,
            "matched_none": P,
            "matched_at": P,
            "on_behalf": P,
            "principal_name": D,
            "principal_relationship": P,
            "representation": P,
            "principal": P,
            "principal_no_account": P,
            "authority_confirmed_at": P,
            "details": P,
            "delivery_method": P,
            "received_at": P,
            "sla_days": N,
            "sla_day_mode": N,
            "due_at": P,
            "paused_seconds": N,
            "paused_since": N,
            "extension_days": N,
            "extension_reason": P,
            "identity_confirmed_at": P,
            "assignee": N,
            "fee_yen": P,
            "fee_status": P,
            "closed_at": P,
            "decision_drafted_by": N,
            "erased_at": P,
            "created_at": P,
            "updated_at": N,
        },
    ),
    # One-time codes proving an email address before filing without an account: about a
    # person not (yet) known to us, so in no disclosure category.
    "requests.EmailCode": Entry(
        None,
        None,
        {
            "id": N,
            "public_id": N,
            "email": D,
            "code_hash": N,
            "ip_address": P,
            "created_at": P,
            "expires_at": N,
            "attempts": N,
            "used_at": P,
        },
    ),
    # The public contact point (APPI Art. 32): the business's own published details.
    "requests.ContactPoint": Entry(
        None,
        None,
        dict.fromkeys(["id", "version", *ContactPoint.EDITABLE, "created_at", "created_by"], N),
    ),
    # A letter to post for a requester without an email address: its text and address are
    # about them.
    "requests.PostalNotice": Entry(
        "requests",
        "request__customer",
        {
            "id": N,
            "request": P,
            "event": P,
            "language": P,
            "addressee_name": D,
            "addressee_address": D,
            "subject": P,
            "body": D,
            "created_at": P,
            "sent_at": P,
            "sent_by": N,
        },
    ),
    "requests.TimelineEntry": Entry(
        "requests",
        "request__customer",
        {
            "id": N,
            "request": P,
            "event": P,
            "from_status": P,
            "to_status": P,
            "actor": N,
            "note": P,
            "created_at": P,
        },
    ),
    "requests.RequestMessage": Entry(
        "requests",
        "request__customer",
        {
            "id": N,
            "request": P,
            "author": P,
            "from_staff": P,
            "body": D,
            "created_at": P,
            "client_token": N,
        },
    ),
    # Identity documents and powers of attorney: the file itself is a direct identifier.
    "requests.RequestDocument": Entry(
        "requests",
        "request__customer",
        {
            "id": N,
            "public_id": N,
            "request": P,
            "purpose": P,
            "uploaded_by": P,
            "stored_name": D,
            "display_name": P,
            "content_type": N,
            "size": N,
            "sha256": P,
            "uploaded_at": P,
            "deleted_at": N,
        },
    ),
    "requests.FeePayment": Entry(
        "requests",
        "request__customer",
        {
            "id": N,
            "request": P,
            "kind": P,
            "method": P,
            "amount_yen": P,
            "paid_on": P,
            "recorded_by": N,
            "note": P,
            "created_at": P,
        },
    ),
    "requests.SLAConfig": Entry(
        None,
        None,
        {"id": N, "kind": N, "days": N, "day_mode": N, "updated_at": N},
    ),
    "requests.FeeSchedule": Entry(
        None,
        None,
        {"id": N, "kind": N, "delivery_method": N, "amount_yen": N, "updated_at": N},
    ),
    "requests.ReferenceCounter": Entry(None, None, {"year": N, "last": N}),
    # Disclosure decisions (LW-6.3): what was withheld from the customer and why.
    "requests.DecisionItem": Entry(
        "requests",
        "request__customer",
        {"id": N, "request": P, "category": P, "withheld": P, "grounds": P, "reason": P},
    ),
    # Approvals (the base's portal.Approval; the requests app classifies it because it
    # reaches the customer through the request it is about): staff notes about the
    # customer's request; the reason may describe them.
    "portal.Approval": Entry(
        "requests",
        "request__customer",
        {
            "id": N,
            "kind": P,
            "subject_type": N,
            "subject_id": P,
            "status": P,
            "asked_by": N,
            "asked_at": P,
            "reason": P,
            "days": P,
            "decided_by": N,
            "decided_at": P,
            "comment": P,
        },
    ),
    # The package itself (its files hold the customer's data); the row records when it was
    # made, downloaded or mailed.
    "requests.DisclosurePackage": Entry(
        "requests",
        "request__customer",
        {
            "id": N,
            "request": P,
            "status": N,
            "total": N,
            "done": N,
            "json_name": N,
            "html_name": N,
            "created_at": P,
            "built_at": P,
            "expires_at": P,
            "downloaded_at": P,
            "mailed_at": P,
            "error": N,
            "progress_at": N,
        },
    ),
    # When the request jobs remind, nudge, lapse and purge: configuration, not about a person.
    "requests.JobSettings": Entry(
        None,
        None,
        {
            "id": N,
            "reminder_days_before": N,
            "nudge_after_days": N,
            "lapse_after_days": N,
            "document_retention_days": N,
            "digest_hour": N,
            "updated_at": N,
        },
    ),
}


def register() -> None:
    inventory.category_register("requests", _("Your requests and messages"), order=40)
    inventory.register(ENTRIES)
