"""The notices' send job (APPI-26): the staff page confirms the count and a Celery task tells
everyone, chunk by chunk, exactly once per person however often it runs; the page shows
"sending — N of M"; a job queued while the broker was down, or left by a dead worker, is
handed to a worker again by the stale-work sweep."""

from __future__ import annotations

import datetime

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from incidents import notices, services
from incidents.errors import IncidentError
from incidents.models import AffectedPerson, Incident, IncidentEvent
from incidents.tasks import notices_send_task
from portal.models import AuditEvent, OutboundMail
from portal.recovery import stale_work_requeue
from tests import factories
from tests.conftest import running_worker
from tests.incidents.factories import NOTICE_TEXTS, incident, notices_sent
from tests.requests.jobs.test_worker import DEAD_BROKER, broker_at

LONG_AGO = datetime.timedelta(hours=1)  # well past BACKGROUND_STALE_AFTER_MINUTES (15)

# Five people on the incident: three in Japanese, two in English, one erased account that
# cannot be told (the public announcement covers it).
PEOPLE = [
    ("p1@example.jp", "ja"),
    ("p2@example.com", "en"),
    ("p3@example.jp", "ja"),
    ("p4@example.com", "en"),
    ("p5@example.jp", "ja"),
]


def _scoped(actor) -> Incident:
    inc = incident(actor=actor, **NOTICE_TEXTS)
    for n, (email, language) in enumerate(PEOPLE, start=1):
        person = factories.customer(email=email, preferred_language=language)
        AffectedPerson.objects.create(
            incident=inc, customer=person, customer_reference=f"ref-{n}", source="upload"
        )
    erased = factories.customer(email="erased-9@erased.invalid", is_active=False)
    AffectedPerson.objects.create(
        incident=inc, customer=erased, customer_reference="ref-erased", source="upload"
    )
    return inc


def _mails_by_address() -> dict[str, int]:
    counts: dict[str, int] = {}
    for to in OutboundMail.objects.values_list("to", flat=True):
        counts[to] = counts.get(to, 0) + 1
    return counts


EVERYONE_ONCE = {
    "p1@example.jp": 1,
    "p2@example.com": 1,
    "p3@example.jp": 1,
    "p4@example.com": 1,
    "p5@example.jp": 1,
}


def _runs(log: str) -> list[str]:
    """What each finished run of the notices task returned, from the worker's log."""
    return [
        line.rsplit(": ", 1)[1].strip()
        for line in log.splitlines()
        if "incidents.tasks.notices_send_task[" in line and " succeeded in " in line
    ]


def _age(inc: Incident) -> None:
    """Time passes with no sign of life from the job."""
    Incident.objects.filter(pk=inc.pk).update(notices_progress_at=timezone.now() - LONG_AGO)


@pytest.mark.django_db
@pytest.mark.clause("APPI-26")
def test_the_request_only_queues_and_the_task_tells_everyone(cast):
    inc = _scoped(cast.agent)
    # Without the commit (the test's transaction never commits), nothing has been sent yet.
    assert notices.notices_send(incident_id=inc.pk, actor=cast.agent, expected=5) == 5
    inc.refresh_from_db()
    assert (inc.notices_status, inc.notices_done, inc.notices_total) == ("queued", 0, 5)
    assert OutboundMail.objects.count() == 0
    assert notices.notice_progress_text(inc) == "sending — 0 of 5"
    # The task, as the worker runs it.
    assert notices_send_task.apply(args=[inc.pk]).get() == 5
    assert _mails_by_address() == EVERYONE_ONCE
    inc.refresh_from_db()
    assert (inc.notices_status, inc.notices_done, inc.notices_total) == ("done", 5, 5)
    assert inc.notices_sent_at is not None
    event = IncidentEvent.objects.get(incident=inc, event="notices_sent")
    assert event.changes == {"en": 2, "ja": 3}
    assert event.actor == cast.agent
    assert AuditEvent.objects.get(action="incidents.notices.sent").payload == {
        "sent": 5,
        "ja": 3,
        "en": 2,
    }


@pytest.mark.django_db
@pytest.mark.clause("APPI-26")
def test_a_second_run_of_the_task_sends_nothing_more(cast):
    inc = _scoped(cast.agent)
    notices_sent(incident_id=inc.pk, actor=cast.agent, expected=5)
    assert _mails_by_address() == EVERYONE_ONCE
    # The broker delivers the task again (a retry, a re-queue by the sweep): nothing more.
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert notices_send_task.apply(args=[inc.pk]).get() == 0
    # Even a job put back to "sending" by hand finds nobody left and only finishes.
    Incident.objects.filter(pk=inc.pk).update(notices_status="sending")
    assert notices.notices_deliver(incident_id=inc.pk) == 0
    assert _mails_by_address() == EVERYONE_ONCE
    assert OutboundMail.objects.count() == 5
    assert AffectedPerson.objects.filter(incident=inc, notified_at__isnull=False).count() == 5


@pytest.mark.django_db
@pytest.mark.clause("APPI-26")
def test_a_run_that_died_after_a_chunk_resumes_after_it(cast):
    inc = _scoped(cast.agent)
    notices.notices_send(incident_id=inc.pk, actor=cast.agent, expected=5)
    Incident.objects.filter(pk=inc.pk).update(notices_status="sending")
    # One chunk of two committed, then the worker died.
    assert notices._deliver_chunk(inc.pk, 2) == (2, False)
    inc.refresh_from_db()
    assert (inc.notices_status, inc.notices_done) == ("sending", 2)
    assert notices.notice_progress_text(inc) == "sending — 2 of 5"
    assert sorted(_mails_by_address()) == ["p1@example.jp", "p2@example.com"]
    # The next run, in chunks of two: the remaining three, each once.
    assert notices.notices_deliver(incident_id=inc.pk, chunk_size=2) == 3
    assert _mails_by_address() == EVERYONE_ONCE
    inc.refresh_from_db()
    assert (inc.notices_status, inc.notices_done, inc.notices_total) == ("done", 5, 5)
    assert notices.notice_progress_text(inc) == "sent — 5 of 5"


