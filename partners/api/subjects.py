"""Pairwise subject ids: how a partner system names a customer without our ids.

`subject_id = "sub_" + HMAC-SHA256(secret, "partners.subject:<salt>:<customer id>")`, truncated,
with the key derived from the same secret outside the database as the LY-5 pseudonyms but
under another label, so the two never coincide and an API partner cannot link exports. The
id is stored when it is issued, so it stays stable for that partner.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.api.models import PartnerSubject, SubjectConfirmation, SubjectTrigger
from partners.errors import PartnerError
from partners.models import Arrangement, ArrangementStatus, Basis, Partner
from portal.models import User
from portal.services import audit_record

CONFIRMATION_MINUTES = 15


def subject_id_for(*, partner: Partner, customer_id: int) -> str:
    secret = settings.PARTNERS_PSEUDONYM_SECRET.encode()
    key = hmac.new(secret, f"partners.subject:{partner.pseudonym_salt}".encode(), hashlib.sha256)
    digest = hmac.new(key.digest(), str(customer_id).encode(), hashlib.sha256).hexdigest()
    return f"sub_{digest[:40]}"


def subject_issue(
    *, partner: Partner, customer: User, trigger: str, actor: User | None = None
) -> tuple[PartnerSubject, bool]:
    """Issue (or find) the partner's subject id for the customer; True when new. Audited."""
    if trigger not in SubjectTrigger.values:
        raise PartnerError(f"Unknown trigger: {trigger}")
    existing = PartnerSubject.objects.filter(partner=partner, customer=customer).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            subject = PartnerSubject.objects.create(
                partner=partner,
                customer=customer,
                subject_id=subject_id_for(partner=partner, customer_id=customer.pk),
                trigger=trigger,
                issued_by=actor if actor is not None and actor.is_authenticated else None,
            )
            audit_record(
                actor=actor,
                action="partners.subject.issued",
                target=subject,
                payload={"partner": partner.pk, "customer": customer.pk, "trigger": trigger},
            )
    except IntegrityError:  # issued at the same moment by another transaction
        return PartnerSubject.objects.get(partner=partner, customer=customer), False
    return subject, True


def subject_find(*, partner: Partner, subject_id: str) -> PartnerSubject | None:
    """The partner's own live subject, or None: another partner's id, an unknown id and an
    erased account all look the same (never reveal a subject exists for someone else)."""
    return (
        PartnerSubject.objects.select_related("customer")
        .filter(partner=partner, subject_id=subject_id, erased_at__isnull=True)
        .first()
    )


def shared_use_arrangements(partner: Partner):
    """The partner's active arrangements that have a triggering event (LY-4)."""
    return Arrangement.objects.filter(
        partner=partner, status=ArrangementStatus.ACTIVE, basis=Basis.JOINT_USE
    ).exclude(trigger_en="")


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


@transaction.atomic
def subject_confirmation_create(
    *, partner: Partner, customer: User
) -> tuple[str, datetime.datetime]:
    """The customer confirms a shared-use trigger (LY-4): a one-time code, valid for
    CONFIRMATION_MINUTES, that the group company presents to the API. Returns the code
    (shown once) and its expiry."""
    if not partner.is_active or not shared_use_arrangements(partner).exists():
        raise PartnerError(_("This company has no shared use that starts with your confirmation."))
    code = "-".join(secrets.token_hex(2).upper() for _i in range(4))
    expires_at = timezone.now() + datetime.timedelta(minutes=CONFIRMATION_MINUTES)
    SubjectConfirmation.objects.create(
        partner=partner, customer=customer, code_hash=_code_hash(code), expires_at=expires_at
    )
    audit_record(
        actor=customer,
        action="partners.subject_confirmation.created",
        payload={"partner": partner.pk},
    )
    return code, expires_at


@transaction.atomic
def subject_confirmation_redeem(*, partner: Partner, code: str) -> PartnerSubject | None:
    """The group company presents the customer's code: the subject id is issued (LY-4).
    None for a wrong, used, expired or other partner's code (all alike)."""
    confirmation = (
        SubjectConfirmation.objects.select_for_update()
        .select_related("customer")
        .filter(code_hash=_code_hash(code), partner=partner, used_at__isnull=True)
        .first()
    )
    if confirmation is None or confirmation.expires_at <= timezone.now():
        return None
    if not confirmation.customer.is_active:
        return None
    confirmation.used_at = timezone.now()
    confirmation.save(update_fields=["used_at"])
    subject, _new = subject_issue(
        partner=partner, customer=confirmation.customer, trigger=SubjectTrigger.SHARED_USE
    )
    return subject
