"""Sign-in events from django.contrib.auth into the access log (LW-2.2B)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from portal.models import AccessAction
from portal.services import access_log_record


@receiver(user_logged_in, dispatch_uid="portal.access_log.sign_in")
def _signed_in(sender, request, user, **kwargs):
    access_log_record(user=user, action=AccessAction.SIGN_IN)


@receiver(user_logged_out, dispatch_uid="portal.access_log.sign_out")
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        access_log_record(user=user, action=AccessAction.SIGN_OUT)


@receiver(user_login_failed, dispatch_uid="portal.access_log.sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    # Only a failure against an existing account is logged for that account; attempts on
    # unknown addresses are counted by django-axes for throttling and kept nowhere else.
    if request is not None and getattr(request, "axes_locked_out", False):
        # Refused by the sign-in pause before any password check: not a failure of its own
        # (the pause grows with real failures only, portal.signin_throttle).
        return
    email = (credentials.get("username") or credentials.get("email") or "").lower()
    user = get_user_model().objects.filter(email=email).first() if email else None
    if user is not None:
        access_log_record(user=user, action=AccessAction.SIGN_IN_FAILED)
