from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from portal import navigation


def site(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {
        # The staff links appear once this session's second factor is done (portal.mfa).
        # The second factor is asked first: it needs no query, and a customer without one
        # then costs no permission query on their pages.
        "is_privacy_staff": bool(
            user
            and user.is_authenticated
            and getattr(user, "is_verified", lambda: False)()
            and user.is_privacy_staff
        ),
        # Only staff pages read it: evaluated when a template does.
        "is_privacy_admin": SimpleLazyObject(
            lambda: bool(user and user.is_authenticated and user.is_privacy_admin)
        ),
        "GA_MEASUREMENT_ID": settings.GA_MEASUREMENT_ID,
        # What the feature apps add to the layout (portal/navigation.py).
        "site_links": navigation.links(),
        "site_includes": navigation.includes(),
        "site_pages": navigation.pages(),
    }
