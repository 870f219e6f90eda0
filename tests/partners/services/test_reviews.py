"""Supervision reviews of entrustees (LW-4.2): staff are reminded once per review due date, and
again for the next one once a review is recorded."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from partners.models import Basis, PartnerKind
from partners.services import registry, reviews
from portal.models import OutboundMail, ReminderClaim
from tests.partners import factories as pf

pytestmark = pytest.mark.django_db


@pytest.mark.clause("LW-4.2")
def test_staff_are_reminded_once_per_review_due_date(agent, administrator, quality_purpose):
    today = timezone.localdate()
    due = pf.ArrangementFactory(
        partner=pf.PartnerFactory(kind=PartnerKind.ENTRUSTED_PROCESSOR, name_en="Callcentre Ltd."),
        basis=Basis.ENTRUSTMENT,
        purposes=[quality_purpose],
        review_due_on=today + datetime.timedelta(days=10),
    )
    pf.ArrangementFactory(
        partner=pf.PartnerFactory(kind=PartnerKind.ENTRUSTED_PROCESSOR),
        basis=Basis.ENTRUSTMENT,
        purposes=[quality_purpose],
        review_due_on=today + datetime.timedelta(days=200),
    )
    assert reviews.arrangement_reviews_remind() == 2  # charlie and dana
    assert reviews.arrangement_reviews_remind() == 0
    mails = OutboundMail.objects.order_by("to")
    assert [m.to for m in mails] == [agent.email, administrator.email]
    assert due.partner.name_ja in mails[0].subject
    # After the review is recorded, the next due date gets its own reminder in time.
    registry.arrangement_review_record(
        arrangement=due,
        actor=agent,
        reviewed_on=today,
        next_due=today + datetime.timedelta(days=20),
    )
    assert reviews.arrangement_reviews_remind() == 2
    assert ReminderClaim.objects.filter(subject_type="partners.arrangement").count() == 2
