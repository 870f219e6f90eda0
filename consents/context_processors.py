"""What every page needs from consents: the cookie banner, the analytics snippet, the policy
notice. Evaluated lazily: a page that does not use them runs no query."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from consents.cookies import cookie_state
from consents.selectors import policy_announcement_for


def consents(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)

    def announcement():
        if user is None or not user.is_authenticated:
            return None
        return policy_announcement_for(customer=user)

    return {
        "cookie_state": SimpleLazyObject(lambda: cookie_state(request)),
        "policy_announcement": SimpleLazyObject(announcement),
    }
