"""Measure the consents hot paths on the configured database.

    python manage.py consents_benchmark --customers 10000 --events 20

Generates N customers with M ledger events each (bulk_create, with the matching current
state), then prints: the consent page's render time (median of 50 requests through the whole
middleware stack), a single consent check (`consent_decide`, median and 95th percentile), the
ledger append rate through `consent_change`, and how long `customers_consenting` takes to
count every consenting customer of one purpose. The ledger is append-only, so the generated
rows stay: run it against a database kept for benchmarks.
"""

from __future__ import annotations

import random
import statistics
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from consents import demo, selectors, services
from consents.models import ConsentEvent, ConsentState, Purpose, Service
from consents.selectors import current_policy_version
from portal.models import User

BATCH = 1000


class Command(BaseCommand):
    help = "Generate N customers with M consent events each and time the consent hot paths."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=1000)
        parser.add_argument("--events", type=int, default=20)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, customers: int, events: int, seed: int, **options):
        if customers < 1 or events < 1:
            raise CommandError("--customers and --events must be at least 1")
        rng = random.Random(seed)
        demo.load(out=lambda line: None)  # the purposes, services and policy versions
        purposes = list(Purpose.objects.filter(is_active=True, necessary=False))
        service_list = list(Service.objects.filter(is_active=True).prefetch_related("purposes"))
        vendor = connection.vendor
        self.stdout.write(
            f"database: {vendor} ({settings.DATABASES['default']['NAME']}); "
            f"{customers} customers x {events} events, {len(purposes)} optional purposes"
        )

        started = time.perf_counter()
        people = self._generate(rng, customers, events, purposes, service_list)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"generated {customers * events} events in {elapsed:.1f} s "
            f"({customers * events / elapsed:,.0f} events/s with bulk_create)"
        )

        self._page(people)
        self._check(rng, people, purposes, service_list)
        self._append(rng, people, purposes)
        self._bulk(purposes)

    def _generate(self, rng, customers, events, purposes, service_list) -> list[User]:
        run = uuid.uuid4().hex[:8]
        password = make_password(None)
        version = current_policy_version()
        start = timezone.now() - timedelta(days=365)
        people: list[User] = []
        for offset in range(0, customers, BATCH):
            with transaction.atomic():
                batch = User.objects.bulk_create(
                    User(
                        email=f"bench-{run}-{offset + i}@bench.invalid",
                        full_name=f"Bench {offset + i}",
                        password=password,
                        date_joined=start,
                    )
                    for i in range(min(BATCH, customers - offset))
                )
                rows: list[ConsentEvent] = []
                latest: dict[tuple[int, int, int | None], ConsentEvent] = {}
                for person in batch:
                    when = start
                    for _n in range(events):
                        when += timedelta(minutes=rng.randint(1, 10_000))
                        purpose = rng.choice(purposes)
                        service = None
                        if service_list and rng.random() < 0.2:
                            candidates = [s for s in service_list if purpose in s.purposes.all()]
                            service = rng.choice(candidates) if candidates else None
                        event = ConsentEvent(
                            customer=person,
                            purpose=purpose,
                            service=service,
                            granted=rng.random() < 0.6,
                            policy_version=version,
                            source=rng.choice(["web", "web", "web", "banner", "gpc"]),
                            change_id=uuid.uuid4(),
                            created_at=when,
                            ip_address="192.0.2.1",
                            user_agent="consents_benchmark",
                        )
                        rows.append(event)
                        latest[(person.pk, purpose.pk, service.pk if service else None)] = event
                ConsentEvent.objects.bulk_create(rows, batch_size=5000)
                ConsentState.objects.bulk_create(
                    (
                        ConsentState(
                            customer_id=customer_id,
                            purpose_id=purpose_id,
                            service_id=service_id,
                            granted=event.granted,
                            event=event,
                            policy_version=version,
                            decided_at=event.created_at,
                        )
                        for (customer_id, purpose_id, service_id), event in latest.items()
                    ),
                    batch_size=5000,
                )
            people.extend(batch)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE consents_consentevent, consents_consentstate, portal_user")
        return people

    def _page(self, people: list[User]) -> None:
        client = Client()
        person = people[len(people) // 2]
        client.force_login(person)
        client.get("/consents/", secure=True)  # warm caches and the connection
        timings = []
        for _ in range(50):
            started = time.perf_counter()
            response = client.get("/consents/", secure=True)
            timings.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise CommandError(f"consent page answered {response.status_code}")
        self.stdout.write(
            f"consent page render: median {statistics.median(timings) * 1000:.1f} ms "
            f"(50 requests, min {min(timings) * 1000:.1f} ms, max {max(timings) * 1000:.1f} ms)"
        )

    def _check(self, rng, people, purposes, service_list) -> None:
        timings = []
        for _ in range(1000):
            person = rng.choice(people)
            purpose = rng.choice(purposes)
            service = rng.choice(service_list).code if service_list and rng.random() < 0.5 else None
            started = time.perf_counter()
            selectors.consent_decide(
                customer=person, purpose_code=purpose.code, service_code=service
            )
            timings.append(time.perf_counter() - started)
        timings.sort()
        median = statistics.median(timings) * 1000
        p95 = timings[int(len(timings) * 0.95)] * 1000
        self.stdout.write(
            f"single consent check (consent_decide): median {median:.2f} ms, "
            f"p95 {p95:.2f} ms (1000 checks)"
        )

    def _append(self, rng, people, purposes) -> None:
        count = 500
        written = 0
        started = time.perf_counter()
        for n in range(count):
            person = rng.choice(people)
            purpose = rng.choice(purposes)
            written += len(
                services.consent_change(
                    customer=person, choices={purpose.code: n % 2 == 0}, source="web"
                )
            )
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"ledger append (consent_change, one transaction each): {written / elapsed:,.0f} "
            f"events/s ({written} events written by {count} changes in {elapsed:.2f} s)"
        )

    def _bulk(self, purposes) -> None:
        purpose = purposes[0]
        started = time.perf_counter()
        total = selectors.customers_consenting(purpose_code=purpose.code).count()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"customers_consenting({purpose.code}).count(): {total} customers in "
            f"{elapsed * 1000:.0f} ms"
        )