@pytest.mark.django_db
@pytest.mark.clause("APPI-26")
def test_while_sending_there_is_no_second_send_no_scoping_and_no_closing(cast):
    inc = _scoped(cast.agent)
    notices.notices_send(incident_id=inc.pk, actor=cast.agent, expected=5)
    with pytest.raises(IncidentError, match="being sent already"):
        notices.notices_send(incident_id=inc.pk, actor=cast.agent, expected=5)
    rule = services.ScopeRule(source="accounts", created_before=datetime.date(2030, 1, 1))
    with pytest.raises(IncidentError, match="record a new incident"):
        services.scope_add(incident_id=inc.pk, actor=cast.agent, rule=rule, expected_new=0)
    with pytest.raises(IncidentError, match="Wait until the notices are sent"):
        services.incident_close(incident_id=inc.pk, actor=cast.administrator, note="done")


@pytest.mark.django_db
@pytest.mark.clause("APPI-26")
def test_the_staff_page_shows_how_far_the_send_got(cast):
    from django.test import Client

    inc = _scoped(cast.agent)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(cast.agent)
    url = reverse("incidents:staff_notices", kwargs={"pk": inc.pk})
    response = client.post(url, {"expected": "5"})
    assert response.status_code == 302 and response["Location"] == url
    Incident.objects.filter(pk=inc.pk).update(notices_status="sending")
    notices._deliver_chunk(inc.pk, 3)
    page = client.get(url).content.decode()
    assert 'data-testid="notice-progress"' in page
    assert "sending — 3 of 5" in page
    assert "/static/incidents/notice_progress.js" in page
    assert 'data-testid="notices-send"' not in page  # no second send while it runs
    progress = client.get(reverse("incidents:staff_notices_progress", kwargs={"pk": inc.pk}))
    assert progress.json() == {
        "status": "sending",
        "status_display": "Sending",
        "done": 3,
        "total": 5,
        "text": "sending — 3 of 5",
        "finished": False,
    }
    notices.notices_deliver(incident_id=inc.pk)
    client.cookies["portal_language"] = "ja"
    progress = client.get(reverse("incidents:staff_notices_progress", kwargs={"pk": inc.pk}))
    assert progress.json()["text"] == "送付済み — 5 件中 5 件"
    assert progress.json()["finished"] is True
    page = client.get(url).content.decode()
    assert "notice_progress.js" not in page  # nothing left to poll


@pytest.mark.django_db
@pytest.mark.clause("APPI-26")
def test_a_fresh_or_finished_job_is_left_alone_by_the_sweep(cast):
    inc = _scoped(cast.agent)
    notices.notices_send(incident_id=inc.pk, actor=cast.agent, expected=5)
    assert stale_work_requeue()["incidents.notices"] == 0  # queued just now
    Incident.objects.filter(pk=inc.pk).update(notices_status="done")
    _age(inc)
    assert stale_work_requeue()["incidents.notices"] == 0
    assert OutboundMail.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.clause("APPI-26")
def test_a_stale_sending_job_is_requeued_by_the_sweep_and_finishes_once(cast):
    inc = _scoped(cast.agent)
    notices.notices_send(incident_id=inc.pk, actor=cast.agent, expected=5)
    Incident.objects.filter(pk=inc.pk).update(notices_status="sending")
    notices._deliver_chunk(inc.pk, 2)  # then the worker died
    _age(inc)
    # Tasks run in-process here: the sweep hands the job on and it finishes.
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert stale_work_requeue()["incidents.notices"] == 1
    assert _mails_by_address() == EVERYONE_ONCE
    inc.refresh_from_db()
    assert (inc.notices_status, inc.notices_done) == ("done", 5)
    assert AuditEvent.objects.filter(
        action="incidents.notices.requeued", target_id=str(inc.pk)
    ).values_list("payload", flat=True).get() == {"was": "sending"}
    _age(inc)
    assert stale_work_requeue()["incidents.notices"] == 0


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.clause("APPI-26")
def test_notices_confirmed_while_the_broker_is_dead_go_out_through_a_real_worker(
    transactional_db, tmp_path, cast
):
    inc = _scoped(cast.agent)
    with broker_at(DEAD_BROKER):
        assert notices.notices_send(incident_id=inc.pk, actor=cast.agent, expected=5) == 5
    inc.refresh_from_db()
    assert inc.notices_status == "queued"  # the task never reached a broker
    assert OutboundMail.objects.count() == 0
    _age(inc)
    with running_worker(tmp_path, own_default_queue=True) as worker:
        worker.send("portal.tasks.stale_work_requeue_task")
        worker.wait_for(
            lambda: Incident.objects.filter(pk=inc.pk, notices_status="done").exists(),
            timeout=60,
        )
        # The broker delivers the job a second time: the worker sends nothing more.
        worker.send("incidents.tasks.notices_send_task", inc.pk)
        worker.wait_for(lambda: len(_runs(worker.log.read_text())) >= 2, timeout=60)
        # The first run told five people, the second none.
        assert _runs(worker.log.read_text()) == ["5", "0"]
    assert _mails_by_address() == EVERYONE_ONCE
    inc.refresh_from_db()
    assert (inc.notices_done, inc.notices_total) == (5, 5)
