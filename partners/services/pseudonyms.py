"""The keyed pseudonym an export gives each customer (LY-5): stable for one partner,
unlinkable across partners, and not reproducible from the database alone."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from partners.models import Partner


def pseudonym_key(partner: Partner) -> bytes:
    """The partner's secret key: derived from a secret outside the database and the
    partner's random salt, so the database alone cannot reproduce pseudonyms."""
    secret = settings.PARTNERS_PSEUDONYM_SECRET.encode()
    message = f"partners.pseudonym:{partner.pseudonym_salt}".encode()
    return hmac.new(secret, message, hashlib.sha256).digest()


def pseudonym(*, key: bytes, customer_id: int) -> str:
    """HMAC-SHA256 of the customer id under a partner's key: stable for one partner,
    unlinkable across partners (LY-5)."""
    return hmac.new(key, str(customer_id).encode(), hashlib.sha256).hexdigest()
