"""The incidents app's rows of the data inventory (LW-1, APPI-26): the register, the
assessments, the people affected and the reports.

Registered with `portal.inventory` from the app's `AppConfig.ready()`; the field classes are
described there (docs/architecture.md, "The data inventory").
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal import inventory
from portal.inventory import Entry, Kind

D, P, N = Kind.DIRECT, Kind.PERSONAL, Kind.NONE

ENTRIES: dict[str, Entry] = {
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


def register() -> None:
    inventory.category_register(
        "incidents", _("Incidents that concerned you (leaks, losses, damage)"), order=60
    )
    inventory.register(ENTRIES)
