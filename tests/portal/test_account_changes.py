"""Account changes that cannot be hijacked (LW-5): a confirmed sign-up, an email
change that the new address confirms and the old one hears of, and no page or mail that tells
an outsider whether an address has an account."""

import re
import time

import pytest
from django.conf import settings
from django.core import signing
from django.test import Client
from django.urls import reverse

from portal.models import AuditEvent, OutboundMail, User
from tests.factories import PASSWORD

NEW_PASSWORD = "a-long-unusual-passphrase"


def sign_up(client, email, full_name="新井 はじめ"):
    return client.post(
        reverse("sign_up"),
        {
            "email": email,
            "full_name": full_name,
            "preferred_language": "en",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )


def link_in(message) -> str:
    return re.search(re.escape(settings.SITE_URL) + r"(/\S+)", message.body).group(1)


class Outbox:
    """The portal's outbox table, in the order mails were queued."""

    def _rows(self):
        return list(OutboundMail.objects.order_by("id"))

    def __iter__(self):
        return iter(self._rows())

    def __getitem__(self, index):
        return self._rows()[index]

    def __eq__(self, other):
        return self._rows() == other


@pytest.fixture
def outbox(db):
    return Outbox()


def english_client() -> Client:
    client = Client()
    client.cookies["portal_language"] = "en"
    return client


def without_tokens(html: bytes) -> str:
    """A page without the per-request CSRF token and script nonce."""
    return re.sub(r'(value|nonce)="[^"]{20,}"', "", html.decode())


# --- sign-up -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clause("LW-5")
def test_sign_up_with_a_taken_address_looks_the_same_and_tells_its_holder(outbox, customer):
    fresh = sign_up(Client(), "newcomer@example.jp")
    taken = sign_up(Client(), customer.email.upper(), full_name="Mallory")
    # The same answer ...
    assert (fresh.status_code, fresh["Location"]) == (taken.status_code, taken["Location"])
    assert (fresh.status_code, fresh["Location"]) == (302, reverse("sign_up_done"))
    assert without_tokens(Client().get(fresh["Location"]).content) == without_tokens(
        Client().get(taken["Location"]).content
    )
    # ... and one mail to each address: a link to the newcomer, a note to the holder.
    assert sorted((m.to, m.subject) for m in outbox) == [
        ("alice@example.jp", "同じアドレスでアカウント作成が試みられました"),
        ("newcomer@example.jp", "Confirm your email address"),
    ]
    customer.refresh_from_db()
    assert customer.full_name == "山田 アリス" and customer.check_password(PASSWORD)
    assert User.objects.filter(email="alice@example.jp").count() == 1


@pytest.mark.django_db
@pytest.mark.clause("LW-5")
def test_an_unconfirmed_account_cannot_file_until_the_link_is_followed(outbox):
    client = english_client()
    sign_up(client, "newcomer@example.jp")
    (message,) = outbox
    user = User.objects.get(email="newcomer@example.jp")
    client.post(reverse("login"), {"username": user.email, "password": NEW_PASSWORD})
    file_url = reverse("requests:file", kwargs={"kind": "disclosure"})
    response = client.get(file_url)
    assert response.status_code == 403
    assert "Confirm your email address first" in response.content.decode()
    assert client.post(file_url, {}).status_code == 403
    # Opening the link shows a button; only pressing it confirms (mail scanners open links).
    link = link_in(message)
    assert client.get(link).status_code == 200
    user.refresh_from_db()
    assert user.email_confirmed_at is None
    assert client.post(link).status_code == 302
    user.refresh_from_db()
    assert user.email_confirmed_at is not None
    assert client.get(file_url).status_code == 200
    assert AuditEvent.objects.filter(action="portal.user.email_confirmed", actor=user).exists()


@pytest.mark.django_db
@pytest.mark.clause("LW-5")
def test_a_tampered_or_expired_confirmation_link_is_refused_with_a_message(outbox, monkeypatch):
    sign_up(Client(), "newcomer@example.jp")
    user = User.objects.get(email="newcomer@example.jp")
    client = english_client()
    tampered = reverse("email_confirm", kwargs={"token": "eyJ1IjoxfQ:1abc:forged"})
    response = client.post(tampered, follow=True)
    assert response.status_code == 200
    assert "This link has expired or is not valid" in response.content.decode()
    real_time = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() - 4 * 24 * 3600)
    old = signing.dumps({"u": user.pk, "e": user.email}, salt="portal.email.confirm")
    monkeypatch.undo()
    response = client.post(reverse("email_confirm", kwargs={"token": old}), follow=True)
    assert "This link has expired or is not valid" in response.content.decode()
    user.refresh_from_db()
    assert user.email_confirmed_at is None


