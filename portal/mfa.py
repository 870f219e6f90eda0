"""The second factor (LW-5): authenticator apps (TOTP), passkeys (WebAuthn) and
recovery codes, on django-otp and django-otp-webauthn.

Privacy staff and administrators must finish every sign-in with a second factor; a customer
may turn it on. Who still owes the second step is kept in the session at sign-in, so that a
customer without one pays no query for it; the staff checks (`portal.roles`, the admin site)
ask the device itself.
"""

from __future__ import annotations

import base64

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from portal.errors import PortalError
from portal.models import User
from portal.services import audit_record

SESSION_PENDING = "portal_second_factor_pending"
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"

# The fixed secret of the demo staff (base32 "JBSWY3DPEHPK3PXP", a well-known example):
# for `manage.py demo` on a developer's machine only. Production (DEBUG off) never creates
# it and refuses a code from a device that holds it.
DEMO_TOTP_SECRET_BASE32 = "JBSWY3DPEHPK3PXP"
DEMO_TOTP_KEY_HEX = base64.b32decode(DEMO_TOTP_SECRET_BASE32).hex()


def second_factor_required(user: User) -> bool:
    """Staff and anyone who can reach the Django admin must use a second factor."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_staff or user.is_superuser or user.is_privacy_staff)
    )


def second_factor_enrolled(user: User) -> bool:
    return user_has_device(user, confirmed=True)


def demo_secret_refused(device) -> bool:
    """A device holding the published demo secret is no second factor outside DEBUG."""
    return (
        not settings.DEBUG
        and isinstance(device, TOTPDevice)
        and device.key.lower() == DEMO_TOTP_KEY_HEX
    )


@receiver(user_logged_in, dispatch_uid="portal.mfa.pending")
def _mark_pending(sender, request, user, **kwargs):
    # Runs for every sign-in (form, password reset, tests' force_login); the middleware
    # then holds the session at the second-factor step until it is done.
    if request is not None and hasattr(request, "session"):
        if second_factor_required(user) or second_factor_enrolled(user):
            request.session[SESSION_PENDING] = True
        else:
            request.session.pop(SESSION_PENDING, None)


def second_factor_url(request: HttpRequest, user: User) -> str:
    name = "mfa_verify" if second_factor_enrolled(user) else "mfa_setup"
    return f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}"


class SecondFactorMiddleware:
    """Until the second factor is done, only the second-factor pages, signing out and the
    language switch answer; everything else (the admin too) sends there."""

    def __init__(self, get_response):
        self.get_response = get_response

    def _exempt(self, path: str) -> bool:
        return path.startswith(
            (
                reverse("mfa_verify"),  # /accounts/two-factor/ and everything under it
                reverse("logout"),
                reverse("language_set"),
                settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/static/",
            )
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if (
            session is not None
            and session.get(SESSION_PENDING)
            and request.user.is_authenticated
            and not self._exempt(request.path_info)
        ):
            if request.user.is_verified():
                del session[SESSION_PENDING]
            else:
                return redirect(second_factor_url(request, request.user))
        return self.get_response(request)


# --- services ------------------------------------------------------------------------------


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator-app secret for `user` to scan; an earlier unconfirmed
    one is dropped."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


@transaction.atomic
def totp_device_confirm(*, user: User, device_id: int, token: str) -> list[str]:
    """Confirm the scanned secret with a code from the app (LW-5). Returns fresh recovery
    codes when the user had none."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, pk=device_id, confirmed=False)
        .first()
    )
    if device is None:
        raise PortalError(_("This set-up has expired. Start again."))
    if not device.verify_token(token.strip().replace(" ", "")):
        raise PortalError(_("That code is not right. Enter the current 6-digit code."))
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()  # one app at a time
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(actor=user, action="portal.second_factor.enrolled", payload={"kind": "totp"})
    if StaticToken.objects.filter(device__user=user).exists():
        return []
    return recovery_codes_generate(user=user)


@transaction.atomic
def recovery_codes_generate(*, user: User) -> list[str]:
    """Replace the user's recovery codes with new single-use ones; the old ones stop working."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.MFA_RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    audit_record(actor=user, action="portal.recovery_codes.generated")
    return codes


@transaction.atomic
def second_factor_remove(*, user: User) -> None:
    """A customer turns the second factor off. Staff cannot: they must keep one."""
    if second_factor_required(user):
        raise PortalError(_("Staff accounts must keep a second factor."))
    second_factor_devices_delete(user=user)
    audit_record(actor=user, action="portal.second_factor.removed")


def second_factor_devices_delete(*, user: User) -> None:
    """Every device of the user: app secrets, recovery codes, passkeys (also on erasure)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    WebAuthnCredential.objects.filter(user=user).delete()


def totp_secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(bytes.fromhex(device.key)).decode("ascii")


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URI as an inline SVG QR code (no image library needed)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")
