"""The report deadlines' reminders (APPI Rule 8; docs/architecture.md).

Before each report's due date every privacy staff member is reminded (at the configured days
before; only the nearest offset reached fires); once it has passed, the privacy
administrators and staff get one escalation. Each mail is claimed first through
`portal.ReminderClaim` (key: incident, reminder, the due date it was computed for) in the
transaction that writes the mail, so a second sweep, two beats or a retried task send nothing
twice, and a moved due date gets reminders of its own. A submitted report, a closed incident
and an incident confirmed as not reportable get none.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from incidents.models import (
    REPORT_NOUNS,
    Incident,
    IncidentSettings,
    IncidentStatus,
    Report,
    ReportKind,
)
from portal import selectors as portal_selectors
from portal.services import ClaimKey, MailSpec, mail_queue_many, reminder_claim_many

SUBJECT = "incidents.incident"


def reminder_name(kind: str, days: int) -> str:
    return f"{kind}_due_{days}d"


def overdue_name(kind: str) -> str:
    return f"{kind}_overdue"


@dataclass
class SweepResult:
    reminders: int = 0
    escalations: int = 0
    mails: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def incident_deadline_sweep(*, now: datetime | None = None) -> SweepResult:
    """Remind before, escalate after, exactly once per (incident, report, due date).
    A fixed number of queries however many incidents are open."""
    now = now or timezone.now()
    config = IncidentSettings.current()
    offsets = config.reminder_offsets
    horizon = now + timedelta(days=offsets[0])
    result = SweepResult()
    with transaction.atomic():
        staff = list(portal_selectors.privacy_staff())
        admin_ids = set(portal_selectors.privacy_administrators().values_list("pk", flat=True))
        candidates = list(
            Incident.objects.filter(status=IncidentStatus.OPEN)
            .filter(Q(preliminary_due_at__lte=horizon) | Q(final_due_at__lte=horizon))
            .exclude(reportable=False, reportable_confirmed_at__isnull=False)
            .prefetch_related(
                Prefetch("reports", queryset=Report.objects.only("incident_id", "kind", "status"))
            )
            .order_by("id")
        )
        wanted: dict[ClaimKey, tuple[Incident, str, int | None]] = {}
        for incident in candidates:
            submitted = {r.kind for r in incident.reports.all() if r.status == "submitted"}
            for kind, due in (
                (ReportKind.PRELIMINARY, incident.preliminary_due_at),
                (ReportKind.FINAL, incident.final_due_at),
            ):
                if kind in submitted or due > horizon:
                    continue
                if due <= now:
                    wanted[ClaimKey(SUBJECT, incident.pk, overdue_name(kind), due)] = (
                        incident,
                        kind,
                        None,
                    )
                    continue
                reached = [d for d in offsets if due - now <= timedelta(days=d)]
                if reached:
                    days = min(reached)
                    wanted[ClaimKey(SUBJECT, incident.pk, reminder_name(kind, days), due)] = (
                        incident,
                        kind,
                        days,
                    )
        claimed = reminder_claim_many(keys=list(wanted), now=now)
        mails: list[MailSpec] = []
        for key in sorted(claimed, key=lambda k: (k.subject_id, k.reminder)):
            incident, kind, days = wanted[key]
            overdue = days is None
            if overdue:
                result.escalations += 1
                # Administrators first; staff too, since anyone may be working on it.
                recipients = [p for p in staff if p.pk in admin_ids] + [
                    p for p in staff if p.pk not in admin_ids
                ]
            else:
                result.reminders += 1
                recipients = staff
            for person in recipients:
                mails.append(
                    MailSpec(
                        to=person.email,
                        language=person.preferred_language,
                        template="incidents/report_overdue" if overdue else "incidents/report_due",
                        context={
                            "recipient": person,
                            "incident": incident,
                            "report_kind": REPORT_NOUNS[kind],
                            "days": days,
                            "due_at": key.due_at,
                            "url": reverse("incidents:staff_detail", kwargs={"pk": incident.pk}),
                        },
                    )
                )
        mail_queue_many(mails=mails)
        result.mails = len(mails)
    return result
