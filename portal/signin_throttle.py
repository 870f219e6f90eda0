"""Sign-in throttling that does not lock the real user out (LW-5), on django-axes.

Failures are counted per pair of account and address (AXES_LOCKOUT_PARAMETERS): an attacker's
wrong passwords from one address pause that account *from that address* only; its owner signs
in from anywhere else, and other accounts from the attacker's address are untouched.

The pause grows: the first lock lasts AXES_COOLOFF_MINUTES, and each further lock of the same
pair within a day doubles it, up to a day. The count comes from the access log, which keeps
the failures after axes has forgotten an expired lock. A lock never stops a password reset by
mail, and the new password lifts the lock (portal.views.accounts).
"""

from __future__ import annotations

import datetime
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from portal.middleware import client_ip
from portal.models import AccessAction, AccessLogEntry

MAX_COOL_OFF = timedelta(days=1)
MEMORY = timedelta(days=1)  # how long earlier locks make the next one longer


def _base() -> timedelta:
    return timedelta(minutes=settings.AXES_COOLOFF_MINUTES)


def sign_in_username(request: HttpRequest | None, credentials: dict | None = None) -> str:
    """The address as typed, in the form accounts are stored: `Alice@X` and `alice@x` are
    one counter."""
    raw = None
    if credentials:
        raw = credentials.get("username") or credentials.get("email")
    if raw is None and request is not None:
        raw = request.POST.get("username")
    return (raw or "").strip().lower()


def failures_from_address(*, email: str, ip_address: str | None, since: datetime.datetime) -> int:
    if not email:
        return 0
    return AccessLogEntry.objects.filter(
        user__email=email,
        action=AccessAction.SIGN_IN_FAILED,
        ip_address=ip_address,
        created_at__gte=since,
    ).count()


def cool_off_for(*, failures: int) -> timedelta:
    """The pause after `failures` recent failures of one account from one address:
    the base for the first lock, doubled for each further one, at most a day."""
    locks = max(1, failures // settings.AXES_FAILURE_LIMIT)
    return min(_base() * 2 ** (locks - 1), MAX_COOL_OFF)


def sign_in_cool_off(request: HttpRequest | None = None) -> timedelta:
    """AXES_COOLOFF_TIME: the pause for the pair this request is about."""
    if request is None or not hasattr(request, "POST"):
        return _base()
    failures = failures_from_address(
        email=sign_in_username(request),
        ip_address=client_ip(request),
        since=timezone.now() - MEMORY,
    )
    return cool_off_for(failures=failures)


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: say what happened and when to try again (Japan time)."""
    from axes.models import AccessAttempt

    username = sign_in_username(request, credentials)
    cool_off = sign_in_cool_off(request)
    # Each attempt carries its own expiry (AXES_USE_ATTEMPT_EXPIRATION).
    retry_at = (
        AccessAttempt.objects.filter(username=username, ip_address=client_ip(request))
        .order_by("-expiration__expires_at")
        .values_list("expiration__expires_at", flat=True)
        .first()
    ) or timezone.now() + cool_off
    return render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        {
            "retry_at": timezone.localtime(retry_at),
            "cooloff_minutes": int(cool_off.total_seconds() // 60),
        },
        status=429,
    )
