"""The de-identified export (LY-5): consenting customers only, no direct identifier, location
to prefecture, a per-partner keyed pseudonym, records in bulk, resumable, in a worker."""

from __future__ import annotations

import csv
import datetime
import hashlib
import hmac
import os
import signal
import threading
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from partners.errors import PartnerError
from partners.models import Basis, Export, ExportStatus, PartnerKind, ProvisionRecord
from partners.recovery import export_requeue_stale
from partners.services import exports, pseudonyms
from partners.services import records as partner_records
from portal import inventory
from portal.models import AuditEvent
from portal.recovery import stale_work_requeue
from tests import factories as people
from tests.conftest import running_worker
from tests.consents import factories as cf
from tests.partners import factories as pf
from tests.partners.conftest import grant, withdraw
from tests.requests.jobs.test_worker import DEAD_BROKER, broker_at

pytestmark = pytest.mark.django_db


def _rows(export: Export) -> list[dict]:
    with exports.export_path(export).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _customer(email, **extra):
    defaults = {
        "full_name": "山田 太郎",
        "phone": "090-0000-1111",
        "postal_code": "150-0002",
        "prefecture": "13",
        "address": "東京都渋谷区渋谷2-21-1",
        "birth_year": 1985,
    }
    return people.customer(email=email, **{**defaults, **extra})


@pytest.fixture
def lab(quality_purpose):
    return pf.partner_with(kind=PartnerKind.RESEARCH_INSTITUTION, purpose=quality_purpose)


@pytest.fixture
def population(quality_purpose):
    """Three who agreed, one who withdrew, one who never answered, one restricted."""
    agreed = [
        _customer(f"agreed{n}@example.jp", full_name=f"同意 {n}", phone=f"090-1111-000{n}")
        for n in range(3)
    ]
    for person in agreed:
        grant(person, quality_purpose)
    withdrew = _customer("withdrew@example.jp", full_name="撤回 花子")
    grant(withdrew, quality_purpose)
    withdraw(withdrew, quality_purpose)
    _customer("never@example.jp", full_name="未回答 次郎")
    restricted = _customer("restricted@example.jp", full_name="停止 三郎")
    grant(restricted, quality_purpose)
    from consents import services as consent_services

    consent_services.restriction_record(
        customer=restricted,
        kind="third_party_stop",
        purposes=[quality_purpose],
        reference="REQ-9",
        actor=None,
    )
    return agreed


def _run(partner, purpose, actor, **kwargs) -> Export:
    export = exports.export_start(partner=partner, purpose=purpose, actor=actor)
    return exports.export_run(export_id=export.pk, **kwargs)


@pytest.mark.clause("LY-5", "LW-1", "APPI-29")
def test_export_has_consenting_customers_only_and_no_direct_identifier(
    agent, lab, quality_purpose, population
):
    export = _run(lab, quality_purpose, agent, chunk_size=2)
    assert export.status == ExportStatus.COMPLETED
    assert export.total == export.processed == export.rows == 3
    rows = _rows(export)
    key = pseudonyms.pseudonym_key(lab)
    assert {r["pseudonym"] for r in rows} == {
        pseudonyms.pseudonym(key=key, customer_id=c.pk) for c in population
    }
    # No column is a field the inventory marks as a direct identifier, on any model.
    direct = {name for model in apps.get_models() for name in inventory.direct_identifiers(model)}
    assert not set(rows[0]) & direct
    assert set(rows[0]) == {
        "pseudonym",
        "prefecture",
        "birth_year",
        "preferred_language",
        "date_joined",
    }
    # No value of any direct identifier of anyone appears anywhere in the file.
    text = exports.export_path(export).read_text(encoding="utf-8")
    user_model = apps.get_model("portal", "User")
    for person in user_model.objects.all():
        assert str(person.pk) not in [r["pseudonym"] for r in rows]
        for name in inventory.direct_identifiers(user_model):
            value = getattr(person, name)
            if value:
                assert str(value) not in text, (name, value)
    # Location is the prefecture; the registration time only its month.
    assert {r["prefecture"] for r in rows} == {"13"}
    assert all(len(r["date_joined"]) == 7 for r in rows)
    # One record per exported customer, in bulk, with the consent relied on.
    records = ProvisionRecord.objects.filter(export=export)
    assert {r.customer for r in records} == set(population)
    assert all(r.basis == Basis.CONSENT and r.consent_event_id for r in records)
    assert {r.decided_by for r in records} == {"general"}
    assert all(r.consent_event.customer_id == r.customer_id for r in records)


