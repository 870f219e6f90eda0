from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {
        # The staff links appear once this session's second factor is done (portal.mfa).
        "is_privacy_staff": bool(
            user
            and user.is_authenticated
            and user.is_privacy_staff
            and getattr(user, "is_verified", lambda: False)()
        ),
        "is_privacy_admin": bool(user and user.is_authenticated and user.is_privacy_admin),
        "GA_MEASUREMENT_ID": settings.GA_MEASUREMENT_ID,
    }
