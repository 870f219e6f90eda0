"""The visitor's cookie choice and the Global Privacy Control signal (LW-2.2A, LW-7).

Anonymous visitors keep their banner choice in a cookie; a signed-in customer's choice is
in the ledger (the `analytics` purpose), which wins over the cookie. A request carrying
`Sec-GPC: 1` refuses analytics whatever was chosen.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from consents.models import ANALYTICS_PURPOSE, ConsentSource
from consents.selectors import consent_decide
from portal.i18n import english_active

COOKIE_NAME = "portal_cookies"
COOKIE_MAX_AGE = 180 * 24 * 3600  # ask again after six months
CHOICES = ("necessary", "analytics")
# Cookies Google Analytics sets; dropped when a visitor refuses analytics.
ANALYTICS_COOKIE_PREFIXES = ("_ga", "_gid", "_gat")

# What the policy promises to point to about Google Analytics (LW-7): Google's terms, its
# privacy policy and the browser add-on that opts out of it, in Japanese and in English.
GA_LINKS = {
    "terms": (
        "https://marketingplatform.google.com/about/analytics/terms/jp/",
        "https://marketingplatform.google.com/about/analytics/terms/us/",
    ),
    "privacy": (
        "https://policies.google.com/privacy?hl=ja",
        "https://policies.google.com/privacy?hl=en",
    ),
    "opt_out": (
        "https://tools.google.com/dlpage/gaoptout?hl=ja",
        "https://tools.google.com/dlpage/gaoptout?hl=en",
    ),
}


def ga_link(name: str) -> str:
    """One of GA_LINKS in the page's language."""
    ja, en = GA_LINKS[name]
    return en if english_active() else ja


def gpc_signal(request: HttpRequest) -> bool:
    return request.headers.get("Sec-GPC", "").strip() == "1"


@dataclass(frozen=True)
class CookieState:
    gpc: bool
    choice: str | None  # "necessary", "analytics", or None when never chosen
    analytics_allowed: bool  # consent to analytics, whether or not GA is configured
    # The banner would ask, but the GPC signal answered: say so in its place (LW-7).
    show_gpc_notice: bool = False

    @property
    def show_banner(self) -> bool:
        return self.choice is None

    @property
    def render_analytics(self) -> bool:
        """The Google Analytics snippet is rendered only with an id and consent (LW-7)."""
        return bool(settings.GA_MEASUREMENT_ID) and self.analytics_allowed


def cookie_state(request: HttpRequest) -> CookieState:
    gpc = gpc_signal(request)
    cookie = request.COOKIES.get(COOKIE_NAME)
    choice = cookie if cookie in CHOICES else None
    user = getattr(request, "user", None)
    own_choice = choice  # what the visitor chose, not the signal
    if user is not None and user.is_authenticated:
        decision = consent_decide(customer=user, purpose_code=ANALYTICS_PURPOSE)
        by_signal = decision.event is not None and decision.event.source == ConsentSource.GPC
        if decision.decided_by not in ("none", "default") and not by_signal:
            own_choice = "analytics" if decision.granted else "necessary"
        if decision.decided_by in ("none", "default"):
            # Never chosen while signed in: the browser's banner choice stands.
            allowed = choice == "analytics"
        else:
            choice = "analytics" if decision.granted else "necessary"
            allowed = decision.granted
    else:
        allowed = choice == "analytics"
    if gpc:
        # The signal is an answer in itself: no banner, no analytics (GPC never grants).
        return CookieState(
            gpc=True,
            choice=choice or "necessary",
            analytics_allowed=False,
            show_gpc_notice=own_choice is None,
        )
    return CookieState(gpc=False, choice=choice, analytics_allowed=allowed)


def cookie_choice_set(response: HttpResponse, request: HttpRequest, choice: str) -> None:
    response.set_cookie(
        COOKIE_NAME,
        choice,
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    if choice != "analytics":
        for name in request.COOKIES:
            if name.startswith(ANALYTICS_COOKIE_PREFIXES):
                response.delete_cookie(name)
