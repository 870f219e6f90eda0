"""The scheduled jobs of requests (docs/architecture.md): staff deadline reminders,
escalation and the overdue digest (LW-6.2), customer nudges and lapsing, and the retention
purge of identity documents (APPI-29 style retention, LW-6.3 ground 4 documents).

Every job is computed from the database, so nothing is lost while the broker is down: what
was due is found and sent on the next run. Every mail is claimed first with a unique row
(`portal.ReminderClaim`, key: request, reminder, the due date it was computed for), in the
same transaction that writes the mail to the outbox, so a second sweep, two beats at once or a
retried task send nothing twice, and a changed due date gets reminders of its own.

Each service takes `now` so that tests run them on a frozen clock without mocking time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from portal import selectors as portal_selectors
from portal.models import User
from portal.services import (
    ClaimKey,
    MailSpec,
    audit_record,
    mail_queue_many,
    reminder_claim_many,
)
from requests import clock, principals, workflow
from requests.errors import RequestError
from requests.models import (
    OPEN_STATUSES,
    PAUSED_STATUSES,
    DataRequest,
    DocumentPurpose,
    JobSettings,
    Kind,
    RequestDocument,
    Status,
)
from requests.services import documents

SUBJECT = "requests.datarequest"
PERSON = "portal.user"
# The clock runs in these states; the paused ones get no staff reminders (LW-6.2).
RUNNING_STATUSES = tuple(s for s in OPEN_STATUSES if s not in PAUSED_STATUSES)
OVERDUE = "overdue"
DIGEST = "overdue_digest"
NUDGE = "customer_nudge"
# A digest lists at most this many requests and says how many more there are.
DIGEST_MAX_LINES = 200
# Lapses go through the workflow one request at a time; a run takes at most this many and
# the next run takes the rest, so a run's work stays bounded.
LAPSE_BATCH = 200
PURGE_CHUNK = 500


def deadline_reminder_name(days: int) -> str:
    return f"deadline_{days}d"


def _customer_path(req: DataRequest) -> str:
    return reverse("requests:detail", kwargs={"reference": req.reference})


@dataclass
class DeadlineSweepResult:
    reminders: int = 0
    escalations: int = 0
    digests: int = 0
    mails: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(slots=True)
class _Person:
    """What a digest needs of an assignee, read with the requests."""

    pk: int
    email: str
    full_name: str
    preferred_language: str
    is_active: bool


@dataclass(slots=True)
class _Due:
    """What a digest line needs of a request."""

    pk: int
    reference: str
    kind: str
    due_at: datetime
    assignee_id: int | None
    assignee: _Person | None


def _active(person: User | _Person | None) -> bool:
    return person is not None and person.is_active


def request_deadline_sweep(*, now: datetime | None = None) -> DeadlineSweepResult:
    """Staff reminders before the due date, escalation at it, and the daily overdue list
    (LW-6.2), as one digest mail per recipient per sweep.

    - At each configured offset before `due_at` (default 3 days and 1 day) the assignee, or
      every privacy staff member while nobody (active) is assigned, is reminded. Only the
      nearest offset already reached fires, so a sweep that was down does not send a stale
      3-day reminder alongside the 1-day one.
    - At `due_at` the request is overdue: the assignee and the privacy administrators are
      told (escalation).
    - From the digest hour (Japan time) each assignee, and each administrator, once a day
      gets the list of every overdue request that is theirs (all of them, for
      administrators).

    Each item is claimed per recipient, (request, reminder, due date, recipient), so it
    reaches each person exactly once whatever sweeps run; what one sweep claimed for a
    person goes out as one mail listing it all. Paused requests (waiting on the customer or
    on payment) are skipped: their due date moves while paused, and `workflow` writes the new
    `due_at` on resuming, which is a new claim key. Six queries, however many requests.
    """
    now = now or timezone.now()
    config = JobSettings.current()  # 1 query
    offsets = config.reminder_offsets  # largest first
    result = DeadlineSweepResult()
    with transaction.atomic():
        staff = list(portal_selectors.privacy_staff())  # 1 query
        admin_ids = _admin_ids()  # 1 query
        admins = [p for p in staff if p.pk in admin_ids]
        people: dict[int, User | _Person] = {p.pk: p for p in staff}
        assignees: dict[int, _Person] = {}
        horizon = now + timedelta(days=offsets[0])
        # 1 query: every running request due within the largest offset, or overdue, as plain
        # rows (a sweep may read tens of thousands; model instances cost more than the scan).
        candidates: list[_Due] = []
        for pk, reference, kind, due_at, assignee_id, email, full_name, language, active in (
            DataRequest.objects.filter(
                status__in=RUNNING_STATUSES, paused_since__isnull=True, due_at__lte=horizon
            )
            .order_by("due_at", "id")
            .values_list(
                "id",
                "reference",
                "kind",
                "due_at",
                "assignee_id",
                "assignee__email",
                "assignee__full_name",
                "assignee__preferred_language",
                "assignee__is_active",
            )
        ):
            assignee = None
            if assignee_id is not None:
                assignee = assignees.get(assignee_id)
                if assignee is None:
                    assignee = assignees[assignee_id] = _Person(
                        assignee_id, email, full_name, language, active
                    )
            candidates.append(_Due(pk, reference, kind, due_at, assignee_id, assignee))
        keys: list[ClaimKey] = []
        items: dict[ClaimKey, tuple[str, _Due, int | None]] = {}
        overdue: list[_Due] = []
        for req in candidates:
            assigned = _active(req.assignee)
            if assigned:
                people.setdefault(req.assignee_id, req.assignee)
            if req.due_at <= now:
                overdue.append(req)
                what, name, days = OVERDUE, OVERDUE, None
                recipients = [p.pk for p in admins]
                if assigned and req.assignee_id not in admin_ids:
                    recipients.insert(0, req.assignee_id)
            else:
                left = req.due_at - now
                reached = [d for d in offsets if left <= timedelta(days=d)]
                if not reached:
                    continue
                days = min(reached)
                what, name = "reminder", deadline_reminder_name(days)
                recipients = [req.assignee_id] if assigned else [p.pk for p in staff]
            for person_id in recipients:
                key = ClaimKey(SUBJECT, req.pk, name, req.due_at, person_id)
                keys.append(key)
                items[key] = (what, req, days)
        # The daily list: one per person per day, from the digest hour in Tokyo.
        daily: dict[int, list[_Due]] = {}
        local = now.astimezone(clock.TOKYO)
        moment = local.replace(hour=config.digest_hour, minute=0, second=0, microsecond=0)
        if overdue and local >= moment:
            for person in admins:
                daily[person.pk] = list(overdue)
            for req in overdue:
                if _active(req.assignee) and req.assignee_id not in admin_ids:
                    daily.setdefault(req.assignee_id, []).append(req)
            for person_id in daily:
                keys.append(ClaimKey(PERSON, person_id, DIGEST, moment, person_id))
        claimed = reminder_claim_many(keys=keys, now=now)  # 1 query
        due: dict[int, list[tuple[_Due, int]]] = {}
        late: dict[int, list[_Due]] = {}
        lists: dict[int, list[_Due]] = {}
        counted: set[tuple[str, int]] = set()
        for key in sorted(claimed, key=lambda k: (k.recipient_id, k.due_at, k.subject_id)):
            if key.reminder == DIGEST:
                result.digests += 1
                lists[key.recipient_id] = daily[key.recipient_id]
                continue
            what, req, days = items[key]
            if (key.reminder, req.pk) not in counted:  # a request, not a recipient
                counted.add((key.reminder, req.pk))
                if what == OVERDUE:
                    result.escalations += 1
                else:
                    result.reminders += 1
            if what == OVERDUE:
                late.setdefault(key.recipient_id, []).append(req)
            else:
                due.setdefault(key.recipient_id, []).append((req, days))
        mails: list[MailSpec] = []
        for person_id in sorted(set(due) | set(late) | set(lists)):
            person = people[person_id]
            mails.append(
                MailSpec(
                    to=person.email,
                    language=person.preferred_language,
                    template="requests/deadline_digest",
                    context=_digest_context(
                        person,
                        due.get(person_id, []),
                        late.get(person_id, []),
                        lists.get(person_id, []),
                        now,
                    ),
                )
            )
        mail_queue_many(mails=mails)  # 1 query
        result.mails = len(mails)
    return result


def _digest_context(
    person: User | _Person,
    due: list[tuple[_Due, int]],
    late: list[_Due],
    daily: list[_Due],
    now: datetime,
) -> dict:
    """The digest's three sections, their lines written here in the recipient's language:
    each message is translated once per mail rather than once per line by the template
    engine, which was most of a large sweep's time."""
    with translation.override(person.preferred_language):
        kinds = {value: str(label) for value, label in Kind.choices}
        # The staff page of a request, from one reverse() for the whole mail.
        page = settings.SITE_URL + reverse("requests:staff_detail", kwargs={"pk": 1})[: -len("1/")]
        told = gettext("Due date given to the customer: %(due)s (Japan time)")
        nobody_yet = gettext("Nobody is assigned to this request yet. Please take it or assign it.")
        nobody = gettext("Nobody is assigned to this request.")

        def when(req: _Due) -> str:
            return req.due_at.astimezone(clock.TOKYO).strftime("%Y-%m-%d %H:%M")

        def section(reqs: list, line) -> dict:
            shown = reqs[:DIGEST_MAX_LINES]
            more = len(reqs) - len(shown)
            text = "".join(line(item) for item in shown)
            if more:
                text += (
                    ngettext("…and %(more)s more request.", "…and %(more)s more requests.", more)
                    % {"more": more}
                    + "\n"
                )
            return {"count": len(reqs), "text": text}

        def due_line(item: tuple[_Due, int]) -> str:
            req, days = item
            head = ngettext(
                "Request %(reference)s (%(kind)s) is due within %(days)s day.",
                "Request %(reference)s (%(kind)s) is due within %(days)s days.",
                days,
            ) % {"reference": req.reference, "kind": kinds[req.kind], "days": days}
            lines = [f"- {head}", f"  {told % {'due': when(req)}}"]
            if not _active(req.assignee):
                lines.append(f"  {nobody_yet}")
            lines.append(f"  {page}{req.pk}/")
            return "\n".join(lines) + "\n"

        def late_line(req: _Due) -> str:
            head = gettext("Request %(reference)s (%(kind)s) is overdue.") % {
                "reference": req.reference,
                "kind": kinds[req.kind],
            }
            if _active(req.assignee):
                who = gettext("Assigned to: %(assignee)s") % {
                    "assignee": req.assignee.full_name or req.assignee.email
                }
            else:
                who = nobody
            return f"- {head}\n  {told % {'due': when(req)}}\n  {who}\n  {page}{req.pk}/\n"

        def daily_line(req: _Due) -> str:
            due_text = gettext("due %(due)s") % {"due": when(req)}
            return f"- {req.reference} ({kinds[req.kind]}) {due_text}\n  {page}{req.pk}/\n"

        return {
            "recipient": person,
            "due": section(due, due_line),
            "overdue": section(late, late_line),
            "daily": section(daily, daily_line),
            "late_total": len({r.pk for r in late} | {r.pk for r in daily}),
            "now": now,
        }


