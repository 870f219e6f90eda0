"""Demo data of the portal app: the cast of people. Later apps add their own `demo.py`."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.mfa import DEMO_TOTP_KEY_HEX, DEMO_TOTP_SECRET_BASE32
from portal.models import User
from portal.roles import ADMIN_GROUP, STAFF_GROUP

DEMO_PASSWORD = "demo-pass-2026"

PEOPLE = [
    # email, name, language, role, extra profile fields
    (
        "hanako@example.jp",
        "山田 花子",
        "ja",
        None,
        {
            "phone": "090-1234-5678",
            "postal_code": "150-0002",
            "prefecture": "13",
            "address": "東京都渋谷区渋谷2-21-1",
            "birth_year": 1988,
        },
    ),
    (
        "emma@example.com",
        "Emma Wilson",
        "en",
        None,
        {
            "phone": "080-2345-6789",
            "postal_code": "530-0001",
            "prefecture": "27",
            "address": "1-1 Umeda, Kita-ku, Osaka",
            "birth_year": 1992,
        },
    ),
    ("staff@example.jp", "佐藤 健", "ja", STAFF_GROUP, {}),
    ("admin@example.jp", "鈴木 真理", "ja", ADMIN_GROUP, {}),
]


@transaction.atomic
def load(*, out) -> None:
    for email, name, language, group, extra in PEOPLE:
        user, created = User.objects.get_or_create(
            email=email,
            defaults={"full_name": name, "preferred_language": language, **extra},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            if group == ADMIN_GROUP:
                user.is_staff = True  # the Django admin is where administrators configure
            user.save()
        if group:
            user.groups.add(Group.objects.get(name=group))
        if created:
            # Sign-up confirms the address; the demo people are confirmed from the start.
            user.email_confirmed_at = user.date_joined
            user.save(update_fields=["email_confirmed_at"])
        role = {None: "customer", STAFF_GROUP: "privacy staff", ADMIN_GROUP: "administrator"}
        out(f"  {role[group]:<14} {email:<22} {DEMO_PASSWORD}  ({language})")
        if group:
            _demo_second_factor(user)
    if settings.DEBUG:
        out(
            "  Staff sign in with a second factor: add this key to an authenticator app\n"
            f"  (time-based, 6 digits): {DEMO_TOTP_SECRET_BASE32}. For the demo only: with\n"
            "  DEBUG off the portal refuses codes from this key."
        )
    else:
        out(
            "  Staff sign in with a second factor: at the first sign-in the portal shows a\n"
            "  QR code to scan with an authenticator app (DEBUG is off, so no fixed demo key)."
        )


def _demo_second_factor(user: User) -> None:
    """A fixed, published TOTP key for the demo staff, on a developer's machine only."""
    if not settings.DEBUG:
        return
    TOTPDevice.objects.get_or_create(
        user=user,
        name="Demo authenticator",
        defaults={"key": DEMO_TOTP_KEY_HEX, "confirmed": True},
    )
