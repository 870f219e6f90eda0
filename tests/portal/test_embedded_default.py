"""The README's run command works on the embedded defaults: SQLite, no broker, console mail.

`bin/run` migrates an SQLite database, loads the demo and serves it. The hot paths carry
hand-written SQL for PostgreSQL (consent decisions, the queue, exports), so this test does
what a newcomer does on a fresh machine, in subprocesses with the embedded settings: migrate,
load the demo, sign in through the real forms (password, then the demo staff's second
factor) and open the pages each demo person works with. Every page must answer 200.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# (email, second factor?, URL names every one of them must be able to open)
PEOPLE = [
    (
        "hanako@example.jp",
        False,
        [
            "home",
            "dashboard",
            "profile",
            "consents:consent_page",
            "consents:history",
            "requests:list",
            "requests:start",
            "partners:provisions",
            "incidents:announcements",
        ],
    ),
    (
        "staff@example.jp",
        True,
        [
            "staff_home",
            "requests:staff_queue",
            "requests:staff_overview",
            "partners:staff_registry",
            "partners:staff_records",
            "partners:staff_exceptions",
            "partners:staff_exports",
            "partners:staff_api",
            "incidents:staff_list",
        ],
    ),
    (
        "admin@example.jp",
        True,
        [
            "staff_home",
            "requests:staff_queue",
            "requests:staff_approvals",
            "incidents:staff_list",
            "admin:index",
        ],
    ),
]
PUBLIC = [
    "home",
    "consents:policy",
    "partners:group_companies",
    "partners:countries",
    "partners:joint_use",
    "requests:transparency",
    "healthz",
]


def walk() -> None:
    """Run inside the embedded-default process: print {"who page": status} as JSON."""
    import django

    django.setup()
    from django.test import Client
    from django.urls import reverse
    from django_otp.oath import TOTP

    from portal.demo import DEMO_PASSWORD
    from portal.mfa import DEMO_TOTP_KEY_HEX

    statuses = {}
    for name in PUBLIC:
        statuses[f"visitor {name}"] = Client().get(reverse(name)).status_code
    for email, second_factor, names in PEOPLE:
        client = Client()
        answer = client.post(reverse("login"), {"username": email, "password": DEMO_PASSWORD})
        statuses[f"{email} sign-in"] = answer.status_code
        if second_factor:
            totp = TOTP(bytes.fromhex(DEMO_TOTP_KEY_HEX))
            answer = client.post(reverse("mfa_verify"), {"code": f"{totp.token():06d}"})
            statuses[f"{email} second factor"] = answer.status_code
        for name in names:
            statuses[f"{email} {name}"] = client.get(reverse(name)).status_code
    print(json.dumps(statuses))


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("embedded")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DATABASE_OWNER_URL", "CELERY_BROKER_URL"}
    }
    env.update(
        DJANGO_DEBUG="true",
        DATABASE_URL=f"sqlite:///{folder}/db.sqlite3",
        CELERY_BROKER_URL="memory://",
        CELERY_TASK_ALWAYS_EAGER="true",
        PRIVATE_STORAGE_ROOT=str(folder / "private"),
        EMAIL_URL="consolemail://",
        DJANGO_SETTINGS_MODULE="portal.settings",
    )

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    return run


def test_the_demo_loads_on_sqlite_and_every_demo_person_can_work(embedded):
    migrated = embedded("manage.py", "migrate", "--noinput", "-v0")
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    demo = embedded("manage.py", "demo")
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert "Demo data is in place." in demo.stdout
    walked = embedded("-c", "from tests.portal.test_embedded_default import walk; walk()")
    assert walked.returncode == 0, walked.stderr[-3000:]
    statuses = json.loads(walked.stdout.strip().splitlines()[-1])
    for email, second_factor, _ in PEOPLE:
        # the sign-in form and the second-factor step redirect on success
        assert statuses.pop(f"{email} sign-in") == 302, email
        if second_factor:
            assert statuses.pop(f"{email} second factor") == 302, email
    expected = len(PUBLIC) + sum(len(names) for _, _, names in PEOPLE)
    assert len(statuses) == expected
    assert {page: code for page, code in statuses.items() if code != 200} == {}
