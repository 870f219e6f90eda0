"""The outbox: mail leaves only after its transaction commits, once, with bounded retries."""

import pytest
from django.core import mail
from django.db import transaction

from portal import services
from portal.models import OutboundMail


class Boom(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_rolled_back_change_sends_nothing(customer):
    with pytest.raises(Boom), transaction.atomic():
        services.mail_queue(
            to=customer.email,
            language="ja",
            template="password_reset",
            context={"uid": "x", "token": "y", "protocol": "https", "domain": "d"},
        )
        raise Boom
    assert OutboundMail.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_committed_mail_is_sent_once(customer):
    with transaction.atomic():
        queued = services.mail_queue(
            to=customer.email,
            language="ja",
            template="password_reset",
            context={"uid": "x", "token": "y", "protocol": "https", "domain": "d"},
        )
    assert len(mail.outbox) == 1  # sent on commit (eager task in tests)
    assert mail.outbox[0].subject == "パスワードの再設定"
    assert services.mail_send(mail_id=queued.pk) is False  # a second run sends nothing
    services.mail_outbox_flush()
    assert len(mail.outbox) == 1
    assert OutboundMail.objects.get().status == OutboundMail.Status.SENT


@pytest.mark.django_db
def test_temporary_failure_retries_then_fails_for_good(customer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    queued = OutboundMail.objects.create(to=customer.email, subject="s", body="b", language="ja")
    for _ in range(services.MAIL_MAX_ATTEMPTS - 1):
        with pytest.raises(services.TemporaryMailError):
            services.mail_send(mail_id=queued.pk)
        assert OutboundMail.objects.get().status == OutboundMail.Status.PENDING
    assert services.mail_send(mail_id=queued.pk) is False
    final = OutboundMail.objects.get()
    assert final.status == OutboundMail.Status.FAILED
    assert final.attempts == services.MAIL_MAX_ATTEMPTS and final.last_error
