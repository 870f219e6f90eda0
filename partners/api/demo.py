"""Demo of the partner API: a system of the group payment company (LY-4) with a fresh key,
a demo customer it knows, and how to try the API with curl. Run again: a new key, the old
demo keys revoked."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from partners.api.keys import api_key_create
from partners.api.models import ApiKey, PartnerSystem, SubjectTrigger
from partners.api.subjects import subject_issue
from partners.models import Partner
from portal.models import User

PAYMENT_COMPANY = "Example Pay Co., Ltd."
SYSTEM = "Account opening (demo)"
LABEL = "demo"


def load(*, out) -> None:
    partner = Partner.objects.filter(name_en=PAYMENT_COMPANY).first()
    if partner is None:
        out("  partner API: skipped (the payment company is missing)")
        return
    system, _created = PartnerSystem.objects.get_or_create(partner=partner, name=SYSTEM)
    ApiKey.objects.filter(system=system, label=LABEL, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    _row, key = api_key_create(
        system=system, scopes="decide,provide,consents,events", actor=None, label=LABEL
    )
    hanako = User.objects.filter(email="hanako@example.jp").first()
    subject = None
    if hanako is not None:
        subject, _new = subject_issue(
            partner=partner, customer=hanako, trigger=SubjectTrigger.SHARED_USE
        )
    base = f"{settings.SITE_URL}/api/v1"
    out(f"  partner API: {system}; docs at {base}/docs/")
    if subject is not None:
        out(f"  partner API: hanako is {subject.subject_id} for {partner.name_en}")
        out("  try it:")
        out(
            f"    curl -s -H 'Authorization: Bearer {key}' -H 'Content-Type: application/json' "
            f'-d \'{{"subject": "{subject.subject_id}", "purpose": "group-phone-sharing", '
            f'"items": ["phone"]}}\' {base}/decide'
        )
    out(f"  partner API demo key: {key}")
