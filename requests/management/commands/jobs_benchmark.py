"""Time one deadline sweep (LW-6.2) over N open requests.

    DATABASE_URL=postgres://.../portal_bench_jobs CELERY_BROKER_URL=memory:// \
        manage.py jobs_benchmark --requests 100000

Creates N open requests `BJ-<n>` with due dates spread evenly from two days overdue to
fourteen days ahead of the moment they are created (a re-run with the same N reuses them; a
different N replaces them), a tenth of them paused (waiting on the customer), a
fifth unassigned, the rest spread over the benchmark's privacy staff. Then runs the sweep
twice at the same moment and prints for each: wall time, queries, claims and mails written.
Both runs happen in a transaction that is rolled back at the end, so the figures can be
repeated and nothing is handed to a broker. Meant for a scratch database.
"""

from __future__ import annotations

import math
import time
from datetime import timedelta

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.models import OutboundMail, ReminderClaim, User
from portal.roles import ADMIN_GROUP, STAFF_GROUP
from requests import jobs
from requests.models import DataRequest, Kind, Status

PREFIX = "BJ-"


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Benchmark the deadline sweep over N open requests."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=10_000)
        parser.add_argument("--staff", type=int, default=10)
        parser.add_argument("--admins", type=int, default=2)

    def handle(self, *args, requests: int, staff: int, admins: int, **options):
        if requests < 1 or staff < 1:
            raise CommandError("--requests and --staff must be at least 1")
        w = self.stdout.write
        now = timezone.now()
        created = self._setup(requests, staff, admins, now)
        w(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        open_count = DataRequest.objects.filter(
            reference__startswith=PREFIX, status__in=jobs.OPEN_STATUSES
        ).count()
        w(f"open requests: {open_count} (created now: {created})")
        try:
            with transaction.atomic():
                for label in ("first sweep", "second sweep (same moment)"):
                    claims_before = ReminderClaim.objects.count()
                    mails_before = OutboundMail.objects.count()
                    with CaptureQueriesContext(connection) as queries:
                        start = time.perf_counter()
                        result = jobs.request_deadline_sweep(now=now)
                        seconds = time.perf_counter() - start
                    w(
                        f"{label}: {seconds:.2f} s, {len(queries)} queries, "
                        f"{ReminderClaim.objects.count() - claims_before} claims, "
                        f"{OutboundMail.objects.count() - mails_before} mails "
                        f"(reminders {result.reminders}, escalations {result.escalations}, "
                        f"digests {result.digests})"
                    )
                raise _Rollback
        except _Rollback:
            w("rolled back: the sweep's claims and mails are not kept")

    def _setup(self, n: int, staff_count: int, admin_count: int, now) -> int:
        existing = DataRequest.objects.filter(reference__startswith=PREFIX).count()
        if existing == n:
            return 0
        # Another N was spread differently: start again so the due dates are even.
        DataRequest.objects.filter(reference__startswith=PREFIX).delete()
        existing = 0
        staff_group = Group.objects.get(name=STAFF_GROUP)
        admin_group = Group.objects.get(name=ADMIN_GROUP)
        people = []
        for i in range(staff_count + admin_count):
            person, _ = User.objects.get_or_create(
                email=f"bench-staff-{i}@example.invalid",
                defaults={"full_name": f"担当 {i}", "preferred_language": "ja" if i % 3 else "en"},
            )
            (admin_group if i >= staff_count else staff_group).user_set.add(person)
            people.append(person)
        assignees = people[:staff_count]
        kinds = list(Kind.values)
        customers_needed = math.ceil(n / len(kinds))
        have = User.objects.filter(email__startswith="bench-customer-").count()
        User.objects.bulk_create(
            [
                User(email=f"bench-customer-{i}@example.invalid", password="!")
                for i in range(have, customers_needed)
            ],
            batch_size=5000,
        )
        customer_ids = list(
            User.objects.filter(email__startswith="bench-customer-")
            .order_by("id")
            .values_list("id", flat=True)
        )
        span = timedelta(days=16)
        rows = []
        for i in range(existing, n):
            due = now - timedelta(days=2) + span * (i / n)
            paused = i % 10 == 0
            rows.append(
                DataRequest(
                    reference=f"{PREFIX}{i:07d}",
                    kind=kinds[i % len(kinds)],
                    status=Status.AWAITING_CUSTOMER if paused else Status.IN_REVIEW,
                    customer_id=customer_ids[i // len(kinds)],
                    received_at=due - timedelta(days=14),
                    sla_days=14,
                    sla_day_mode="calendar",
                    due_at=due,
                    paused_since=now - timedelta(days=1) if paused else None,
                    identity_confirmed_at=due - timedelta(days=13),
                    assignee=None if i % 5 == 0 else assignees[i % len(assignees)],
                )
            )
        DataRequest.objects.bulk_create(rows, batch_size=5000)
        return len(rows)
