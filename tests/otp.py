"""Test helpers for the second factor.

Staff must finish every sign-in with a second factor. Tests that sign staff in with
`client.force_login` (and the browser journeys, through tests/browser/helpers.sign_in) get a
verified device in the session, the same state `django_otp.login` leaves after a real code:
`verify_second_factor` below, applied by the autouse fixture in tests/conftest.py. The
production check is untouched; tests of the check itself sign in with
`login_without_second_factor`.
"""

from __future__ import annotations

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import mfa

_original_force_login = Client.force_login


def totp_now(device: TOTPDevice) -> str:
    """The code an authenticator app would show for `device` right now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def app_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)


def verify_second_factor(client: Client, user) -> TOTPDevice:
    """Mark the client's session as verified with a (new or existing) device of `user`."""
    device = app_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.pop(mfa.SESSION_PENDING, None)
    session.save()
    return device


def force_login_verified(self: Client, user, backend=None) -> None:
    _original_force_login(self, user, backend)
    if mfa.second_factor_required(user):
        verify_second_factor(self, user)


def login_without_second_factor(client: Client, user) -> None:
    _original_force_login(client, user)
