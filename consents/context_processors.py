"""What every page needs from consents: the cookie banner, the analytics snippet, the policy
notice. Evaluated lazily: a page that does not use them runs no query.

Issue 13: once the browser carries a cookie choice and no analytics id is configured, the
ledger cannot change what the page shows (no banner either way, no snippet to render), so no
consent decision is made; and the policy announcement, a notice to customers, is not looked
up on the back-office pages (/staff/, /admin/). The published versions come from this
process's copy (`consents.selectors.published_cached`); which of them the customer dismissed
is asked once per session and kept in it (ANNOUNCEMENT_SESSION_KEY, for the list of
candidate versions it was asked for), so a page asks nothing once that is known. Dismissing
a notice forgets the session's answer."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from consents.cookies import CHOICES, COOKIE_NAME, CookieState, cookie_state
from consents.selectors import (
    announcement_candidates,
    announcement_dismissed,
    policy_announcement_for,
)

BACK_OFFICE_PREFIXES = ("/staff/", "/admin/")
ANNOUNCEMENT_SESSION_KEY = "consents_announcement_dismissed"


@dataclass(frozen=True)
class AnsweredBanner:
    """What base.html reads of `cookie_state` when the browser already answered the banner
    and no analytics id is configured: no banner, no snippet, whatever the ledger says."""

    show_banner: bool = False
    render_analytics: bool = False


def _page_cookie_state(request: HttpRequest) -> CookieState | AnsweredBanner:
    if request.COOKIES.get(COOKIE_NAME) in CHOICES and not settings.GA_MEASUREMENT_ID:
        return AnsweredBanner()
    return cookie_state(request)


def consents(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)

    def announcement():
        if user is None or not user.is_authenticated:
            return None
        if request.path.startswith(BACK_OFFICE_PREFIXES):
            return None
        candidates = announcement_candidates(customer=user)
        if not candidates:
            return None
        ids = [v.pk for v in candidates]
        session = getattr(request, "session", None)
        known = session.get(ANNOUNCEMENT_SESSION_KEY) if session is not None else None
        if known and known.get("versions") == ids:
            dismissed = set(known["dismissed"])
        else:
            dismissed = announcement_dismissed(customer=user, versions=candidates)
            if session is not None:
                session[ANNOUNCEMENT_SESSION_KEY] = {
                    "versions": ids,
                    "dismissed": sorted(dismissed),
                }
        return policy_announcement_for(customer=user, dismissed=dismissed)

    return {
        "cookie_state": SimpleLazyObject(lambda: _page_cookie_state(request)),
        "policy_announcement": SimpleLazyObject(announcement),
    }
