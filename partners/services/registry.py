"""The partner registry: activating arrangements and recording their reviews."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.errors import PartnerError
from partners.models import Arrangement, ArrangementStatus, Basis
from portal.models import User
from portal.services import audit_record


@transaction.atomic
def arrangement_activate(*, arrangement: Arrangement, actor: User | None) -> Arrangement:
    """Make an arrangement active. A joint-use arrangement needs the four LW-4.3 items and
    the administrator's address (APPI Art. 27(5)(iii)); an entrustment its contract, scope
    of instructions and review date (LW-4.2). The database refuses the same."""
    locked = Arrangement.objects.select_for_update().get(pk=arrangement.pk)
    if locked.status == ArrangementStatus.ACTIVE:
        return locked
    locked.status = ArrangementStatus.ACTIVE
    locked.activated_at = timezone.now()
    try:
        locked.full_clean()
    except ValidationError as exc:
        raise PartnerError(
            _("The arrangement cannot be activated: %(missing)s")
            % {"missing": ", ".join(sorted(exc.message_dict))}
        ) from exc
    locked.save(update_fields=["status", "activated_at"])
    audit_record(
        actor=actor,
        action="partners.arrangement.activated",
        target=locked,
        payload={"basis": locked.basis, "partner": locked.partner_id},
    )
    arrangement.status, arrangement.activated_at = locked.status, locked.activated_at
    return locked


@transaction.atomic
def arrangement_review_record(
    *, arrangement: Arrangement, actor: User, reviewed_on: datetime.date, next_due: datetime.date
) -> Arrangement:
    """Record a supervision review of an entrusted processor (LW-4.2, APPI Art. 25)."""
    if arrangement.basis != Basis.ENTRUSTMENT:
        raise PartnerError(_("Only entrustments have supervision reviews."))
    if next_due <= reviewed_on:
        raise PartnerError(_("The next review must be after this one."))
    locked = Arrangement.objects.select_for_update().get(pk=arrangement.pk)
    locked.last_reviewed_on = reviewed_on
    locked.review_due_on = next_due
    locked.save(update_fields=["last_reviewed_on", "review_due_on"])
    audit_record(
        actor=actor,
        action="partners.arrangement.reviewed",
        target=locked,
        payload={"reviewed_on": reviewed_on.isoformat(), "next_due": next_due.isoformat()},
    )
    return locked
