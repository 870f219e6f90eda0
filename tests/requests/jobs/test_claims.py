"""The exactly-once claim (docs/architecture.md): a unique row per subject, reminder,
due date and recipient, taken before a mail is written."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction

from portal.models import OutboundMail, ReminderClaim
from portal.services import ClaimKey, reminder_claim_many
from requests import jobs
from requests.models import DataRequest, Kind, Status
from tests import factories


def key(now, **kwargs) -> ClaimKey:
    return ClaimKey(
        **{"subject_type": "x.thing", "subject_id": 1, "reminder": "r", "due_at": now, **kwargs}
    )


@pytest.mark.clause("LW-6.2")
def test_a_key_is_claimed_once_and_a_new_due_date_is_a_new_key(cast, now):
    first = key(now)
    assert reminder_claim_many(keys=[first, first]) == {first}
    assert reminder_claim_many(keys=[first]) == set()
    moved = key(now + timedelta(days=2))
    per_person = key(now, recipient_id=cast.agent.pk)
    other_person = key(now, recipient_id=cast.administrator.pk)
    assert reminder_claim_many(keys=[first, moved, per_person, other_person]) == {
        moved,
        per_person,
        other_person,
    }
    assert reminder_claim_many(keys=[per_person]) == set()
    assert ReminderClaim.objects.count() == 4


@pytest.mark.clause("LW-6.2")
def test_a_rolled_back_claim_is_free_again(cast, now):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        assert reminder_claim_many(keys=[key(now)]) == {key(now)}
        raise Boom
    assert reminder_claim_many(keys=[key(now)]) == {key(now)}


def _open_requests(now, count: int) -> None:
    staff = factories.agent(email="sweeper@example.jp")
    customers = [factories.customer(email=f"twin{i}@example.jp") for i in range(count // 9 + 1)]
    kinds = list(Kind.values)
    DataRequest.objects.bulk_create(
        DataRequest(
            reference=f"DR-2097-{i:06d}",
            kind=kinds[i % 9],
            status=Status.IN_REVIEW,
            customer=customers[i // 9],
            received_at=now - timedelta(days=14),
            sla_days=14,
            sla_day_mode="calendar",
            due_at=now + timedelta(hours=(i % 80) - 20),
            assignee=staff if i % 2 else None,
        )
        for i in range(count)
    )


@pytest.mark.postgres
@pytest.mark.clause("LW-6.2")
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_every_mail_once(cast, now):
    """Two beats (or a retried task) running the sweep at the same moment on PostgreSQL: the
    claims of the one block the other until it commits, and then count as taken."""
    _open_requests(now, 300)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait(timeout=10)
            results.append(jobs.request_deadline_sweep(now=now))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert not errors
    assert len(results) == 2
    total = sum(r.mails for r in results)
    assert total == OutboundMail.objects.count() > 0
    assert (
        sum(r.escalations for r in results) == DataRequest.objects.filter(due_at__lte=now).count()
    )
    # Each (recipient, subject) pair got exactly one mail.
    pairs = list(OutboundMail.objects.values_list("to", "subject"))
    assert len(pairs) == len(set(pairs))
    assert jobs.request_deadline_sweep(now=now).mails == 0


def test_due_dates_keep_every_microsecond_through_the_claim(cast):
    from datetime import UTC, datetime

    # Two keys a microsecond apart are two reminders; each comes back as it went in, and
    # the row holds the exact moment (far dates too).
    exact = datetime(2026, 12, 1, 3, 4, 5, 678901, tzinfo=UTC)
    keys = [
        key(exact),
        key(exact + timedelta(microseconds=1)),
        key(datetime(2199, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
    ]
    assert reminder_claim_many(keys=keys) == set(keys)
    assert reminder_claim_many(keys=keys) == set()
    stored = sorted(ReminderClaim.objects.values_list("due_at", flat=True))
    assert stored == sorted(k.due_at for k in keys)
