"""Configuration of the jobs: the settings row in the admin with defaults when there is none,
the beat schedules created by migration, and failed mail shown to staff."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from portal.celery import app
from portal.models import OutboundMail
from requests.models import JobSettings


@pytest.mark.clause("LW-6.2")
def test_defaults_apply_when_nothing_is_configured(db):
    config = JobSettings.current()
    assert config.pk == 1 and not JobSettings.objects.exists()
    assert config.reminder_offsets == [3, 1]
    assert (config.nudge_after_days, config.lapse_after_days) == (7, 30)
    assert (config.document_retention_days, config.digest_hour) == (30, 9)


@pytest.mark.clause("LW-6.2", "LW-5")
def test_an_administrator_configures_the_jobs_in_the_admin(admin_client_):
    url = reverse("admin:requests_jobsettings_add")
    form = {
        "reminder_days_before": "5、2, x",
        "nudge_after_days": "7",
        "lapse_after_days": "30",
        "document_retention_days": "30",
        "digest_hour": "9",
    }
    refused = admin_client_.post(url, form)
    assert refused.status_code == 200
    assert "Write whole numbers of days separated by commas" in refused.content.decode() or (
        "カンマ区切り" in refused.content.decode()
    )
    assert not JobSettings.objects.exists()

    saved = admin_client_.post(url, {**form, "reminder_days_before": "5、2"})
    assert saved.status_code == 302
    assert JobSettings.current().reminder_offsets == [5, 2]
    # One row only: no second add.
    assert admin_client_.get(url).status_code == 403


@pytest.mark.clause("LW-5")
def test_privacy_staff_cannot_change_the_settings(agent_client):
    assert agent_client.get(reverse("admin:requests_jobsettings_add")).status_code in (302, 403)


@pytest.mark.clause("LW-6.2", "APPI-29")
def test_every_job_has_a_beat_schedule_naming_a_real_task(db):
    tasks = {
        "requests.tasks.request_deadline_sweep_task": 5,
        "requests.tasks.request_waiting_sweep_task": 60,
        "requests.tasks.document_retention_purge_task": None,
    }
    app.loader.import_default_modules()
    for name, minutes in tasks.items():
        periodic = PeriodicTask.objects.get(task=name)
        assert periodic.enabled
        assert name in app.tasks
        if minutes:
            assert (periodic.interval.every, periodic.interval.period) == (minutes, "minutes")
        else:
            assert periodic.crontab.timezone.key == "Asia/Tokyo"


@pytest.mark.clause("LW-5")
def test_administrators_see_and_edit_the_schedules_in_the_admin(admin_client_):
    periodic = PeriodicTask.objects.get(task="requests.tasks.request_deadline_sweep_task")
    page = admin_client_.get(
        reverse("admin:django_celery_beat_periodictask_change", args=[periodic.pk])
    )
    assert page.status_code == 200


def _failed(count: int) -> None:
    OutboundMail.objects.bulk_create(
        OutboundMail(to=f"x{i}@example.jp", subject="s", body="b", language="ja", status="failed")
        for i in range(count)
    )


@pytest.mark.clause("LW-6.2")
def test_failed_mail_is_shown_on_the_staff_home(client, cast):
    OutboundMail.objects.create(to="ok@example.jp", subject="s", body="b", language="ja")
    client.force_login(cast.agent)
    page = client.get(reverse("staff_home")).content.decode()
    assert "すべてのメールは送信済みか、送信中です。" in page

    _failed(3)
    page = client.get(reverse("staff_home")).content.decode()
    assert "再送を繰り返しても送信できなかったメールが 3 件あります。" in page
    assert "changelist" not in page and "status__exact=failed" not in page  # no admin access

    client.force_login(cast.administrator)
    page = client.get(reverse("staff_home")).content.decode()
    link = reverse("admin:portal_outboundmail_changelist") + "?status__exact=failed"
    assert f'href="{link}"' in page
    changelist = client.get(link)
    assert changelist.status_code == 200
    assert "x2@example.jp" in changelist.content.decode()


@pytest.mark.clause("LW-6.2", "APPI-29")
def test_the_tasks_call_the_services(cast):
    from requests import tasks

    # The suite runs tasks in-process (eager); the real worker is exercised in test_worker.py.
    assert tasks.request_deadline_sweep_task.delay().get() == {
        "reminders": 0,
        "escalations": 0,
        "digests": 0,
        "mails": 0,
    }
    assert tasks.request_waiting_sweep_task.delay().get() == {"nudges": 0, "lapsed": 0, "mails": 0}
    assert tasks.document_retention_purge_task.delay().get() == {"deleted": 0, "missing": 0}
