"""Telling the people affected (APPI Art. 26(2), Rule 10): a notice to each person, in their
language, through the mail outbox in bulk; where notice is impossible, the substitute public
announcement on the portal's public pages."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents import selectors
from incidents.errors import IncidentError
from incidents.models import AffectedPerson, Incident, NoticeStatus
from incidents.services import _lock, event_write
from partners.models import DataItem
from portal import tasking
from portal.models import User
from portal.services import MailSpec, audit_record, mail_queue_many

NOTICE_FIELDS = ("notice_summary", "notice_actions", "notice_advice", "notice_contact")
# Mails are rendered and written this many at a time, so memory stays bounded.
CHUNK = 1000


def notice_texts_missing(incident: Incident) -> list[str]:
    """The labels of the notice texts not yet written, in either language."""
    missing = []
    for stem in NOTICE_FIELDS:
        for lang in ("ja", "en"):
            if not getattr(incident, f"{stem}_{lang}").strip():
                missing.append(str(Incident._meta.get_field(f"{stem}_{lang}").verbose_name))
    return missing


def person_data_items(person: AffectedPerson, incident: Incident) -> list:
    """The person's own data involved (what went to the partner), else the incident's."""
    labels = dict(DataItem.choices)  # lazy labels: rendered in the recipient's language
    return [labels.get(code, code) for code in (person.data_items or incident.data_items)]


def notice_progress_text(incident: Incident) -> str:
    """ "sending — N of M" while the job runs; what the staff page and its poll show."""
    if incident.notices_in_flight:
        return _("sending — %(done)s of %(total)s") % {
            "done": incident.notices_done,
            "total": incident.notices_total,
        }
    if incident.notices_status == NoticeStatus.DONE:
        return _("sent — %(done)s of %(total)s") % {
            "done": incident.notices_done,
            "total": incident.notices_total,
        }
    return ""


def notices_send(*, incident_id: int, actor: User, expected: int) -> int:
    """Start telling every person affected who has not been told and can be reached (APPI-26):
    check and record the request, and hand the work to a Celery task when the transaction
    commits (`notices_deliver` does it, chunk by chunk). `expected` is the count the staff
    member confirmed; a different count now queues nothing. A dead broker leaves the job
    queued for the stale-work sweep (`notices_requeue_stale`). Returns how many people the
    job will tell."""
    with transaction.atomic():
        incident = _lock(incident_id)
        if not incident.is_open:
            raise IncidentError(_("A closed incident sends no notices."))
        if incident.notices_in_flight:
            raise IncidentError(_("The notices are being sent already."))
        missing = notice_texts_missing(incident)
        if missing:
            raise IncidentError(
                _("Write the notice in both languages first: %(fields)s")
                % {"fields": ", ".join(missing)}
            )
        count = selectors.people_to_notify(incident=incident).count()
        if count != expected:
            raise IncidentError(
                _(
                    "The number of people to tell changed (%(now)s now, %(seen)s shown). "
                    "Check it and confirm again."
                )
                % {"now": count, "seen": expected}
            )
        if not count:
            raise IncidentError(_("Everyone who can be reached has been told."))
        now = timezone.now()
        Incident.objects.filter(pk=incident.pk).update(
            notices_status=NoticeStatus.QUEUED,
            notices_total=count,
            notices_done=0,
            notices_requested_at=now,
            notices_requested_by=actor,
            notices_progress_at=now,
            updated_at=now,
        )
        audit_record(
            actor=actor,
            action="incidents.notices.queued",
            target=incident,
            payload={"people": count},
        )
        _queue(incident.pk)
    return count


def _queue(incident_id: int) -> None:
    tasking.enqueue_on_commit(
        "incidents.tasks.notices_send_task", incident_id, what=f"notices of incident {incident_id}"
    )


def notices_deliver(*, incident_id: int, chunk_size: int = CHUNK) -> int:
    """The send job (run by `incidents.tasks.notices_send_task`): write a notice to each
    person still to be told, in their preferred language, into the mail outbox in bulk, one
    chunk per transaction. Exactly once per person, however often it runs: each chunk locks
    the incident row (two runs take turns), takes only people with no `notified_at` and sets
    it in the same transaction as their mails. A run that dies loses only its uncommitted
    chunk; the next run carries on after the last committed one. Memory stays flat: one
    chunk of people at a time. Returns how many this run told (0 for a job that is not
    queued or sending: finished, or never started)."""
    claimed = Incident.objects.filter(
        pk=incident_id, notices_status__in=[NoticeStatus.QUEUED, NoticeStatus.SENDING]
    ).update(notices_status=NoticeStatus.SENDING, notices_progress_at=timezone.now())
    if not claimed:
        return 0
    told = 0
    while True:
        sent, finished = _deliver_chunk(incident_id, chunk_size)
        told += sent
        if finished:
            return told


def _deliver_chunk(incident_id: int, chunk_size: int) -> tuple[int, bool]:
    with transaction.atomic():
        incident = _lock(incident_id)
        if not incident.notices_in_flight:
            return 0, True  # another run finished it meanwhile
        people = list(selectors.people_to_notify(incident=incident)[:chunk_size])
        now = timezone.now()
        if not people:
            _deliver_finish(incident, now)
            return 0, True
        url = reverse("incidents:notice", kwargs={"pk": incident.pk})
        mail_queue_many(
            mails=[
                MailSpec(
                    to=p.customer.email,
                    language=p.customer.preferred_language,
                    template="incidents/notice",
                    context={
                        "incident": incident,
                        "recipient": p.customer,
                        "items": person_data_items(p, incident),
                        "url": url,
                    },
                )
                for p in people
            ]
        )
        by_language: dict[str, list[int]] = defaultdict(list)
        for p in people:
            by_language[p.customer.preferred_language].append(p.pk)
        for language, ids in by_language.items():
            AffectedPerson.objects.filter(pk__in=ids).update(
                notified_at=now, notice_language=language
            )
        Incident.objects.filter(pk=incident.pk).update(
            notices_done=F("notices_done") + len(people), notices_progress_at=now
        )
        return len(people), False


def _deliver_finish(incident: Incident, now) -> None:
    """The last chunk is out: record it once on the timeline and in the audit trail, with the
    counts by language of everyone this job told."""
    by_language = dict(
        AffectedPerson.objects.filter(
            incident=incident, notified_at__gte=incident.notices_requested_at
        )
        .values("notice_language")
        .annotate(n=Count("id"))
        .values_list("notice_language", "n")
    )
    incident.notices_status = NoticeStatus.DONE
    incident.notices_sent_at = incident.notices_sent_at or now
    incident.notices_progress_at = now
    incident.save(
        update_fields=["notices_status", "notices_sent_at", "notices_progress_at", "updated_at"]
    )
    actor = incident.notices_requested_by
    event_write(
        incident=incident,
        event="notices_sent",
        actor=actor,
        changes={lang: n for lang, n in sorted(by_language.items())},
    )
    audit_record(
        actor=actor,
        action="incidents.notices.sent",
        target=incident,
        payload={"sent": sum(by_language.values()), **by_language},
    )


def notices_requeue_stale(stale_before: datetime) -> int:
    """Queue again every notice job queued or sending with no progress since `stale_before`
    (the broker was down when it was queued, or the worker died): registered with
    `portal.recovery` in IncidentsConfig.ready. One conditional update each, so of two sweeps
    only one re-queues, and a job that made progress meanwhile is left alone."""
    stale = Q(
        notices_status__in=[NoticeStatus.QUEUED, NoticeStatus.SENDING],
        notices_progress_at__lt=stale_before,
    )
    handed = 0
    for incident in (
        Incident.objects.filter(stale)
        .order_by("notices_progress_at", "id")
        .only("pk", "notices_status")[:100]
    ):
        moved = Incident.objects.filter(stale, pk=incident.pk).update(
            notices_status=NoticeStatus.QUEUED, notices_progress_at=timezone.now()
        )
        if not moved:
            continue
        audit_record(
            actor=None,
            action="incidents.notices.requeued",
            target=incident,
            payload={"was": incident.notices_status},
        )
        if tasking.task_send(
            "incidents.tasks.notices_send_task",
            incident.pk,
            what=f"notices of incident {incident.pk}",
        ):
            handed += 1
    return handed


@transaction.atomic
def announcement_publish(*, incident_id: int, actor: User) -> Incident:
    """Publish the substitute announcement for people who cannot be told (APPI Art. 26(2)
    proviso): what happened, the data involved, what was done, what to do, and a contact
    point, in both languages, on the public pages."""
    incident = _lock(incident_id)
    if incident.announcement_published_at:
        raise IncidentError(_("The announcement is published already."))
    missing = notice_texts_missing(incident)
    if missing:
        raise IncidentError(
            _("Write the notice in both languages first: %(fields)s")
            % {"fields": ", ".join(missing)}
        )
    incident.announcement_published_at = timezone.now()
    incident.save(update_fields=["announcement_published_at", "updated_at"])
    event_write(incident=incident, event="announcement_published", actor=actor)
    audit_record(actor=actor, action="incidents.announcement.published", target=incident)
    return incident
