"""Demo of the partner API: a system of the group payment company (LY-4) with a key,
a demo customer it knows, and how to try the API with curl. Run again: the same key."""

from __future__ import annotations

import base64
import hashlib
import hmac

from django.conf import settings

from partners.api.keys import KEY_PREFIX, api_key_create
from partners.api.models import ApiKey, PartnerSystem, SubjectTrigger
from partners.api.subjects import subject_issue
from partners.models import Partner
from portal.models import User

PAYMENT_COMPANY = "Example Pay Co., Ltd."
SYSTEM = "口座開設システム（デモ）"  # noqa: RUF001
LABEL = "デモ用"
OLD_SYSTEM = "Account opening (demo)"  # the name before the demo spoke Japanese


def _demo_key(system: PartnerSystem) -> str:
    """The demo's key, derived from the secret key: the same on every run of the demo, so it
    duplicates nothing (only its hash is stored, like every key)."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), b"partners.api.demo-key", hashlib.sha256
    ).digest()
    prefix = digest[:6].hex()
    secret = base64.urlsafe_b64encode(digest[6:]).decode().rstrip("=")
    key = f"{KEY_PREFIX}{prefix}_{secret}"
    existing = ApiKey.objects.filter(prefix=prefix).first()
    if existing is None:
        api_key_create(
            system=system,
            scopes="decide,provide,consents,events",
            actor=None,
            label=LABEL,
            prefix=prefix,
            secret=secret,
        )
    return key


def load(*, out) -> None:
    partner = Partner.objects.filter(name_en=PAYMENT_COMPANY).first()
    if partner is None:
        out("  partner API: skipped (the payment company is missing)")
        return
    PartnerSystem.objects.filter(partner=partner, name=OLD_SYSTEM).update(name=SYSTEM)
    system, _created = PartnerSystem.objects.get_or_create(partner=partner, name=SYSTEM)
    key = _demo_key(system)
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
