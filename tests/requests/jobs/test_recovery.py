"""The requests app's background work never strands (issue 10): a disclosure package queued
while the broker was down, or left "building" by a dead worker, is built by the stale-work
sweep; the notice to an erased account is scrubbed once sent even if its scrub task was never
queued. The broker here is really dead (nothing listens on its port)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import OutboundMail
from portal.recovery import stale_work_requeue
from portal.services import mail_send
from requests import workflow
from requests.models import DisclosurePackage, Kind, PackageStatus, Status
from requests.services import erasure
from tests.requests.factories import data_request, erasure_approved
from tests.requests.jobs.test_worker import DEAD_BROKER, broker_at

pytestmark = pytest.mark.django_db

LONG_AGO = timedelta(hours=1)  # well past BACKGROUND_STALE_AFTER_MINUTES (15)


def _disclosure_closed_while_the_broker_is_dead(cast, capture) -> DisclosurePackage:
    req = data_request(
        status=Status.IN_REVIEW,
        customer=cast.customer,
        kind=Kind.DISCLOSURE,
        details={"scope": "chosen", "categories": ["profile"]},
    )
    with broker_at(DEAD_BROKER), capture(execute=True):
        workflow.request_close(
            request_id=req.pk, actor=cast.agent, outcome="fulfilled", reason="開示します。"
        )
    return DisclosurePackage.objects.get(request=req)


@pytest.mark.redis
@pytest.mark.clause("LW-6.1")
def test_a_package_queued_while_the_broker_was_dead_is_built_by_the_sweep(
    cast, django_capture_on_commit_callbacks
):
    package = _disclosure_closed_while_the_broker_is_dead(cast, django_capture_on_commit_callbacks)
    assert package.status == PackageStatus.QUEUED
    assert stale_work_requeue()["requests.packages"] == 0  # not stale yet
    DisclosurePackage.objects.filter(pk=package.pk).update(progress_at=timezone.now() - LONG_AGO)
    assert stale_work_requeue()["requests.packages"] == 1
    package.refresh_from_db()
    assert package.status == PackageStatus.READY and package.json_name
    assert stale_work_requeue()["requests.packages"] == 0


@pytest.mark.redis
@pytest.mark.clause("LW-6.1")
def test_a_package_left_building_by_a_dead_worker_is_built_again(
    cast, django_capture_on_commit_callbacks
):
    package = _disclosure_closed_while_the_broker_is_dead(cast, django_capture_on_commit_callbacks)
    # What a worker killed half-way leaves: "building", one part done, no file.
    DisclosurePackage.objects.filter(pk=package.pk).update(
        status=PackageStatus.BUILDING, total=3, done=1, progress_at=timezone.now()
    )
    assert stale_work_requeue()["requests.packages"] == 0  # still making progress
    DisclosurePackage.objects.filter(pk=package.pk).update(progress_at=timezone.now() - LONG_AGO)
    assert stale_work_requeue()["requests.packages"] == 1
    package.refresh_from_db()
    assert package.status == PackageStatus.READY and package.percent == 100


@pytest.mark.redis
@pytest.mark.clause("LW-6.1", "LW-1")
def test_the_notice_to_an_erased_account_is_scrubbed_though_the_broker_was_dead(
    cast, django_capture_on_commit_callbacks
):
    req = data_request(
        status=Status.IN_REVIEW,
        customer=cast.customer,
        kind=Kind.DELETION,
        details={"scope": "account", "data_items": []},
    )
    erasure_approved(req, asked_by=cast.agent, decided_by=cast.administrator)
    with broker_at(DEAD_BROKER), django_capture_on_commit_callbacks(execute=True):
        erasure.deletion_carry_out(request_id=req.pk, actor=cast.administrator)
    notice = OutboundMail.objects.filter(to="alice@example.jp").latest("id")
    assert notice.status == OutboundMail.Status.PENDING and notice.scrub_after_send
    # Not sent yet: the sweep leaves it (the customer must still get it).
    assert stale_work_requeue()["requests.erased_mail"] == 0
    assert OutboundMail.objects.get(pk=notice.pk).to == "alice@example.jp"
    # The broker is back; the outbox sends it (in-process here).
    assert mail_send(mail_id=notice.pk)
    assert stale_work_requeue()["requests.erased_mail"] == 1
    notice.refresh_from_db()
    assert (notice.to, notice.subject, notice.body, notice.scrub_after_send) == (
        "erased@erased.invalid",
        "",
        "",
        False,
    )
    assert not OutboundMail.objects.filter(to="alice@example.jp").exists()
    assert stale_work_requeue()["requests.erased_mail"] == 0
