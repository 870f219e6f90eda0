"""The one stale-work sweep ("Background work never strands"): a beat schedule made
by a migration, every app's stale work registered with it, one failing sweep not stopping the
others, and its setting read from the environment."""

from __future__ import annotations

import pytest
from django_celery_beat.models import PeriodicTask

from portal import recovery
from portal.celery import app
from tests.portal.test_settings import PRODUCTION, manage

pytestmark = pytest.mark.django_db

SWEEP = "portal.tasks.stale_work_requeue_task"


def test_the_sweep_runs_every_five_minutes_from_beat():
    app.loader.import_default_modules()
    periodic = PeriodicTask.objects.get(task=SWEEP)
    assert periodic.enabled and SWEEP in app.tasks
    assert (periodic.interval.every, periodic.interval.period) == (5, "minutes")


def test_every_kind_of_work_queued_on_commit_is_swept():
    assert recovery.stale_work_requeue() == {
        "incidents.notices": 0,
        "partners.exports": 0,
        "requests.erased_mail": 0,
        "requests.packages": 0,
    }


def test_a_failing_sweep_does_not_stop_the_others(monkeypatch):
    seen = []

    def broken(cutoff):
        raise RuntimeError("boom")

    def fine(cutoff):
        seen.append(cutoff)
        return 2

    monkeypatch.setattr(recovery, "_REQUEUERS", {"a.broken": broken, "b.fine": fine})
    assert recovery.stale_work_requeue() == {"a.broken": -1, "b.fine": 2}
    assert len(seen) == 1


@pytest.mark.parametrize(("value", "message"), [("0", "at least 1"), ("soon", "whole number")])
def test_a_bad_stale_setting_stops_the_start(value, message):
    result = manage("check", **PRODUCTION, BACKGROUND_STALE_AFTER_MINUTES=value)
    assert result.returncode != 0
    assert "BACKGROUND_STALE_AFTER_MINUTES" in result.stderr and message in result.stderr
