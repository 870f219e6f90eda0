"""Writes of the register (APPI-26, LW-5): recording and changing an incident with its
history, the reportability assessment and its confirmation, scoping the people affected, and
closing. Reports are in `incidents.reports`, notices in `incidents.notices`, the deadline
reminders in `incidents.jobs`. Keyword-only, typed, each in one transaction."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents import selectors
from incidents.errors import IncidentError
from incidents.models import (
    PEOPLE_THRESHOLD,
    TRIGGERS,
    AffectedPerson,
    Assessment,
    Incident,
    IncidentEvent,
    IncidentSettings,
    IncidentStatus,
    deadline_for,
)
from partners.models import Partner
from portal.models import User
from portal.services import audit_record

# The register's fields staff write (the form's fields, `partners` aside).
REGISTER_FIELDS = (
    "title",
    "kind",
    "discovered_at",
    "aware_at",
    "summary",
    "systems",
    "at_processor",
    "data_items",
    "data_items_note",
    "cause",
    "deliberate",
    "containment",
    "secondary_harm",
    "response_to_people",
    "public_announcement",
    "recurrence_measures",
    "other_matters",
    "notice_summary_ja",
    "notice_summary_en",
    "notice_actions_ja",
    "notice_actions_en",
    "notice_advice_ja",
    "notice_advice_en",
    "notice_contact_ja",
    "notice_contact_en",
)


def _shown(value: Any) -> Any:
    """A value as the change history keeps it (JSON, readable)."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return value


def event_write(
    *, incident: Incident, event: str, actor: User | None, note: str = "", changes=None
) -> IncidentEvent:
    return IncidentEvent.objects.create(
        incident=incident, event=event, actor=actor, note=note, changes=dict(changes or {})
    )


def _unauthorised(incident: Incident) -> bool:
    """Was the cause an unauthorised purpose (APPI Rule 7(iii))? The register's "deliberate"
    or the newest assessment's trigger (3) says so; either gives the 60-day final deadline."""
    latest = incident.assessments.order_by("-assessed_at", "-id").first() if incident.pk else None
    return incident.deliberate or bool(latest and latest.unauthorised_purpose)


def deadlines_apply(*, incident: Incident, config: IncidentSettings | None = None) -> None:
    """Write the two due dates from the awareness time (APPI Rule 8): preliminary after
    `preliminary_days`; final after `final_days`, or `final_days_unauthorised` when the cause
    was an unauthorised purpose. Calendar days, as the Rule counts them."""
    config = config or IncidentSettings.current()
    incident.final_days = (
        config.final_days_unauthorised if _unauthorised(incident) else config.final_days
    )
    incident.preliminary_due_at = deadline_for(incident.aware_at, config.preliminary_days)
    incident.final_due_at = deadline_for(incident.aware_at, incident.final_days)


def _check_times(values: Mapping[str, Any]) -> None:
    discovered, aware = values.get("discovered_at"), values.get("aware_at")
    if discovered and aware and aware < discovered:
        raise IncidentError(
            _("The business cannot become aware before the incident was discovered.")
        )
    if aware and aware > timezone.now() + datetime.timedelta(minutes=5):
        raise IncidentError(_("The time of awareness cannot be in the future."))


@transaction.atomic
def incident_record(
    *, actor: User, values: Mapping[str, Any], partners: Iterable[Partner] = ()
) -> Incident:
    """Record an incident in the register (APPI-26) and start its two report deadlines."""
    unknown = set(values) - set(REGISTER_FIELDS)
    if unknown:
        raise IncidentError(f"Not a register field: {', '.join(sorted(unknown))}")
    _check_times(values)
    incident = Incident(recorded_by=actor, **values)
    deadlines_apply(incident=incident)
    incident.full_clean()
    incident.save()
    incident.partners.set(list(partners))
    event_write(incident=incident, event="recorded", actor=actor)
    audit_record(
        actor=actor,
        action="incidents.incident.recorded",
        target=incident,
        payload={"aware_at": incident.aware_at.isoformat()},
    )
    return incident


def _lock(incident_id: int) -> Incident:
    try:
        return Incident.objects.select_for_update().get(pk=incident_id)
    except Incident.DoesNotExist:
        raise IncidentError(_("There is no such incident.")) from None