@pytest.mark.clause("LY-5")
def test_pseudonym_differs_per_partner_and_is_stable_per_partner(
    agent, lab, quality_purpose, population
):
    other_lab = pf.partner_with(kind=PartnerKind.RESEARCH_INSTITUTION, purpose=quality_purpose)
    first = {r["pseudonym"] for r in _rows(_run(lab, quality_purpose, agent))}
    again = {r["pseudonym"] for r in _rows(_run(lab, quality_purpose, agent))}
    other = {r["pseudonym"] for r in _rows(_run(other_lab, quality_purpose, agent))}
    assert first == again
    assert len(first) == 3 and not first & other
    # The key is not the bare salt, and not the customer id hashed without a key.
    person = population[0]
    plain = hashlib.sha256(str(person.pk).encode()).hexdigest()
    salted = hmac.new(lab.pseudonym_salt.encode(), str(person.pk).encode(), "sha256").hexdigest()
    assert plain not in first and salted not in first


@pytest.mark.clause("LY-5")
def test_export_needs_an_ly5_purpose_and_an_arrangement(agent, lab, quality_purpose):
    marketing = cf.PurposeFactory(code="marketing")
    with pytest.raises(PartnerError):
        exports.export_start(partner=lab, purpose=marketing, actor=agent)
    research = cf.PurposeFactory(code="ly5-research", category="research")
    with pytest.raises(PartnerError):  # the lab's arrangement covers quality only
        exports.export_start(partner=lab, purpose=research, actor=agent)
    assert not Export.objects.exists()


