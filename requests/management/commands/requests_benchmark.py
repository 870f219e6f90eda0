"""Time the staff queue and the disclosure package for N open requests.

    DATABASE_URL=postgres://.../portal_bench_requests \\
        manage.py requests_benchmark --requests 20000

Creates (once; re-runs reuse them) N open requests of N/10 customers `rbench-<n>@example.invalid`
and one customer with a long access log, then prints: the queue's first, middle and last page
through the real view (median of repeated renders, with the number of queries, which must not
depend on N), a search by email, the overview, and one package build (time, parts, bytes).
Meant for a scratch database: it adds customers, requests and files.
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.models import AccessLogEntry, User
from portal.roles import STAFF_GROUP
from requests import services, workflow
from requests.models import DataRequest, DisclosurePackage, Kind, Status

EMAIL = "rbench-{}@example.invalid"
STAFF = "rbench-staff@example.invalid"


class Command(BaseCommand):
    help = "Time the requests queue, overview and a disclosure package; prints figures."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=20000)
        parser.add_argument("--access-log", type=int, default=5000)
        parser.add_argument("--repeat", type=int, default=5)

    def handle(self, *args, requests: int, access_log: int, repeat: int, **options):
        staff = self._setup(requests, access_log)
        client = Client()
        client.force_login(staff)
        total = DataRequest.objects.filter(status__in=["submitted", "in_review"]).count()
        pages = max(1, (total + 49) // 50)
        self.stdout.write(f"open requests: {total} ({pages} pages of 50)")
        url = reverse("requests:staff_queue")
        for label, params in (
            ("queue page 1", {}),
            (f"queue page {pages // 2 or 1}", {"page": pages // 2 or 1}),
            (f"queue page {pages}", {"page": pages}),
            ("queue search by email", {"q": EMAIL.format(7)}),
            ("queue overdue filter", {"overdue": "on"}),
        ):
            self._time(client, url, params, label, repeat)
        self._time(client, reverse("requests:staff_overview"), {}, "overview", repeat)
        self._package(staff)

    def _time(self, client, url, params, label, repeat) -> None:
        times, queries = [], 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url, params)
                times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
            queries = len(ctx.captured_queries)
        self.stdout.write(
            f"{label:<28} median {statistics.median(times) * 1000:8.1f} ms   {queries} queries"
        )

    def _setup(self, n: int, log_rows: int) -> User:
        from django.contrib.auth.models import Group

        staff, created = User.objects.get_or_create(email=STAFF, defaults={"full_name": "Bench"})
        if created:
            staff.groups.add(Group.objects.get(name=STAFF_GROUP))
        have = User.objects.filter(email__startswith="rbench-", email__endswith=".invalid").count()
        customers = max(1, n // 10)
        if have < customers + 1:
            User.objects.bulk_create(
                [
                    User(email=EMAIL.format(i), full_name=f"ベンチ {i}")
                    for i in range(have - 1 if have else 0, customers)
                ],
                ignore_conflicts=True,
            )
        people = list(
            User.objects.filter(email__startswith="rbench-", email__endswith=".invalid")
            .exclude(email=STAFF)
            .order_by("id")[:customers]
        )
        existing = DataRequest.objects.filter(reference__startswith="RB-").count()
        now = timezone.now()
        if existing < n:
            started = time.perf_counter()
            batch = []
            for i in range(existing, n):
                batch.append(
                    DataRequest(
                        reference=f"RB-{i:08d}",
                        kind=Kind.INQUIRY if i % 2 else Kind.DISCLOSURE,
                        customer=people[i % len(people)],
                        status=Status.IN_REVIEW if i % 3 else Status.SUBMITTED,
                        on_behalf=True,
                        principal_name=f"p{i}",
                        received_at=now - timedelta(days=i % 80),
                        sla_days=14,
                        sla_day_mode="calendar",
                        due_at=now + timedelta(hours=(i % 700) - 200),
                    )
                )
                if len(batch) == 5000:
                    DataRequest.objects.bulk_create(batch)
                    batch = []
            DataRequest.objects.bulk_create(batch)
            self.stdout.write(
                f"created {n - existing} requests in {time.perf_counter() - started:.1f} s"
            )
        subject = people[0]
        have_log = AccessLogEntry.objects.filter(user=subject).count()
        if have_log < log_rows:
            AccessLogEntry.objects.bulk_create(
                [
                    AccessLogEntry(
                        user=subject, action="sign_in", ip_address="192.0.2.1", user_agent="Bench"
                    )
                    for _ in range(log_rows - have_log)
                ]
            )
        return staff

    def _package(self, staff: User) -> None:
        subject = User.objects.get(email=EMAIL.format(0))
        with transaction.atomic():
            req = DataRequest.objects.create(
                reference=f"RBP-{timezone.now():%H%M%S%f}",
                kind=Kind.DISCLOSURE,
                customer=subject,
                status=Status.IN_REVIEW,
                on_behalf=True,
                principal_name="package",
                details={"scope": "all", "categories": []},
                sla_days=14,
                sla_day_mode="calendar",
                due_at=timezone.now() + timedelta(days=14),
            )
            workflow.request_close(
                request_id=req.pk, actor=staff, outcome="fulfilled", reason="benchmark"
            )
        package = DisclosurePackage.objects.get(request=req)
        started = time.perf_counter()
        package = services.package_build(package_id=package.pk)
        elapsed = time.perf_counter() - started
        size = services.package_storage().size(package.json_name)
        rows = AccessLogEntry.objects.filter(user=subject).count()
        self.stdout.write(
            f"package build (access log {rows} rows)  {elapsed * 1000:8.1f} ms   "
            f"{package.total} parts   JSON {size / 1024:.0f} KiB"
        )