@transaction.atomic
def incident_update(
    *,
    incident_id: int,
    actor: User,
    values: Mapping[str, Any],
    partners: Iterable[Partner] | None = None,
) -> dict[str, list]:
    """Change the register; returns {field: [old, new]} of what really changed, which is also
    kept in the timeline (who, when, what). Changing awareness or the cause moves the due
    dates, and the reminders follow the new dates."""
    unknown = set(values) - set(REGISTER_FIELDS)
    if unknown:
        raise IncidentError(f"Not a register field: {', '.join(sorted(unknown))}")
    incident = _lock(incident_id)
    if not incident.is_open:
        raise IncidentError(_("A closed incident cannot be changed."))
    _check_times({"discovered_at": incident.discovered_at, "aware_at": incident.aware_at, **values})
    diff: dict[str, list] = {}
    for name, value in values.items():
        old = getattr(incident, name)
        if old != value:
            diff[name] = [_shown(old), _shown(value)]
            setattr(incident, name, value)
    if partners is not None:
        old_partners = sorted(str(p) for p in incident.partners.all())
        new_partners = sorted(str(p) for p in partners)
        if old_partners != new_partners:
            diff["partners"] = [old_partners, new_partners]
            incident.partners.set(list(partners))
    if not diff:
        return diff
    before = (incident.preliminary_due_at, incident.final_due_at)
    deadlines_apply(incident=incident)
    if (incident.preliminary_due_at, incident.final_due_at) != before:
        diff["final_due_at"] = [_shown(before[1]), _shown(incident.final_due_at)]
        if before[0] != incident.preliminary_due_at:
            diff["preliminary_due_at"] = [_shown(before[0]), _shown(incident.preliminary_due_at)]
    incident.full_clean()
    incident.save()
    event_write(incident=incident, event="changed", actor=actor, changes=diff)
    audit_record(
        actor=actor,
        action="incidents.incident.changed",
        target=incident,
        payload={"fields": sorted(diff)},
    )
    return diff


@transaction.atomic
def incident_close(*, incident_id: int, actor: User, note: str) -> Incident:
    """Close an incident: the final report was submitted, or the confirmed assessment found
    it not reportable. The clock stops."""
    incident = _lock(incident_id)
    if not incident.is_open:
        raise IncidentError(_("The incident is already closed."))
    if not note.strip():
        raise IncidentError(_("Say why the incident is closed."))
    if incident.notices_in_flight:
        raise IncidentError(_("Wait until the notices are sent."))
    final_done = incident.reports.filter(kind="final", status="submitted").exists()
    not_reportable = incident.reportable is False and incident.reportable_confirmed_at
    if not (final_done or not_reportable):
        raise IncidentError(
            _(
                "Close an incident after its final report was submitted, or after a privacy "
                "administrator confirmed that it is not reportable."
            )
        )
    incident.status = IncidentStatus.CLOSED
    incident.closed_at = timezone.now()
    incident.save(update_fields=["status", "closed_at", "updated_at"])
    event_write(incident=incident, event="closed", actor=actor, note=note)
    audit_record(actor=actor, action="incidents.incident.closed", target=incident)
    return incident


# --- is it reportable? (APPI Art. 26(1), Rule 7) ---------------------------------------------


@transaction.atomic
def assessment_record(
    *,
    incident_id: int,
    actor: User,
    answers: Mapping[str, bool],
    reasons: Mapping[str, str],
    may_exceed_thousand: bool = False,
    note: str = "",
) -> Assessment:
    """Apply the four triggers of Rule 7 and record the answer with its reasons. Trigger (4)
    holds when more than 1,000 people are scoped, or when staff say there may be more (a
    possibility counts). Each trigger that holds needs its reason; an answer of "not
    reportable" needs a note that says why. A privacy administrator then confirms it."""
    incident = _lock(incident_id)
    if not incident.is_open:
        raise IncidentError(_("A closed incident cannot be assessed again."))
    fields: dict[str, Any] = {}
    for name in TRIGGERS[:3]:
        fields[name] = bool(answers.get(name))
        fields[f"{name}_reason"] = (reasons.get(name) or "").strip()
    over_reason = (reasons.get("over_thousand") or "").strip()
    counted = incident.affected_count
    if counted > PEOPLE_THRESHOLD:
        fields["over_thousand"] = True
        auto = _("%(count)s people were scoped from the portal's data (more than 1,000).") % {
            "count": f"{counted:,}"
        }
        over_reason = f"{auto} {over_reason}".strip()
    else:
        fields["over_thousand"] = bool(may_exceed_thousand)
    fields["over_thousand_reason"] = over_reason
    missing = [n for n in TRIGGERS if fields[n] and not fields[f"{n}_reason"]]
    if missing:
        labels = [str(Assessment._meta.get_field(n).verbose_name) for n in missing]
        raise IncidentError(
            _("Give the reason for each trigger that applies: %(triggers)s")
            % {"triggers": ", ".join(labels)}
        )
    reportable = any(fields[n] for n in TRIGGERS)
    if not reportable and not note.strip():
        raise IncidentError(_("Say why none of the four triggers applies."))
    assessment = Assessment.objects.create(
        incident=incident,
        reportable=reportable,
        people_counted=counted,
        note=note.strip(),
        assessed_by=actor,
        **fields,
    )
    incident.reportable = reportable
    incident.reportable_confirmed_at = None
    deadlines_apply(incident=incident)
    incident.save()
    event_write(
        incident=incident,
        event="assessed",
        actor=actor,
        changes={"reportable": reportable, **{n: fields[n] for n in TRIGGERS}},
    )
    audit_record(
        actor=actor,
        action="incidents.assessment.recorded",
        target=incident,
        payload={"reportable": reportable, "triggers": [n for n in TRIGGERS if fields[n]]},
    )
    return assessment


