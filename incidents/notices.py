"""Telling the people affected (APPI Art. 26(2), Rule 10): a notice to each person, in their
language, through the mail outbox in bulk; where notice is impossible, the substitute public
announcement on the portal's public pages."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents import selectors
from incidents.errors import IncidentError
from incidents.models import AffectedPerson, Incident
from incidents.services import _lock, event_write
from partners.models import DataItem
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


def notices_send(*, incident_id: int, actor: User, expected: int) -> int:
    """Write a notice to every person affected who has not been told and can be reached, each
    in their preferred language, into the mail outbox (APPI-26). Exactly once per person: the
    incident row is locked and only people with no `notified_at` are taken. `expected` is the
    count the staff member confirmed; a different count now sends nothing. Returns how many
    notices were queued."""
    with transaction.atomic():
        incident = _lock(incident_id)
        if not incident.is_open:
            raise IncidentError(_("A closed incident sends no notices."))
        missing = notice_texts_missing(incident)
        if missing:
            raise IncidentError(
                _("Write the notice in both languages first: %(fields)s")
                % {"fields": ", ".join(missing)}
            )
        people = list(selectors.people_to_notify(incident=incident))
        if len(people) != expected:
            raise IncidentError(
                _(
                    "The number of people to tell changed (%(now)s now, %(seen)s shown). "
                    "Check it and confirm again."
                )
                % {"now": len(people), "seen": expected}
            )
        if not people:
            raise IncidentError(_("Everyone who can be reached has been told."))
        now = timezone.now()
        url = reverse("incidents:notice", kwargs={"pk": incident.pk})
        by_language: dict[str, list[int]] = defaultdict(list)
        for start in range(0, len(people), CHUNK):
            chunk = people[start : start + CHUNK]
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
                    for p in chunk
                ]
            )
            for p in chunk:
                by_language[p.customer.preferred_language].append(p.pk)
        for language, ids in by_language.items():
            AffectedPerson.objects.filter(pk__in=ids).update(
                notified_at=now, notice_language=language
            )
        incident.notices_sent_at = incident.notices_sent_at or now
        incident.save(update_fields=["notices_sent_at", "updated_at"])
        event_write(
            incident=incident,
            event="notices_sent",
            actor=actor,
            changes={lang: len(ids) for lang, ids in sorted(by_language.items())},
        )
        audit_record(
            actor=actor,
            action="incidents.notices.sent",
            target=incident,
            payload={"sent": len(people), **{lang: len(ids) for lang, ids in by_language.items()}},
        )
    return len(people)


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
