"""API keys of partner systems: made (shown once), checked, revoked, rate-limited.

A key looks like `ppk_<prefix>_<secret>`. The prefix finds the row; only SHA-256 of the whole
key is stored. A slow password hash is not needed: the secret is 256 random bits, so the
hash cannot be guessed back, and checking stays cheap on every call.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.api.models import ApiKey, PartnerSystem, Scope
from partners.errors import PartnerError
from portal.models import User
from portal.services import audit_record

KEY_PREFIX = "ppk_"
RATE_WINDOW_SECONDS = 60


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def scopes_parse(raw: Iterable[str] | str) -> list[str]:
    """Scopes from a list or a comma-separated string; an unknown scope is an error."""
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    scopes = sorted({s.strip() for s in items if s.strip()})
    unknown = set(scopes) - set(Scope.values)
    if not scopes or unknown:
        raise PartnerError(
            _("Choose one or more scopes of: %(known)s.") % {"known": ", ".join(Scope.values)}
        )
    return scopes


@transaction.atomic
def api_key_create(
    *,
    system: PartnerSystem,
    scopes: Iterable[str] | str,
    actor: User | None,
    label: str = "",
    expires_at: datetime.datetime | None = None,
    rate_limit_per_minute: int | None = None,
    prefix: str | None = None,
    secret: str | None = None,
) -> tuple[ApiKey, str]:
    """Make a key for a partner system; return the row and the key, which is never shown
    again. Audited without the key. `prefix` and `secret` are for the demo only,
    whose key is derived from the secret key so that running the demo again reuses it."""
    scopes_list = scopes_parse(scopes)
    if not system.is_active or not system.partner.is_active:
        raise PartnerError(_("The system or its partner is not active."))
    if expires_at is not None and expires_at <= timezone.now():
        raise PartnerError(_("The expiry must be in the future."))
    prefix = prefix or secrets.token_hex(6)
    key = f"{KEY_PREFIX}{prefix}_{secret or secrets.token_urlsafe(32)}"
    row = ApiKey.objects.create(
        system=system,
        label=label.strip()[:200],
        prefix=prefix,
        key_hash=_hash(key),
        scopes=scopes_list,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        expires_at=expires_at,
        rate_limit_per_minute=rate_limit_per_minute,
    )
    audit_record(
        actor=actor,
        action="partners.api_key.created",
        target=row,
        payload={"system": system.pk, "partner": system.partner_id, "scopes": scopes_list},
    )
    return row, key


@transaction.atomic
def api_key_revoke(*, key: ApiKey, actor: User | None) -> ApiKey:
    """Revoke a key: every later call with it is answered 401."""
    locked = ApiKey.objects.select_for_update().get(pk=key.pk)
    if locked.revoked_at is not None:
        raise PartnerError(_("This key was already revoked."))
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor if actor is not None and actor.is_authenticated else None
    locked.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=actor,
        action="partners.api_key.revoked",
        target=locked,
        payload={"system": locked.system_id},
    )
    key.revoked_at, key.revoked_by = locked.revoked_at, locked.revoked_by
    return locked


def api_key_find(raw: str) -> ApiKey | None:
    """The usable key a presented secret belongs to, or None (unknown, wrong secret,
    revoked, expired, or an inactive system or partner)."""
    if not raw.startswith(KEY_PREFIX):
        return None
    prefix, _sep, rest = raw[len(KEY_PREFIX) :].partition("_")
    if not prefix or not rest or len(raw) > 200:
        return None
    key = (
        ApiKey.objects.select_related("system__partner__country", "system__partner__service")
        .filter(prefix=prefix)
        .first()
    )
    if key is None or not hmac.compare_digest(key.key_hash, _hash(raw)):
        return None
    if not key.is_usable() or not key.system.is_active or not key.system.partner.is_active:
        return None
    return key


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # seconds until the window resets


def api_key_use(*, key: ApiKey, now: datetime.datetime | None = None) -> RateDecision:
    """Count one call of the key in its fixed one-minute window and note its last use, in one
    conditional UPDATE (shared by every web process, no cache needed); over the limit, the
    caller answers 429 with Retry-After."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=RATE_WINDOW_SECONDS)
    table = ApiKey._meta.db_table
    params = {"now": now, "cutoff": cutoff, "id": key.pk}
    if connection.vendor == "sqlite":
        params = {
            k: connection.ops.adapt_datetimefield_value(v) if k != "id" else v
            for k, v in params.items()
        }
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_used_at = %(now)s, "  # noqa: S608 (our table name)
            "rate_window_count = CASE WHEN rate_window_start IS NULL "
            "OR rate_window_start <= %(cutoff)s THEN 1 ELSE rate_window_count + 1 END, "
            "rate_window_start = CASE WHEN rate_window_start IS NULL "
            "OR rate_window_start <= %(cutoff)s THEN %(now)s ELSE rate_window_start END "
            "WHERE id = %(id)s RETURNING rate_window_start, rate_window_count",
            params,
        )
        start, count = cursor.fetchone()
    if isinstance(start, str):
        start = ApiKey._meta.get_field("rate_window_start").to_python(start)
    if timezone.is_naive(start):
        start = timezone.make_aware(start, datetime.UTC)
    limit = key.rate_limit_per_minute or settings.PARTNERS_API_RATE_LIMIT
    reset = start + datetime.timedelta(seconds=RATE_WINDOW_SECONDS)
    retry_after = max(1, int((reset - now).total_seconds() + 0.999))
    return RateDecision(
        allowed=count <= limit,
        limit=limit,
        remaining=max(0, limit - count),
        retry_after=retry_after,
    )
