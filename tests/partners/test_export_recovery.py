"""An export never strands (issue 10, LY-5): one queued while the broker was down, or left
"running" by a worker that died, is handed to a worker again by the stale-work sweep and
finishes with every customer exported once."""

from __future__ import annotations

import csv
import os
import signal
from datetime import timedelta

import pytest
from django.utils import timezone

from partners.models import Export, ExportStatus, PartnerKind, ProvisionRecord
from partners.recovery import export_requeue_stale
from partners.services import exports
from portal.models import AuditEvent
from portal.recovery import stale_work_requeue
from tests import factories as people
from tests.conftest import running_worker
from tests.partners import factories as pf
from tests.partners.conftest import grant
from tests.requests.jobs.test_worker import DEAD_BROKER, broker_at

pytestmark = pytest.mark.django_db

LONG_AGO = timedelta(hours=1)  # well past BACKGROUND_STALE_AFTER_MINUTES (15)


def _consenting(purpose, count: int) -> list:
    people_ = [people.customer(email=f"c{n}@example.jp", prefecture="13") for n in range(count)]
    for person in people_:
        grant(person, purpose)
    return people_


def _lab(purpose):
    return pf.partner_with(kind=PartnerKind.RESEARCH_INSTITUTION, purpose=purpose)


def _age(export: Export) -> None:
    """Time passes with no sign of life (the test's clock: the row's last progress)."""
    Export.objects.filter(pk=export.pk).update(progress_at=timezone.now() - LONG_AGO)


def _exported_once(export: Export, count: int) -> None:
    export.refresh_from_db()
    assert export.status == ExportStatus.COMPLETED
    assert export.rows == count
    records = ProvisionRecord.objects.filter(export=export)
    assert records.count() == count
    assert records.values("customer").distinct().count() == count
    with exports.export_path(export).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == count == len({r["pseudonym"] for r in rows})


@pytest.mark.clause("LY-5")
def test_a_fresh_queued_or_running_export_is_left_alone(quality_purpose):
    agent = people.agent()
    export = Export.objects.create(
        partner=_lab(quality_purpose), purpose=quality_purpose, requested_by=agent
    )
    assert stale_work_requeue()["partners.exports"] == 0
    Export.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING)
    assert stale_work_requeue()["partners.exports"] == 0
    export.refresh_from_db()
    assert export.status == ExportStatus.RUNNING


@pytest.mark.clause("LY-5")
def test_finished_exports_are_never_requeued(quality_purpose):
    agent = people.agent()
    lab = _lab(quality_purpose)
    for status in (ExportStatus.COMPLETED, ExportStatus.FAILED):
        export = Export.objects.create(
            partner=lab, purpose=quality_purpose, requested_by=agent, status=status
        )
        _age(export)
    assert export_requeue_stale(timezone.now()) == 0
    assert set(Export.objects.values_list("status", flat=True)) == {"completed", "failed"}


@pytest.mark.clause("LY-5")
def test_a_stale_running_export_is_requeued_once_and_resumes(quality_purpose):
    agent = people.agent()
    _consenting(quality_purpose, 5)
    export = exports.export_start(
        partner=_lab(quality_purpose), purpose=quality_purpose, actor=agent
    )
    # A worker claimed it and committed the first chunk of two customers, then died.
    real = exports._export_commit_chunk
    calls = {"n": 0}

    def die_after_first_chunk(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("worker killed")  # not caught by export_run: stays "running"
        return real(*args, **kwargs)

    exports._export_commit_chunk = die_after_first_chunk
    try:
        with pytest.raises(SystemExit):
            exports.export_run(export_id=export.pk, chunk_size=2)
    finally:
        exports._export_commit_chunk = real
    export.refresh_from_db()
    assert (export.status, export.processed) == (ExportStatus.RUNNING, 2)
    assert stale_work_requeue()["partners.exports"] == 0  # it made progress just now
    _age(export)
    # In-process (tasks run eagerly here): the sweep hands it on and it resumes to the end.
    assert stale_work_requeue()["partners.exports"] == 1
    _exported_once(export, 5)
    assert stale_work_requeue()["partners.exports"] == 0
    assert AuditEvent.objects.filter(
        action="partners.export.requeued", target_id=str(export.pk)
    ).values_list("payload", flat=True).get() == {"was": "running"}


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.clause("LY-5")
def test_an_export_started_while_the_broker_is_dead_is_finished_by_the_sweep(
    transactional_db, tmp_path, quality_purpose
):
    agent = people.agent()
    _consenting(quality_purpose, 3)
    lab = _lab(quality_purpose)
    with broker_at(DEAD_BROKER):
        export = exports.export_start(partner=lab, purpose=quality_purpose, actor=agent)
    export.refresh_from_db()
    assert export.status == ExportStatus.QUEUED  # the task never reached a broker
    _age(export)
    with running_worker(tmp_path, own_default_queue=True) as worker:
        worker.send("portal.tasks.stale_work_requeue_task")
        worker.wait_for(
            lambda: Export.objects.filter(pk=export.pk, status=ExportStatus.COMPLETED).exists(),
            timeout=60,
        )
    _exported_once(export, 3)


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.clause("LY-5")
def test_an_export_whose_worker_was_killed_is_finished_by_the_sweep(
    transactional_db, tmp_path, quality_purpose
):
    count = 300
    agent = people.agent()
    _consenting(quality_purpose, count)
    export = Export.objects.create(
        partner=_lab(quality_purpose), purpose=quality_purpose, requested_by=agent
    )
    first = tmp_path / "first"
    first.mkdir()
    # One customer per chunk, so that the worker is certainly killed half-way.
    with running_worker(first, own_default_queue=True, PARTNERS_EXPORT_CHUNK_SIZE="1") as worker:
        worker.send("partners.tasks.export_run_task", export.pk)
        worker.wait_for(
            lambda: Export.objects.filter(pk=export.pk, processed__gte=3).exists(), timeout=60
        )
        os.kill(worker.process.pid, signal.SIGKILL)
        worker.process.wait()
    export.refresh_from_db()
    assert export.status == ExportStatus.RUNNING
    assert 3 <= export.processed < count
    _age(export)
    second = tmp_path / "second"
    second.mkdir()
    with running_worker(second, own_default_queue=True) as worker:
        worker.send("portal.tasks.stale_work_requeue_task")
        worker.wait_for(
            lambda: Export.objects.filter(pk=export.pk, status=ExportStatus.COMPLETED).exists(),
            timeout=120,
        )
    _exported_once(export, count)
