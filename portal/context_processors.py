from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {
        "is_privacy_staff": bool(user and user.is_authenticated and user.is_privacy_staff),
        "is_privacy_admin": bool(user and user.is_authenticated and user.is_privacy_admin),
        "GA_MEASUREMENT_ID": settings.GA_MEASUREMENT_ID,
    }
