"""Supervision reviews of arrangements (LW-4.2): the reminders."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from partners.models import Arrangement, ArrangementStatus, Basis

REVIEW_REMINDER_DAYS = 30


def arrangement_reviews_remind(*, today: datetime.date | None = None) -> int:
    """Mail privacy staff once per entrustment and review due date, from a month before the
    date (and when it is overdue). The reminder is claimed (portal.ReminderClaim) in the same
    transaction as the mail is queued, so a second run sends nothing and a new due date gets
    its own reminder. Returns mails queued."""
    from portal.selectors import privacy_staff
    from portal.services import ClaimKey, mail_queue, reminder_claim_many

    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=REVIEW_REMINDER_DAYS)
    due = Arrangement.objects.filter(
        status=ArrangementStatus.ACTIVE, basis=Basis.ENTRUSTMENT, review_due_on__lte=horizon
    ).select_related("partner")
    staff = list(privacy_staff())
    queued = 0
    for arrangement in due:
        due_at = timezone.make_aware(
            datetime.datetime.combine(arrangement.review_due_on, datetime.time.min)
        )
        key = ClaimKey(arrangement._meta.label_lower, arrangement.pk, "supervision_review", due_at)
        with transaction.atomic():
            if not reminder_claim_many(keys=[key]):
                continue
            for member in staff:
                mail_queue(
                    to=member.email,
                    language=member.preferred_language,
                    template="partners/review_due",
                    context={
                        "arrangement": arrangement,
                        "partner": arrangement.partner,
                        "due_on": arrangement.review_due_on,
                        "overdue": arrangement.review_due_on < today,
                    },
                )
                queued += 1
    return queued
