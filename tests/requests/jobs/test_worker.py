"""The jobs on the real machinery: a worker and beat started by the test against Redis deliver
a reminder into a file mail sink, and filing keeps working while the broker is dead."""

from __future__ import annotations

import socket
import threading
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from portal.celery import app
from portal.models import OutboundMail, ReminderClaim
from requests.models import DataRequest, Status
from tests.requests.factories import data_request

DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.clause("LW-6.2")
def test_beat_and_a_worker_deliver_a_reminder_once(cast, job_worker, job_beat):
    req = data_request(
        status=Status.IN_REVIEW,
        customer=cast.customer,
        assignee=cast.agent,
        received_at=timezone.now() - timedelta(days=13),
        due_at=timezone.now() + timedelta(hours=20),
    )
    # Only the sweep, every second, so the test need not wait five minutes.
    PeriodicTask.objects.exclude(task="requests.tasks.request_deadline_sweep_task").update(
        enabled=False
    )
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
    sweep = PeriodicTask.objects.get(task="requests.tasks.request_deadline_sweep_task")
    sweep.interval = every_second
    sweep.save()

    job_beat()

    def reminders():
        return [m for m in job_worker.sink.messages() if req.reference in m.text]

    found = job_worker.wait_for(reminders, timeout=60)
    assert len(found) == 1
    mail = found[0]
    assert mail["To"] == cast.agent.email
    assert mail["Subject"] == "請求の回答期限：期限間近 1 件、期限超過 0 件"  # noqa: RUF001
    assert "の回答期限まで 1 日を切りました" in mail.text
    assert f"http://portal.test/staff/requests/{req.pk}/" in mail.text

    # Beat keeps sweeping; the claim keeps it at one mail.
    log = job_worker.log

    def sweeps_done() -> bool:
        return log.read_text().count("request_deadline_sweep_task") >= 8

    job_worker.wait_for(sweeps_done, timeout=60)
    assert len(reminders()) == 1
    assert ReminderClaim.objects.filter(subject_id=req.pk).count() == 1
    assert OutboundMail.objects.get(body__contains=req.reference).status == "sent"


class HangUpBroker:
    """A broker that is down: it takes each connection and hangs up at once. It counts the
    attempts, so a test can tell one try from retries without timing anything."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.attempts = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _addr = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.attempts += 1
            conn.close()

    def close(self):
        self._stop.set()
        self._thread.join()
        self.sock.close()


@contextmanager
def broker_at(url: str):
    """Point this process's Celery app at another broker, with fresh connection pools, and
    publish for real (the suite otherwise runs tasks in-process)."""
    conf = app.conf
    names = ("broker_url", "broker_write_url", "broker_read_url", "task_always_eager")
    saved = {name: conf[name] for name in names}

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    conf.update(broker_url=url, broker_write_url=url, broker_read_url=url, task_always_eager=False)
    reset_pools()
    try:
        assert app.connection_for_write().port == int(url.rsplit(":", 1)[1].split("/")[0])
        yield
    finally:
        conf.update(saved)
        reset_pools()


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.clause("LW-6.1", "LW-6.2")
def test_filing_works_while_the_broker_is_dead_and_the_mail_goes_out_later(
    cast, customer_client, job_worker
):
    broker = HangUpBroker()
    try:
        with broker_at(broker.url):
            response = customer_client.post(
                reverse("requests:file", kwargs={"kind": "inquiry"}),
                {
                    "requester_type": "customer",
                    "subject": "退会について",
                    "message": "データの扱いを教えてください。",
                },
            )
    finally:
        broker.close()
    assert response.status_code == 302, response.content.decode()[:2000]
    # The web request tried the broker once and gave up (settings: max_retries 0), leaving the
    # mail in the outbox, instead of retrying a dead broker while the customer waits.
    assert broker.attempts == 1
    req = DataRequest.objects.get(customer=cast.customer)
    receipt = OutboundMail.objects.get(subject__contains=req.reference)
    assert receipt.status == OutboundMail.Status.PENDING and receipt.attempts == 0

    # The broker is back (the worker has been on the real one all along): the outbox sweep
    # hands the waiting mail to the worker, which sends it.
    job_worker.send("portal.tasks.mail_outbox_flush_task")
    found = job_worker.wait_for(
        lambda: [m for m in job_worker.sink.messages() if req.reference in m.text], timeout=60
    )
    assert len(found) == 1 and found[0]["To"] == cast.customer.email
    receipt.refresh_from_db()
    assert receipt.status == OutboundMail.Status.SENT


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.clause("LW-6.2")
def test_a_sweep_while_the_broker_is_dead_loses_nothing(cast, job_worker):
    """The sweep's mails are in the outbox even if no task could be queued; the claim is not
    lost either, so nothing is sent twice once the broker is back."""
    from requests import jobs

    req = data_request(
        status=Status.IN_REVIEW,
        customer=cast.customer,
        assignee=cast.agent,
        due_at=timezone.now() - timedelta(minutes=1),
    )
    with broker_at(DEAD_BROKER):
        result = jobs.request_deadline_sweep()
    assert result.escalations == 1
    # One mail each (the escalation, with today's overdue list if past the digest hour).
    pending = OutboundMail.objects.filter(body__contains=req.reference)
    assert pending.count() == 2 and {m.status for m in pending} == {"pending"}

    job_worker.send("portal.tasks.mail_outbox_flush_task")
    escalation = f"請求 {req.reference}"

    def escalations():
        return [m["To"] for m in job_worker.sink.messages() if escalation in m.text]

    job_worker.wait_for(lambda: len(escalations()) == 2, timeout=60)
    assert sorted(escalations()) == sorted([cast.agent.email, cast.administrator.email])
    assert jobs.request_deadline_sweep().escalations == 0
    # Everything that waited (the escalations and today's digests) went out.
    job_worker.wait_for(lambda: not OutboundMail.objects.exclude(status="sent").exists())