@transaction.atomic
def assessment_confirm(*, assessment_id: int, actor: User) -> Assessment:
    """A privacy administrator confirms the newest assessment (APPI-26, LW-5)."""
    if not actor.is_privacy_admin:
        raise IncidentError(_("Only a privacy administrator can confirm the assessment."))
    try:
        assessment = Assessment.objects.select_related("incident").get(pk=assessment_id)
    except Assessment.DoesNotExist:
        raise IncidentError(_("There is no such assessment.")) from None
    incident = _lock(assessment.incident_id)
    latest = incident.assessments.order_by("-assessed_at", "-id").first()
    if latest.pk != assessment.pk:
        raise IncidentError(_("A newer assessment was recorded; confirm that one."))
    if assessment.confirmed_at:
        raise IncidentError(_("This assessment is already confirmed."))
    assessment.confirmed_by = actor
    assessment.confirmed_at = timezone.now()
    assessment.save(update_fields=["confirmed_by", "confirmed_at"])
    incident.reportable_confirmed_at = assessment.confirmed_at
    incident.save(update_fields=["reportable_confirmed_at", "updated_at"])
    event_write(incident=incident, event="assessment_confirmed", actor=actor)
    audit_record(
        actor=actor,
        action="incidents.assessment.confirmed",
        target=incident,
        payload={"reportable": assessment.reportable},
    )
    return assessment


# --- who is affected ----------------------------------------------------------------------


def people_view_record(*, viewer: User, incident: Incident, customer_ids: list[int]) -> None:
    """A staff view of the people on an incident is a view of customer data (LW-5)."""
    if customer_ids:
        audit_record(
            actor=viewer,
            action="incidents.people.viewed",
            target=incident,
            payload={"customers": sorted(customer_ids)},
        )


@dataclass(frozen=True)
class ScopeRule:
    """One way of finding the people affected; `describe()` is kept in the timeline."""

    source: str
    partner: Partner | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    created_before: datetime.date | None = None
    references: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.source == "provision":
            return _("Provided to %(partner)s from %(start)s to %(end)s") % {
                "partner": self.partner,
                "start": self.date_from,
                "end": self.date_to,
            }
        if self.source == "accounts":
            return _("Accounts created before %(date)s") % {"date": self.created_before}
        return _("Uploaded list of %(count)s references") % {"count": len(self.references)}


@transaction.atomic
def scope_add(*, incident_id: int, actor: User, rule: ScopeRule, expected_new: int) -> int:
    """Add the people a rule finds to the incident (APPI-26). `expected_new` is the count the
    staff member was shown; if the data changed since, nothing is added and they are asked to
    look again, so that the count kept with the incident is the one they saw. Returns how many
    people were added."""
    incident = _lock(incident_id)
    if not incident.is_open:
        raise IncidentError(_("A closed incident cannot be scoped."))
    if incident.notices_sent_at or incident.notices_in_flight:
        raise IncidentError(
            _("The notices were sent; record a new incident for people found later.")
        )
    found = selectors.scope_find(incident=incident, rule=rule)
    if found.new_count != expected_new:
        raise IncidentError(
            _(
                "The count changed since you looked (%(now)s new people now, %(seen)s shown). "
                "Check the new count and confirm again."
            )
            % {"now": found.new_count, "seen": expected_new}
        )
    if not found.new_count:
        raise IncidentError(_("This finds nobody who is not already on the incident."))
    AffectedPerson.objects.bulk_create(
        [
            AffectedPerson(
                incident=incident,
                customer_id=person.customer_id,
                customer_reference=person.reference,
                source=rule.source,
                data_items=person.data_items,
            )
            for person in found.new
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )
    before = incident.affected_count
    counts = selectors.people_counts(incident=incident)
    incident.affected_count = counts.total
    incident.unreachable_count = counts.unreachable
    incident.save(update_fields=["affected_count", "unreachable_count", "updated_at"])
    added = incident.affected_count - before
    event_write(
        incident=incident,
        event="scoped",
        actor=actor,
        note=rule.describe(),
        changes={"affected_count": [before, incident.affected_count]},
    )
    audit_record(
        actor=actor,
        action="incidents.people.scoped",
        target=incident,
        payload={"source": rule.source, "added": added, "total": incident.affected_count},
    )
    return added