def _admin_ids() -> set[int]:
    return set(portal_selectors.privacy_administrators().values_list("pk", flat=True))


# --- customer nudges and lapsing ------------------------------------------------------------


@dataclass
class WaitingSweepResult:
    nudges: int = 0
    lapsed: int = 0
    mails: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def request_waiting_sweep(
    *, now: datetime | None = None, lapse_batch: int = LAPSE_BATCH
) -> WaitingSweepResult:
    """Requests waiting on the customer (identity documents, details) or on payment: the
    customer is nudged once after `nudge_after_days` of waiting, and the request lapses after
    a further `lapse_after_days`, through `workflow.request_lapse`, with a notice in the
    customer's language that says why and how to file again. A new wait (a new `paused_since`)
    is a new claim key and gets its own nudge."""
    now = now or timezone.now()
    config = JobSettings.current()
    nudge_at = now - timedelta(days=config.nudge_after_days)
    lapse_at = nudge_at - timedelta(days=config.lapse_after_days)
    result = WaitingSweepResult()
    with transaction.atomic():
        waiting = list(
            DataRequest.objects.filter(
                status__in=PAUSED_STATUSES, paused_since__lte=nudge_at, paused_since__gt=lapse_at
            )
            .select_related("customer")
            .order_by("paused_since", "id")
        )
        # A requester we can only write to by post is nudged by staff, not by this job.
        keys = {
            ClaimKey(SUBJECT, r.pk, NUDGE, r.paused_since, r.customer_id): r
            for r in waiting
            if (r.customer is None or r.customer.is_active)
            and not principals.filer_addressee(r).by_post
        }
        claimed = reminder_claim_many(keys=list(keys), now=now)
        mails = []
        for key in sorted(claimed, key=lambda k: k.subject_id):
            req = keys[key]
            filer = principals.filer_addressee(req)
            mails.append(
                MailSpec(
                    to=filer.email,
                    language=filer.language,
                    template="requests/nudge_waiting",
                    context={
                        "request": req,
                        "recipient": filer,
                        "lapse_on": req.paused_since
                        + timedelta(days=config.nudge_after_days + config.lapse_after_days),
                        "url": _customer_path(req),
                    },
                )
            )
        mail_queue_many(mails=mails)
        result.nudges = result.mails = len(mails)
    overdue_ids = list(
        DataRequest.objects.filter(status__in=PAUSED_STATUSES, paused_since__lte=lapse_at)
        .order_by("paused_since", "id")
        .values_list("pk", flat=True)[:lapse_batch]
    )
    for request_id in overdue_ids:
        if request_lapse_if_waiting(request_id=request_id, waited_since=lapse_at, config=config):
            result.lapsed += 1
            result.mails += 1
    return result


