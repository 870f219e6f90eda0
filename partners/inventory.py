"""The partners app's rows of the data inventory (LW-1): the registry, provisions, exports
and the partner API.

Registered with `portal.inventory` from the app's `AppConfig.ready()`; the field classes are
described there (docs/architecture.md, "The data inventory").
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal import inventory
from portal.inventory import Entry, Kind

D, P, N = Kind.DIRECT, Kind.PERSONAL, Kind.NONE

ENTRIES: dict[str, Entry] = {
    # The registry describes companies, not people (a representative's name is published
    # corporate information): not personal.
    "partners.Country": Entry(
        None,
        None,
        dict.fromkeys(
            [
                "id",
                "code",
                "name_ja",
                "name_en",
                "protection_system_ja",
                "protection_system_en",
                "equivalent_protection",
                "consent_purpose",
            ],
            N,
        ),
    ),
    "partners.Partner": Entry(
        None,
        None,
        dict.fromkeys(
            [
                "id",
                "kind",
                "name_ja",
                "name_en",
                "address_ja",
                "address_en",
                "representative_ja",
                "representative_en",
                "country",
                "measures_ja",
                "measures_en",
                "equivalent_measures",
                "service",
                "listed",
                "is_active",
                "pseudonym_salt",
                "created_at",
            ],
            N,
        ),
    ),
    "partners.Arrangement": Entry(
        None,
        None,
        dict.fromkeys(
            [
                "id",
                "partner",
                "basis",
                "title_ja",
                "title_en",
                "data_items",
                "needs_consent",
                "trigger_ja",
                "trigger_en",
                "starts_on",
                "ends_on",
                "status",
                "activated_at",
                "contract_date",
                "instructions_ja",
                "instructions_en",
                "review_due_on",
                "last_reviewed_on",
                "joint_users_ja",
                "joint_users_en",
                "joint_purpose_ja",
                "joint_purpose_en",
                "administrator_name_ja",
                "administrator_name_en",
                "administrator_address_ja",
                "administrator_address_en",
                "administrator_representative_ja",
                "administrator_representative_en",
                "purposes",
            ],
            N,
        ),
    ),
    # A provision of the customer's data under an exception: about the customer; the
    # justification may describe them in words, so it is treated as a direct identifier.
    "partners.ExceptionRequest": Entry(
        "provisions",
        "customer",
        {
            "id": N,
            "customer": P,
            "partner": P,
            "purpose": P,
            "data_items": P,
            "basis": P,
            "justification": D,
            "requested_by": N,
            "requested_at": P,
        },
    ),
    "partners.Export": Entry(
        None,
        None,
        dict.fromkeys(
            [
                "id",
                "partner",
                "purpose",
                "requested_by",
                "status",
                "total",
                "processed",
                "rows",
                "last_customer_id",
                "file_bytes",
                "file_name",
                "error",
                "created_at",
                "started_at",
                "finished_at",
                "progress_at",
            ],
            N,
        ),
    ),
    # APPI Art. 29 records: disclosed to the customer (Art. 33(5)); kept with a pseudonym
    # (customer_reference) when an account is erased.
    "partners.ProvisionRecord": Entry(
        "provisions",
        "customer",
        {
            "id": N,
            "partner": P,
            "recipient_name": P,
            "recipient_country": P,
            "arrangement": P,
            "customer": P,
            "customer_reference": P,
            "purpose": P,
            "data_items": P,
            "basis": P,
            "decided_by": P,
            "consent_event": P,
            "overseas_consent_event": P,
            "exception": P,
            "export": P,
            "recorded_by": N,
            "provided_at": P,
        },
    ),
    # --- partners: the partner API ---
    "partners.PartnerSystem": Entry(
        None, None, dict.fromkeys(["id", "partner", "name", "is_active", "created_at"], N)
    ),
    "partners.ApiKey": Entry(
        None,
        None,
        dict.fromkeys(
            [
                "id",
                "system",
                "label",
                "prefix",
                "key_hash",
                "scopes",
                "created_at",
                "created_by",
                "expires_at",
                "revoked_at",
                "revoked_by",
                "last_used_at",
                "rate_limit_per_minute",
                "rate_window_start",
                "rate_window_count",
            ],
            N,
        ),
    ),
    # The pairwise id a partner knows the customer by: disclosed with provision records.
    "partners.PartnerSubject": Entry(
        "provisions",
        "customer",
        {
            "id": N,
            "partner": P,
            "customer": P,
            "subject_id": P,
            "trigger": P,
            "issued_at": P,
            "issued_by": N,
            "erased_at": P,
        },
    ),
    "partners.SubjectConfirmation": Entry(
        "provisions",
        "customer",
        {
            "id": N,
            "partner": P,
            "customer": P,
            "code_hash": N,
            "created_at": P,
            "expires_at": N,
            "used_at": P,
        },
    ),
    # The answer of a provide call, without the data values.
    "partners.ApiIdempotencyKey": Entry(
        None,
        None,
        {
            "id": N,
            "system": N,
            "key": N,
            "request_hash": N,
            "response": P,
            "record": P,
            "created_at": N,
        },
    ),
    # What a partner was told about a subject (pseudonymous subject id, purposes).
    "partners.PartnerEvent": Entry(
        "provisions",
        "subject__customer",
        {
            "id": N,
            "partner": P,
            "event_id": N,
            "type": P,
            "subject": P,
            "data": P,
            "source": N,
            "txid": N,
            "created_at": P,
        },
    ),
    "partners.WebhookEndpoint": Entry(
        None,
        None,
        dict.fromkeys(
            [
                "id",
                "system",
                "url",
                "secret",
                "previous_secret",
                "previous_secret_until",
                "is_active",
                "created_at",
            ],
            N,
        ),
    ),
    "partners.WebhookDelivery": Entry(
        None,
        None,
        dict.fromkeys(
            [
                "id",
                "endpoint",
                "event",
                "status",
                "attempts",
                "created_at",
                "retry_until",
                "delivered_at",
            ],
            N,
        ),
    ),
    "partners.WebhookAttempt": Entry(
        None,
        None,
        dict.fromkeys(
            [
                "id",
                "delivery",
                "number",
                "started_at",
                "status_code",
                "latency_ms",
                "succeeded",
                "error",
            ],
            N,
        ),
    ),
}


def register() -> None:
    inventory.category_register("provisions", _("Records of provision to third parties"), order=50)
    inventory.register(ENTRIES)
