"""Reminders before each report's due date and escalation after it, exactly once, through
`portal.ReminderClaim`, as a Celery task on a beat schedule (APPI-26, LW-5)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from incidents import jobs, reports, services
from incidents.models import IncidentSettings
from portal.models import OutboundMail, ReminderClaim
from tests.incidents.factories import incident, tokyo

AWARE = tokyo(2026, 11, 2, 10, 0)  # preliminary due 11-07 10:00, final 12-02 10:00


def at(*args):
    return tokyo(*args)


def _mails():
    return list(OutboundMail.objects.order_by("id").values_list("to", "subject"))


@pytest.fixture
def inc(cast):
    return incident(actor=cast.agent, aware_at=AWARE)


@pytest.mark.clause("APPI-26")
def test_nothing_is_due_early(inc):
    result = jobs.incident_deadline_sweep(now=at(2026, 11, 3, 9, 0))
    assert result.as_dict() == {"reminders": 0, "escalations": 0, "mails": 0}


@pytest.mark.clause("APPI-26", "LW-5")
def test_a_reminder_before_the_preliminary_report_goes_to_every_staff_member_once(cast, inc):
    now = at(2026, 11, 4, 11, 0)  # 2 days 23 hours before: the 3-day reminder
    result = jobs.incident_deadline_sweep(now=now)
    assert result.as_dict() == {"reminders": 1, "escalations": 0, "mails": 2}
    assert sorted(m[0] for m in _mails()) == ["charlie@example.jp", "dana@example.jp"]
    ref = inc.reference
    assert {m[1] for m in _mails()} == {
        f"リマインダー：{ref} の速報の期限は 2026-11-07 10:00 です"  # noqa: RUF001
    }
    # The same sweep again, and a later one within the same window: nothing more.
    assert jobs.incident_deadline_sweep(now=now).mails == 0
    assert jobs.incident_deadline_sweep(now=at(2026, 11, 5, 9, 0)).mails == 0
    assert ReminderClaim.objects.filter(subject_type="incidents.incident").count() == 1
    # One day before: the 1-day reminder, once.
    assert jobs.incident_deadline_sweep(now=at(2026, 11, 6, 11, 0)).reminders == 1
    assert jobs.incident_deadline_sweep(now=at(2026, 11, 6, 12, 0)).reminders == 0


@pytest.mark.clause("APPI-26", "LW-5")
def test_an_overdue_report_escalates_once_to_administrators_first(cast, inc):
    result = jobs.incident_deadline_sweep(now=at(2026, 11, 7, 10, 1))
    assert (result.escalations, result.reminders) == (1, 0)
    assert [m[0] for m in _mails()] == ["dana@example.jp", "charlie@example.jp"]
    assert _mails()[0][1] == f"期限超過：{inc.reference} の速報が提出されていません"  # noqa: RUF001
    assert jobs.incident_deadline_sweep(now=at(2026, 11, 8, 10, 0)).escalations == 0


@pytest.mark.clause("APPI-26")
def test_a_submitted_report_stops_its_reminders_and_the_final_one_runs_on(cast, inc):
    report = reports.report_draft(incident_id=inc.pk, kind="preliminary", actor=cast.agent)
    reports.report_approve(report_id=report.pk, actor=cast.administrator)
    reports.report_submission_record(
        report_id=report.pk, actor=cast.agent, submitted_on=timezone.localdate()
    )
    assert jobs.incident_deadline_sweep(now=at(2026, 11, 8, 10, 0)).mails == 0
    result = jobs.incident_deadline_sweep(now=at(2026, 11, 30, 10, 0))
    assert result.reminders == 1
    assert {m[1] for m in _mails()} == {
        f"リマインダー：{inc.reference} の確報の期限は 2026-12-02 10:00 です"  # noqa: RUF001
    }


@pytest.mark.clause("APPI-26")
def test_a_moved_due_date_gets_reminders_of_its_own(cast, inc):
    assert jobs.incident_deadline_sweep(now=at(2026, 11, 6, 11, 0)).reminders == 1
    # Becoming aware a day later (a correction) moves the due date: a new claim key.
    services.incident_update(
        incident_id=inc.pk, actor=cast.agent, values={"aware_at": tokyo(2026, 11, 3, 10, 0)}
    )
    assert jobs.incident_deadline_sweep(now=at(2026, 11, 7, 11, 0)).reminders == 1
    assert jobs.incident_deadline_sweep(now=at(2026, 11, 7, 11, 0)).reminders == 0


@pytest.mark.clause("APPI-26")
def test_the_60_day_final_report_is_reminded_at_its_own_date(cast):
    attack = incident(actor=cast.agent, aware_at=AWARE, deliberate=True)
    report = reports.report_draft(incident_id=attack.pk, kind="preliminary", actor=cast.agent)
    reports.report_approve(report_id=report.pk, actor=cast.administrator)
    reports.report_submission_record(
        report_id=report.pk, actor=cast.agent, submitted_on=timezone.localdate()
    )
    # Day 29: a 30-day deadline would be reminded; the 60-day one is not.
    assert jobs.incident_deadline_sweep(now=at(2026, 12, 1, 10, 0)).mails == 0
    assert jobs.incident_deadline_sweep(now=at(2026, 12, 31, 10, 0)).reminders == 1
    assert jobs.incident_deadline_sweep(now=at(2027, 1, 1, 10, 1)).escalations == 1


@pytest.mark.clause("APPI-26")
def test_an_incident_confirmed_not_reportable_gets_no_reminders(cast, inc):
    a = services.assessment_record(
        incident_id=inc.pk, actor=cast.agent, answers={}, reasons={}, note="暗号化済み。"
    )
    assert jobs.incident_deadline_sweep(now=at(2026, 11, 6, 11, 0)).reminders == 1  # unconfirmed
    services.assessment_confirm(assessment_id=a.pk, actor=cast.administrator)
    assert jobs.incident_deadline_sweep(now=at(2026, 11, 7, 11, 0)).mails == 0


@pytest.mark.clause("APPI-26")
def test_the_reminder_days_come_from_the_admin_row(cast, inc):
    IncidentSettings(reminder_days_before="4").save()
    assert jobs.incident_deadline_sweep(now=at(2026, 11, 3, 11, 0)).reminders == 1
    claim = ReminderClaim.objects.get(subject_type="incidents.incident")
    assert claim.reminder == "preliminary_due_4d"


def test_the_sweep_runs_on_a_beat_schedule(db):
    task = PeriodicTask.objects.get(task="incidents.tasks.incident_deadline_sweep_task")
    assert (task.enabled, task.interval.every, task.interval.period) == (True, 15, "minutes")


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.clause("APPI-26")
def test_a_real_worker_runs_the_sweep_once(cast, celery_worker_process):
    inc = incident(actor=cast.agent, aware_at=timezone.now() - datetime.timedelta(days=4, hours=1))
    worker = celery_worker_process
    worker.send("incidents.tasks.incident_deadline_sweep_task")
    worker.wait_for(lambda: ReminderClaim.objects.filter(subject_id=inc.pk).exists())
    worker.send("incidents.tasks.incident_deadline_sweep_task")
    worker.wait_for(
        lambda: (
            "incident_deadline_sweep_task" in worker.log.read_text()
            and worker.log.read_text().count("succeeded") >= 2
        )
    )
    assert ReminderClaim.objects.filter(subject_id=inc.pk).count() == 1
    assert sorted(OutboundMail.objects.values_list("to", flat=True)).count("dana@example.jp") == 1
