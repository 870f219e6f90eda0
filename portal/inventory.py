"""The data inventory (LW-1): every field of every model that holds data about a person.

Each field is a direct identifier (it names or reaches the person by itself: name, email,
phone, address, detailed location, message text), other personal data (about the person,
identifying only in combination), or not personal. The disclosure package, erasure and
de-identified exports are driven by this table, and `tests/portal/test_inventory.py` fails
when a model of our apps gains a field that is not classified here.

Models are named by label so that this module, in the lowest app, imports nothing above it.
Each entry also says which disclosure category the model belongs to and how to reach the
person it is about (`subject`: a field path to the user, or "" for the user model itself).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(StrEnum):
    DIRECT = "direct"  # direct identifier
    PERSONAL = "personal"  # other personal data
    NONE = "none"  # not personal


D, P, N = Kind.DIRECT, Kind.PERSONAL, Kind.NONE

# Disclosure categories a customer can choose from (issue: disclosure requests).
CATEGORIES = {
    "profile": _("Profile (name, contact details, address)"),
    "access_log": _("Access log (sign-ins, IP addresses, devices)"),
    "consents": _("Consents and their history"),
    "requests": _("Your requests and messages"),
    "provisions": _("Records of provision to third parties"),
    "incidents": _("Incidents that concerned you (leaks, losses, damage)"),
}


@dataclass(frozen=True)
class Entry:
    category: str | None  # disclosure category; None for records not about one person
    subject: str | None  # path to the user ("" = the user itself; None = no one person)
    fields: dict[str, Kind] = field(default_factory=dict)


INVENTORY: dict[str, Entry] = {
    # --- portal ---
    "portal.User": Entry(
        "profile",
        "",
        {
            "id": N,
            "password": P,
            "last_login": P,
            "is_superuser": N,
            "groups": N,
            "user_permissions": N,
            "email": D,
            "full_name": D,
            "phone": D,
            "postal_code": D,
            "prefecture": P,
            "address": D,
            "birth_year": P,
            "preferred_language": P,
            "is_staff": N,
            "is_active": N,
            "date_joined": P,
            "email_confirmed_at": P,
        },
    ),
    "portal.AccessLogEntry": Entry(
        "access_log",
        "user",
        {
            "id": N,
            "user": P,
            "action": P,
            "ip_address": P,
            "user_agent": P,
            "created_at": P,
        },
    ),
    # Staff actions: about the staff member acting (actor) and, through the target, maybe a
    # customer; kept as the LW-5 security record and not part of a customer's package.
    "portal.AuditEvent": Entry(
        None,
        None,
        {
            "id": N,
            "actor": P,
            "action": N,
            "target_type": N,
            "target_id": P,
            "payload": P,
            "ip_address": P,
            "created_at": N,
        },
    ),
    "portal.OutboundMail": Entry(
        None,
        None,
        {
            "id": N,
            "to": D,
            "subject": P,
            "body": D,
            "language": P,
            "status": N,
            "attempts": N,
            "last_error": N,
            "created_at": N,
            "claimed_at": N,
            "sent_at": N,
            "scrub_after_send": N,
        },
    ),
    # Scheduled jobs (issue 6): which reminder went out for which subject, and to whom.
    "portal.ReminderClaim": Entry(
        None,
        None,
        {
            "id": N,
            "subject_type": N,
            "subject_id": P,
            "reminder": N,
            "due_at": N,
            "recipient": P,
            "claimed_at": N,
        },
    ),
    "portal.JobSettings": Entry(
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
    # --- consents ---
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
    # --- partners ---
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
    # --- partners: the partner API (issue 14) ---
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
    # --- requests ---
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
    # Approvals: staff notes about the customer's request; the reason may describe them.
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
    # --- incidents (APPI-26) ---
    # The register: what happened, written by staff; it names no one person (the people
    # affected are AffectedPerson rows), so it is not part of anyone's package.
    "incidents.Incident": Entry(
        None,
        None,
        {
            "id": N,
            "title": N,
            "kind": N,
            "status": N,
            "discovered_at": N,
            "aware_at": N,
            "summary": N,
            "systems": N,
            "partners": N,
            "at_processor": N,
            "data_items": N,
            "data_items_note": N,
            "cause": N,
            "deliberate": N,
            "containment": N,
            "secondary_harm": N,
            "response_to_people": N,
            "public_announcement": N,
            "recurrence_measures": N,
            "other_matters": N,
            "notice_summary_ja": N,
            "notice_summary_en": N,
            "notice_actions_ja": N,
            "notice_actions_en": N,
            "notice_advice_ja": N,
            "notice_advice_en": N,
            "notice_contact_ja": N,
            "notice_contact_en": N,
            "preliminary_due_at": N,
            "final_due_at": N,
            "final_days": N,
            "reportable": N,
            "reportable_confirmed_at": N,
            "affected_count": N,
            "unreachable_count": N,
            "notices_sent_at": N,
            "notices_status": N,
            "notices_total": N,
            "notices_done": N,
            "notices_requested_at": N,
            "notices_requested_by": N,
            "notices_progress_at": N,
            "announcement_published_at": N,
            "recorded_by": N,
            "created_at": N,
            "updated_at": N,
            "closed_at": N,
        },
    ),
    # Staff's notes may quote what a change was (a field's old and new text).
    "incidents.IncidentEvent": Entry(
        None,
        None,
        {
            "id": N,
            "incident": N,
            "event": N,
            "actor": N,
            "changes": P,
            "note": P,
            "created_at": N,
        },
    ),
    "incidents.Assessment": Entry(
        None,
        None,
        {
            "id": N,
            "incident": N,
            "special_care": N,
            "special_care_reason": N,
            "financial_loss": N,
            "financial_loss_reason": N,
            "unauthorised_purpose": N,
            "unauthorised_purpose_reason": N,
            "over_thousand": N,
            "over_thousand_reason": N,
            "people_counted": N,
            "reportable": N,
            "note": N,
            "assessed_by": N,
            "assessed_at": N,
            "confirmed_by": N,
            "confirmed_at": N,
        },
    ),
    # That a person was affected and told: about them, so disclosed on request; kept as the
    # Art. 26 record with the pseudonym when an account is erased.
    "incidents.AffectedPerson": Entry(
        "incidents",
        "customer",
        {
            "id": N,
            "incident": P,
            "customer": P,
            "customer_reference": P,
            "source": P,
            "data_items": P,
            "added_at": P,
            "notified_at": P,
            "notice_language": P,
        },
    ),
    # The reports hold counts and the register's text, no person's data.
    "incidents.Report": Entry(
        None,
        None,
        {
            "id": N,
            "incident": N,
            "kind": N,
            "status": N,
            "content": N,
            "drafted_by": N,
            "drafted_at": N,
            "approved_by": N,
            "approved_at": N,
            "pdf": N,
            "submitted_on": N,
            "submitted_recorded_by": N,
        },
    ),
    "incidents.IncidentSettings": Entry(
        None,
        None,
        {
            "id": N,
            "preliminary_days": N,
            "final_days": N,
            "final_days_unauthorised": N,
            "reminder_days_before": N,
            "updated_at": N,
        },
    ),
}

OUR_APPS = ("portal", "consents", "partners", "requests", "incidents")


def own_fields(model: type[models.Model]) -> list[str]:
    """The fields a model stores itself: concrete columns and its own many-to-many."""
    names = []
    for f in model._meta.get_fields():
        if f.auto_created and not f.concrete:
            continue  # reverse relations belong to the other model
        if f.concrete or f.many_to_many:
            names.append(f.name)
    return names


def entry_for(model: type[models.Model]) -> Entry | None:
    return INVENTORY.get(model._meta.label)


def fields_of_kind(model: type[models.Model], *kinds: Kind) -> list[str]:
    entry = entry_for(model)
    if entry is None:
        return []
    return [name for name, kind in entry.fields.items() if kind in kinds]


def direct_identifiers(model: type[models.Model]) -> list[str]:
    return fields_of_kind(model, Kind.DIRECT)


def personal_fields(model: type[models.Model]) -> list[str]:
    """Direct identifiers and other personal data."""
    return fields_of_kind(model, Kind.DIRECT, Kind.PERSONAL)


def unclassified() -> list[str]:
    """`app.Model.field` for every field of our apps that the inventory does not classify,
    and every classified name that is no longer a field."""
    problems: list[str] = []
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        entry = entry_for(model)
        names = set(own_fields(model))
        known = set(entry.fields) if entry else set()
        problems += [f"{model._meta.label}.{n}" for n in sorted(names - known)]
        problems += [f"{model._meta.label}.{n} (gone)" for n in sorted(known - names)]
    return problems


def models_about_people() -> list[tuple[type[models.Model], Entry]]:
    """Every model with a path to the person it is about, for packages and erasure."""
    found = []
    for label, entry in INVENTORY.items():
        if entry.subject is not None:
            found.append((apps.get_model(label), entry))
    return found