@pytest.mark.django_db
@pytest.mark.clause("LW-5")
def test_the_link_can_be_sent_again(outbox):
    client = Client()
    sign_up(client, "newcomer@example.jp")
    client.post(reverse("login"), {"username": "newcomer@example.jp", "password": NEW_PASSWORD})
    assert client.post(reverse("email_confirmation_resend")).status_code == 302
    assert [m.subject for m in outbox] == ["Confirm your email address"] * 2


# --- email change --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clause("LW-5")
def test_an_email_change_needs_the_password(outbox, customer_client, customer):
    response = customer_client.post(
        reverse("email_change"), {"new_email": "alice@new.example.jp", "password": "guess"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert outbox == []
    customer.refresh_from_db()
    assert customer.email == "alice@example.jp"


@pytest.mark.django_db
@pytest.mark.clause("LW-5")
def test_an_email_change_takes_effect_only_when_the_new_address_confirms(
    outbox, customer_client, customer
):
    response = customer_client.post(
        reverse("email_change"), {"new_email": "Alice@New.example.jp", "password": PASSWORD}
    )
    assert response.status_code == 302
    (to_new,) = outbox
    assert to_new.to == "alice@new.example.jp"
    customer.refresh_from_db()
    assert customer.email == "alice@example.jp"  # nothing changes yet
    link = link_in(to_new)
    page = Client().get(link).content.decode()
    assert "alice@new.example.jp" in page
    assert Client().post(link).status_code == 302
    customer.refresh_from_db()
    assert customer.email == "alice@new.example.jp"
    # The old address is told, in the customer's language.
    to_old = outbox[1]
    assert to_old.to == "alice@example.jp"
    assert to_old.subject == "メールアドレスが変更されました"
    assert "alice@new.example.jp" in to_old.body
    # The link was for the old address: it does nothing a second time.
    response = english_client().post(link)
    assert response.status_code == 400
    assert "This link has expired or is not valid" in response.content.decode()
    assert AuditEvent.objects.filter(action="portal.user.email_changed", actor=customer).exists()


@pytest.mark.django_db
@pytest.mark.clause("LW-5")
def test_an_email_change_to_a_taken_address_reveals_nothing(
    outbox, customer_client, customer, other_customer
):
    free = customer_client.post(
        reverse("email_change"), {"new_email": "free@example.jp", "password": PASSWORD}
    )
    taken = customer_client.post(
        reverse("email_change"), {"new_email": other_customer.email, "password": PASSWORD}
    )
    assert (free.status_code, free["Location"]) == (taken.status_code, taken["Location"])
    assert [(m.to, m.subject) for m in outbox] == [
        ("free@example.jp", "新しいメールアドレスの確認"),
        ("bob@example.com", "This address already has an account"),
    ]
    customer.refresh_from_db()
    assert customer.email == "alice@example.jp"


# --- password reset ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clause("LW-5")
def test_password_reset_answers_the_same_and_mails_either_way(outbox, other_customer):
    known = Client().post(reverse("password_reset"), {"email": other_customer.email})
    unknown = Client().post(reverse("password_reset"), {"email": "ghost@example.jp"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [(m.to, m.subject) for m in outbox] == [
        ("bob@example.com", "Reset your password"),
        ("ghost@example.jp", "パスワード再設定のご依頼"),
    ]
    assert "/accounts/password/reset/" not in outbox[1].body  # no link to reset anything
