"""Demo data of the portal app: the cast of people. Later apps add their own `demo.py`."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

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
        role = {None: "customer", STAFF_GROUP: "privacy staff", ADMIN_GROUP: "administrator"}
        out(f"  {role[group]:<14} {email:<22} {DEMO_PASSWORD}  ({language})")
