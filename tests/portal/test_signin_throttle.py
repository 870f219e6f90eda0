"""Sign-in throttling locks the pair of account and address, with a growing pause, and never
locks the real user out (LW-5)."""

import re
from datetime import UTC, timedelta

import pytest
from axes.models import AccessAttempt, AccessAttemptExpiration
from django.core import mail
from django.test import Client
from django.urls import reverse

from portal.models import AccessLogEntry
from tests.factories import PASSWORD

ATTACKER = "198.51.100.66"
OWNER_HOME = "203.0.113.20"


def sign_in(client, email, password=PASSWORD, ip=ATTACKER):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def go_back_in_time(minutes: int) -> None:
    """Move every recorded attempt and logged failure `minutes` into the past, as if that much
    time had gone by (no clock in the test)."""
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(minutes=minutes)
        attempt.save(update_fields=["attempt_time"])
    for expiration in AccessAttemptExpiration.objects.all():
        expiration.expires_at -= timedelta(minutes=minutes)
        expiration.save(update_fields=["expires_at"])
    for entry in AccessLogEntry.objects.all():
        entry.created_at -= timedelta(minutes=minutes)
        entry.save(update_fields=["created_at"])


@pytest.mark.django_db
@pytest.mark.clause("LW-5")
def test_thirty_wrong_passwords_leave_the_owner_and_other_accounts_alone(customer, other_customer):
    attacker = Client()
    statuses = [sign_in(attacker, customer.email, f"guess-{i}").status_code for i in range(30)]
    # Four failures show the form again; the fifth pauses the pair.
    assert statuses == [200] * 4 + [429] * 26
    # Even the right password is refused from the attacker's address ...
    assert sign_in(attacker, customer.email).status_code == 429
    # ... but the owner signs in from home,
    owner = Client()
    assert sign_in(owner, customer.email, ip=OWNER_HOME).status_code == 302
    assert owner.get(reverse("dashboard")).status_code == 200
    # and another account signs in from the attacker's own address.
    neighbour = Client()
    assert sign_in(neighbour, other_customer.email, ip=ATTACKER).status_code == 302


@pytest.mark.django_db
@pytest.mark.clause("LW-5")
def test_the_address_typed_in_another_case_is_the_same_counter(customer):
    client = Client()
    for i in range(5):
        sign_in(client, customer.email.upper() if i % 2 else customer.email, f"guess-{i}")
    assert sign_in(client, customer.email.title()).status_code == 429


@pytest.mark.django_db
@pytest.mark.clause("LW-5")
def test_the_pause_grows_with_each_lock(customer):
    client = Client()
    for i in range(5):
        sign_in(client, customer.email, f"first-{i}")
    # First lock: a quarter of an hour.
    go_back_in_time(14)
    assert sign_in(client, customer.email).status_code == 429
    go_back_in_time(2)  # 16 minutes after the last failure
    for i in range(4):
        assert sign_in(client, customer.email, f"second-{i}").status_code == 200
    assert sign_in(client, customer.email, "second-4").status_code == 429
    # Second lock of the same pair within a day: half an hour.
    go_back_in_time(16)
    assert sign_in(client, customer.email).status_code == 429
    go_back_in_time(13)  # 29 minutes
    assert sign_in(client, customer.email).status_code == 429
    go_back_in_time(2)  # 31 minutes
    for i in range(4):
        assert sign_in(client, customer.email, f"third-{i}").status_code == 200
    assert sign_in(client, customer.email, "third-4").status_code == 429
    # Third lock: an hour.
    go_back_in_time(59)
    assert sign_in(client, customer.email).status_code == 429
    go_back_in_time(2)
    assert sign_in(client, customer.email).status_code == 302


@pytest.mark.django_db
@pytest.mark.clause("LW-5")
def test_the_lock_page_says_what_happened_and_when_to_retry_in_tokyo_time(customer):
    client = Client()
    for i in range(5):
        sign_in(client, customer.email, f"guess-{i}")
    last = AccessAttempt.objects.get().attempt_time
    page = sign_in(client, customer.email).content.decode()
    retry = re.search(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2})", page).group(1)
    # 15 minutes after the last failure, shown in Japan time (UTC+9).
    expected = (last.astimezone(UTC) + timedelta(minutes=15, hours=9)).strftime("%Y-%m-%d %H:%M")
    assert retry == expected
    assert "ログイン" in page and "日本時間" in page  # the customer's language, Japanese
    assert reverse("password_reset") in page
    en = Client()
    en.cookies["portal_language"] = "en"
    page = sign_in(en, customer.email).content.decode()
    assert "Japan time" in page and "from your network" in page


@pytest.mark.django_db
@pytest.mark.clause("LW-5")
def test_a_locked_owner_resets_the_password_by_mail_and_signs_in(
    customer, django_capture_on_commit_callbacks
):
    client = Client()
    for i in range(5):
        sign_in(client, customer.email, f"forgot-{i}", ip=OWNER_HOME)
    assert sign_in(client, customer.email, ip=OWNER_HOME).status_code == 429
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("password_reset"), {"email": customer.email}, REMOTE_ADDR=OWNER_HOME
        )
    assert response.status_code == 302
    (message,) = mail.outbox
    link = re.search(r"http://testserver(/accounts/password/reset/\S+)", message.body).group(1)
    response = client.get(link, follow=True)
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "remembered-at-last-77", "new_password2": "remembered-at-last-77"},
        REMOTE_ADDR=OWNER_HOME,
    )
    assert response.status_code == 302
    assert (
        sign_in(client, customer.email, "remembered-at-last-77", ip=OWNER_HOME).status_code == 302
    )
