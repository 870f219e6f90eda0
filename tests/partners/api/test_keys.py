"""API keys: 401 without a valid key, 403 outside its scope, hashed, revocable,
expiring, rate-limited with 429 and Retry-After; every call audited without values."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.core.management import call_command
from django.utils import timezone

from partners.api import keys
from partners.api.models import ApiKey, PartnerSystem
from portal.models import AuditEvent
from tests.partners.api.conftest import make_key, subject_of

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

DECIDE = {"purpose": "group-phone-sharing", "items": ["phone"]}


def _decide(api, key, subject):
    return api.call("post", "/decide", key, {**DECIDE, "subject": subject})


@pytest.mark.clause("LW-4.1")
def test_it_answers_401_without_a_valid_key(api, pay, pay_key, customer):
    subject = subject_of(pay, customer)
    wrong_secret = pay_key[:-4] + ("AAAA" if not pay_key.endswith("AAAA") else "BBBB")
    for key in (None, "", "nonsense", "ppk_", "ppk_000000000000_x", wrong_secret):
        response = _decide(api, key, subject)
        assert response.status_code == 401, key
        assert "detail" in response.json()
    assert _decide(api, pay_key, subject).status_code == 200


def test_the_key_is_stored_only_as_a_hash_and_shown_once(pay):
    system = PartnerSystem.objects.create(partner=pay, name="backend")
    row, key = keys.api_key_create(system=system, scopes="decide", actor=None)
    assert key.startswith(f"ppk_{row.prefix}_")
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    stored = ApiKey.objects.filter(pk=row.pk).values().get()
    assert key not in repr(stored)
    created = AuditEvent.objects.get(action="partners.api_key.created")
    assert key not in repr(created.payload)
    assert created.payload["scopes"] == ["decide"]


@pytest.mark.parametrize(
    ("scopes", "expected"),
    [
        ("decide", {"decide": 200, "provide": 403, "consents": 403, "events": 403}),
        ("provide", {"decide": 403, "provide": 200, "consents": 403, "events": 403}),
        ("consents", {"decide": 403, "provide": 403, "consents": 200, "events": 403}),
        ("events", {"decide": 403, "provide": 403, "consents": 403, "events": 200}),
    ],
)
def test_a_key_works_only_within_its_scopes(api, pay, customer, scopes, expected):
    key = make_key(pay, scopes=scopes)
    subject = subject_of(pay, customer)
    got = {
        "decide": _decide(api, key, subject).status_code,
        "provide": api.call(
            "post", "/provide", key, {**DECIDE, "subject": subject}, HTTP_IDEMPOTENCY_KEY="k1"
        ).status_code,
        "consents": api.call("get", f"/subjects/{subject}/consents", key).status_code,
        "events": api.call("get", "/events", key).status_code,
    }
    assert got == expected


def test_a_revoked_key_is_401_from_then_on(api, pay, pay_key, customer, administrator):
    subject = subject_of(pay, customer)
    assert _decide(api, pay_key, subject).status_code == 200
    row = ApiKey.objects.get()
    keys.api_key_revoke(key=row, actor=administrator)
    assert _decide(api, pay_key, subject).status_code == 401
    assert AuditEvent.objects.filter(
        action="partners.api_key.revoked", actor=administrator
    ).exists()


def test_an_expired_key_is_401(api, pay, customer):
    key = make_key(pay, expires_at=timezone.now() + datetime.timedelta(hours=1))
    subject = subject_of(pay, customer)
    assert _decide(api, key, subject).status_code == 200
    ApiKey.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert _decide(api, key, subject).status_code == 401


def test_a_key_of_an_inactive_system_or_partner_is_401(api, pay, pay_key, customer):
    subject = subject_of(pay, customer)
    PartnerSystem.objects.update(is_active=False)
    assert _decide(api, pay_key, subject).status_code == 401
    PartnerSystem.objects.update(is_active=True)
    pay.is_active = False
    pay.save()
    assert _decide(api, pay_key, subject).status_code == 401


def test_last_use_is_noted(api, pay, pay_key, customer):
    subject = subject_of(pay, customer)
    assert ApiKey.objects.get().last_used_at is None
    _decide(api, pay_key, subject)
    assert ApiKey.objects.get().last_used_at is not None


def test_over_the_rate_limit_the_answer_is_429_with_retry_after(api, pay, customer):
    key = make_key(pay, rate_limit_per_minute=3)
    subject = subject_of(pay, customer)
    statuses = [_decide(api, key, subject).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = _decide(api, key, subject)
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    # Each key has its own window: another key of the same partner still works.
    other = make_key(pay, rate_limit_per_minute=3)
    assert _decide(api, other, subject).status_code == 200


def test_the_window_starts_again_after_a_minute(pay):
    key_row, _raw = keys.api_key_create(
        system=PartnerSystem.objects.create(partner=pay, name="b"),
        scopes="decide",
        actor=None,
        rate_limit_per_minute=2,
    )
    start = timezone.now()
    assert [keys.api_key_use(key=key_row, now=start).allowed for _ in range(3)] == [
        True,
        True,
        False,
    ]
    later = start + datetime.timedelta(seconds=61)
    assert keys.api_key_use(key=key_row, now=later).allowed is True


def test_every_call_is_audited_without_personal_values(api, pay, pay_key, customer):
    customer.phone = "090-1111-2222"
    customer.save()
    subject = subject_of(pay, customer)
    since = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    _decide(api, pay_key, subject)
    api.call(
        "post", "/provide", pay_key, {**DECIDE, "subject": subject}, HTTP_IDEMPOTENCY_KEY="p-1"
    )
    api.call("get", "/subjects/sub_unknown/consents", pay_key)
    calls = list(
        AuditEvent.objects.filter(action="partners.api.called", pk__gt=since).order_by("pk")
    )
    row = ApiKey.objects.get()
    assert [(c.payload["operation"], c.payload["status"]) for c in calls] == [
        ("decide", 200),
        ("provide", 200),
        ("/api/v1/subjects/sub_unknown/consents", 404),
    ]
    for call in calls:
        assert call.payload["system"] == row.system_id
        assert call.payload["key"] == row.prefix
        assert "090-1111-2222" not in repr(call.payload)
        assert customer.email not in repr(call.payload)
    assert calls[0].payload["decision"] == "allowed"
    assert calls[1].payload["decision"] == "allowed"


def test_the_command_prints_the_key_on_its_last_line(api, pay, customer, capsys):
    call_command(
        "api_key_create", "--partner", "Example Pay Co., Ltd.", "--scopes", "decide,events"
    )
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert key.startswith("ppk_")
    assert ApiKey.objects.get().scopes == ["decide", "events"]
    assert _decide(api, key, subject_of(pay, customer)).status_code == 200


def test_the_demo_prints_a_working_key_and_a_curl_line(api, capsys):
    import re

    call_command("demo")
    out = capsys.readouterr().out
    key = re.search(r"partner API demo key: (ppk_\S+)", out).group(1)
    curl = next(line for line in out.splitlines() if "curl" in line)
    assert f"Bearer {key}" in curl and "/api/v1/decide" in curl
    subject = re.search(r"sub_[0-9a-f]{40}", curl).group(0)
    response = _decide(api, key, subject)
    assert response.status_code == 200
    # The demo's joint use of the phone number also asks the customer's consent (LY-4).
    assert (response.json()["allowed"], response.json()["basis"]) == (True, "joint_use_consent")