@pytest.mark.clause("LY-5")
def test_a_failed_export_resumes_without_duplicates(
    agent, lab, quality_purpose, population, monkeypatch
):
    export = exports.export_start(partner=lab, purpose=quality_purpose, actor=agent)
    real = exports._export_commit_chunk
    calls = {"n": 0}

    def crash_on_second_chunk(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(exports, "_export_commit_chunk", crash_on_second_chunk)
    with pytest.raises(OSError):
        exports.export_run(export_id=export.pk, chunk_size=2)
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED and export.rows == 2
    assert ProvisionRecord.objects.filter(export=export).count() == 2
    monkeypatch.setattr(exports, "_export_commit_chunk", real)
    exports.export_resume(export=export, actor=agent)
    export = exports.export_run(export_id=export.pk, chunk_size=2)
    assert export.status == ExportStatus.COMPLETED
    rows = _rows(export)
    assert len(rows) == 3 == len({r["pseudonym"] for r in rows})
    assert ProvisionRecord.objects.filter(export=export).count() == 3
    # A second run of a finished export changes nothing.
    exports.export_run(export_id=export.pk)
    assert ProvisionRecord.objects.filter(export=export).count() == 3


@pytest.mark.clause("LY-5", "LY-2")
def test_overseas_export_needs_the_country_consent(
    agent, quality_purpose, overseas_purpose, population
):
    partner = pf.partner_with(purpose=quality_purpose, country=pf.singapore())
    [event] = grant(population[0], overseas_purpose)
    export = _run(partner, quality_purpose, agent)
    assert export.rows == 1
    record = ProvisionRecord.objects.get(export=export)
    assert record.customer == population[0]
    assert record.overseas_consent_event == event


@pytest.mark.postgres
@pytest.mark.redis
# serialized_rollback: a transactional test before this one may have flushed the roles and
# schedules the migrations created; restore them.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("LY-5")
def test_export_runs_in_a_real_worker(celery_worker_process, quality_purpose, population):
    agent = people.agent(email="worker-agent@example.jp")
    lab = pf.partner_with(kind=PartnerKind.RESEARCH_INSTITUTION, purpose=quality_purpose)
    export = Export.objects.create(partner=lab, purpose=quality_purpose, requested_by=agent)
    celery_worker_process.send("partners.tasks.export_run_task", export.pk)
    celery_worker_process.wait_for(
        lambda: Export.objects.filter(pk=export.pk, status=ExportStatus.COMPLETED).exists()
    )
    export.refresh_from_db()
    assert export.rows == 3
    assert len(_rows(export)) == 3


@pytest.mark.clause("LY-5")
def test_old_export_files_are_deleted_and_the_records_stay(
    agent, lab, quality_purpose, population, settings, django_capture_on_commit_callbacks
):
    settings.PARTNERS_EXPORT_FILE_DAYS = 30
    export = _run(lab, quality_purpose, agent)
    path = exports.export_path(export)
    assert path.is_file()
    later = export.finished_at + datetime.timedelta(days=29)
    assert exports.export_files_purge(now=later) == 0 and path.is_file()
    later = export.finished_at + datetime.timedelta(days=31)
    with django_capture_on_commit_callbacks(execute=True):
        assert exports.export_files_purge(now=later) == 1
    assert not path.exists()
    assert ProvisionRecord.objects.filter(export=export).count() == 3
    # The message is the staff member's language; read it in English here.
    with translation.override("en"), pytest.raises(PartnerError, match="no longer available"):
        exports.export_download_record(export=Export.objects.get(pk=export.pk), actor=agent)
    assert exports.export_files_purge(now=later) == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.clause("LY-5", "APPI-29")
def test_each_chunk_is_rechecked_against_withdrawals_committed_since_the_start(
    agent, lab, quality_purpose, population, monkeypatch
):
    """Issue 10 (and 13): a customer who withdraws, or whose provision is stopped, while
    the export runs is left out of every chunk after the change commits. The change commits
    on a second connection (another thread) between the first and the second chunk."""
    from consents import services as consent_services

    late = _customer("late@example.jp", full_name="遅延 四郎")
    grant(late, quality_purpose)
    first, withdrawing, stopped = population  # in id order, one chunk each
    # Queued by hand: export_start would run it at once (eager tasks, on commit).
    export = Export.objects.create(partner=lab, purpose=quality_purpose, requested_by=agent)
    real = exports._export_commit_chunk
    chunks = []

    def change_on_another_connection():
        try:
            withdraw(withdrawing, quality_purpose)
            consent_services.restriction_record(
                customer=stopped,
                kind="third_party_stop",
                purposes=[quality_purpose],
                reference="REQ-10",
                actor=None,
            )
        finally:
            connection.close()

    def after_first_chunk(*args, **kwargs):
        done = real(*args, **kwargs)
        chunks.append(done)
        if len(chunks) == 1:
            other = threading.Thread(target=change_on_another_connection)
            other.start()
            other.join()
        return done

    monkeypatch.setattr(exports, "_export_commit_chunk", after_first_chunk)
    export = exports.export_run(export_id=export.pk, chunk_size=1)
    assert export.status == ExportStatus.COMPLETED
    assert export.total == 4  # counted when the export started
    assert export.rows == 2
    key = pseudonyms.pseudonym_key(lab)
    assert [r["pseudonym"] for r in _rows(export)] == [
        pseudonyms.pseudonym(key=key, customer_id=person.pk) for person in (first, late)
    ]
    records = ProvisionRecord.objects.filter(export=export).order_by("customer_id")
    assert [r.customer_id for r in records] == [first.pk, late.pk]
    assert [r.customer_reference for r in records] == [
        partner_records.customer_reference(first.pk),
        partner_records.customer_reference(late.pk),
    ]


@pytest.mark.postgres
@pytest.mark.clause("LY-5", "APPI-29")
def test_the_export_runs_one_statement_per_chunk_with_many_customers(agent, lab, quality_purpose):
    """Issue 13: 45 consenting customers in chunks of 10 are five chunks and the empty one
    that ends the run. Each chunk: 1 the purpose and its latest widening version (the gate's
    rule is re-read, so a policy change mid-export counts), 2 one statement that decides,
    records and returns the rows, 3 the progress UPDATE (not for the empty one), and the
    savepoint pair of its transaction. Fixed: the claim, the export, the arrangement, the
    file name, the purpose and the count for the total, the total, completion, the audit
    event, the final read."""
    for n in range(45):
        grant(_customer(f"many{n}@example.jp", phone=f"090-2222-{n:04d}"), quality_purpose)
    export = Export.objects.create(partner=lab, purpose=quality_purpose, requested_by=agent)
    with CaptureQueriesContext(connection) as queries:
        export = exports.export_run(export_id=export.pk, chunk_size=10)
    assert export.rows == 45 and len(_rows(export)) == 45
    statements = [q["sql"] for q in queries.captured_queries]
    chunks = [s for s in statements if s.lstrip().startswith("WITH chunk")]
    assert len(chunks) == 6  # five of rows, one empty
    progress = [s for s in statements if s.startswith('UPDATE "partners_export" SET "processed"')]
    assert len(progress) == 5
    # Everything else is fixed: claim, load, arrangement, file name, total, completion, audit.
    savepoints = [s for s in statements if "SAVEPOINT" in s]
    purposes = [s for s in statements if s.startswith('SELECT "consents_purpose"')]
    assert (len(savepoints), len(purposes)) == (2 * 6, 1 + 6)
    assert len(statements) == 6 + 5 + 12 + 7 + 9


# --- recovery: an export never strands -----------------------------------------------------------
# One queued while the broker was down, or left "running" by a worker that died, is handed to
# a worker again by the stale-work sweep and finishes with every customer exported once (LY-5).


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