def request_lapse_if_waiting(
    *, request_id: int, waited_since: datetime, config: JobSettings
) -> bool:
    """Lapse one request if it is still waiting since before `waited_since`; the row is locked
    first, so a customer who answers at the same moment wins or loses cleanly. The reason is
    written in the customer's language (it is shown and mailed to them, APPI-36)."""
    with transaction.atomic():
        req = (
            DataRequest.objects.select_for_update(of=("self",))
            .select_related("customer")
            .filter(pk=request_id, status__in=PAUSED_STATUSES, paused_since__lte=waited_since)
            .first()
        )
        if req is None:
            return False
        with translation.override(principals.filer_addressee(req).language):
            reason = render_to_string(
                "emails/requests/lapsed_reason.txt",
                {
                    "request": req,
                    "days": config.nudge_after_days + config.lapse_after_days,
                    "site_url": settings.SITE_URL,
                    "file_url": reverse("requests:start"),
                    "payment": workflow.can_record_payment(req),
                },
            ).strip()
        try:
            workflow.request_lapse(request_id=req.pk, actor=None, reason=reason)
        except RequestError:
            return False
    return True


# --- retention ----------------------------------------------------------------------------


def document_retention_purge(*, now: datetime | None = None) -> dict[str, int]:
    """Delete the files of identity documents and powers of attorney `document_retention_days`
    after their request closed, mark the rows deleted (the row stays as the record that there
    was a document) and write one audit event with the counts.

    Files are removed before the rows are marked: if the transaction fails, the next run finds
    the rows again and a file already gone only counts as missing."""
    now = now or timezone.now()
    config = JobSettings.current()
    cutoff = now - timedelta(days=config.document_retention_days)
    storage = documents.private_storage()
    deleted = missing = 0
    with transaction.atomic():
        due = RequestDocument.objects.filter(
            Q(purpose__in=[DocumentPurpose.IDENTITY, DocumentPurpose.POWER_OF_ATTORNEY]),
            deleted_at__isnull=True,
            request__status=Status.CLOSED,
            request__closed_at__lte=cutoff,
        ).order_by("id")
        while True:
            chunk = list(due.values_list("pk", "stored_name")[:PURGE_CHUNK])
            if not chunk:
                break
            for _pk, name in chunk:
                if storage.exists(name):
                    storage.delete(name)
                    deleted += 1
                else:
                    missing += 1
            RequestDocument.objects.filter(pk__in=[pk for pk, _ in chunk]).update(deleted_at=now)
        counts = {"deleted": deleted, "missing": missing}
        audit_record(
            actor=None,
            action="requests.document.purged",
            payload={**counts, "closed_before": cutoff.isoformat()},
        )
    return counts
