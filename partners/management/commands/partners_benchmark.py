"""Time the provision gate and the de-identified export (LY-5) for N customers.

    DATABASE_URL=postgres://.../portal_bench_partners \
        manage.py partners_benchmark --customers 100000

Creates (once; re-runs reuse them) N customers `bench-<n>@example.invalid` and a research
institution with an opt-out LY-5 purpose that 1 % of them withdrew, then prints: one gate
decision (median of repeated calls), the export's rows per second and peak memory, and the
time of PostgreSQL's `COPY (SELECT ...) TO STDOUT` of the same rows and columns as the lower
bound. Meant for a scratch database: it adds customers, records and files.
"""

from __future__ import annotations

import random
import resource
import statistics
import time
import tracemalloc

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from consents import services as consent_services
from consents.models import Purpose, PurposeCategory
from partners import services
from partners.models import (
    Arrangement,
    ArrangementStatus,
    Basis,
    Country,
    Export,
    Partner,
    PartnerKind,
)
from portal.models import User

PURPOSE = "bench-ly5-research"
EMAIL = "bench-{}@example.invalid"


class Command(BaseCommand):
    help = "Benchmark the provision gate and the de-identified export for N customers."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=10_000)
        parser.add_argument("--chunk-size", type=int, default=None)
        parser.add_argument("--gate-repeat", type=int, default=200)

    def handle(self, *args, customers: int, chunk_size: int | None, gate_repeat: int, **opts):
        if customers < 1:
            raise CommandError("--customers must be at least 1")
        purpose, partner = self._setup(customers)
        agent = User.objects.filter(email=EMAIL.format(0)).get()
        w = self.stdout.write
        w(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        total = User.objects.filter(email__startswith="bench-").count()
        w(f"customers: {total} (of which consenting: {self._consenting(purpose)})")

        # 1. One gate decision, repeated: median and mean wall time.
        customer = User.objects.get(email=EMAIL.format(customers // 2))
        timings = []
        for _ in range(gate_repeat):
            start = time.perf_counter()
            services.provision_decide(
                customer=customer, partner=partner, purpose=purpose, items=services.EXPORT_ITEMS
            )
            timings.append(time.perf_counter() - start)
        w(
            f"gate: one decision median {statistics.median(timings) * 1000:.2f} ms, "
            f"mean {statistics.mean(timings) * 1000:.2f} ms over {gate_repeat} calls"
        )

        # 2. The export, as the worker runs it, timed; then again under tracemalloc.
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        export = Export.objects.create(partner=partner, purpose=purpose, requested_by=agent)
        start = time.perf_counter()
        export = services.export_run(export_id=export.pk, chunk_size=chunk_size)
        seconds = time.perf_counter() - start
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        size = services.export_path(export).stat().st_size
        w(
            f"export: {export.rows} rows in {seconds:.2f} s = {export.rows / seconds:,.0f} rows/s; "
            f"file {size / 1e6:.1f} MB; peak RSS {rss_after / 1024:.0f} MiB "
            f"(+{(rss_after - rss_before) / 1024:.0f} MiB during the export)"
        )
        tracemalloc.start()
        export2 = Export.objects.create(partner=partner, purpose=purpose, requested_by=agent)
        start = time.perf_counter()
        services.export_run(export_id=export2.pk, chunk_size=chunk_size)
        traced_seconds = time.perf_counter() - start
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        w(
            f"export under tracemalloc: Python peak {peak / 1e6:.1f} MB "
            f"({traced_seconds:.2f} s with tracing)"
        )

        # 3. The lower bound: PostgreSQL streams the same rows and columns itself.
        if connection.vendor != "postgresql":
            w("copy: skipped (needs PostgreSQL)")
            return
        rows_sql, params = services.export_candidates(
            partner=partner, purpose=purpose
        ).query.sql_with_params()
        import psycopg

        connection.ensure_connection()
        raw = connection.connection
        sql = psycopg.ClientCursor(raw).mogrify(rows_sql, params)
        copied = 0
        start = time.perf_counter()
        with raw.cursor() as cursor, cursor.copy(f"COPY ({sql}) TO STDOUT WITH CSV") as copy:
            for block in copy:
                copied += len(block)
        copy_seconds = time.perf_counter() - start
        w(
            f"copy: {export.rows} rows ({copied / 1e6:.1f} MB) in {copy_seconds:.2f} s = "
            f"{export.rows / copy_seconds:,.0f} rows/s (lower bound; export is "
            f"{seconds / copy_seconds:.1f}x)"
        )

    def _consenting(self, purpose: Purpose) -> int:
        from consents.selectors import customers_consenting

        return customers_consenting(purpose_code=purpose.code).count()

    @transaction.atomic
    def _setup(self, customers: int) -> tuple[Purpose, Partner]:
        existing = User.objects.filter(email__startswith="bench-").count()
        rng = random.Random(7)
        batch = []
        for n in range(existing, customers):
            batch.append(
                User(
                    email=EMAIL.format(n),
                    password="!",  # unusable: benchmark customers never sign in
                    full_name=f"ベンチ {n}",
                    phone=f"090-{n // 10000:04d}-{n % 10000:04d}",
                    postal_code="100-0001",
                    prefecture=f"{rng.randint(1, 47):02d}",
                    address=f"東京都千代田区千代田{n}",
                    birth_year=rng.randint(1950, 2005),
                    preferred_language=rng.choice(["ja", "en"]),
                )
            )
            if len(batch) >= 5000:
                User.objects.bulk_create(batch)
                batch = []
        if batch:
            User.objects.bulk_create(batch)
        purpose, _created = Purpose.objects.get_or_create(
            code=PURPOSE,
            defaults={
                "name_ja": "ベンチマーク用 研究機関への提供",
                "name_en": "Benchmark: provision to research institutions",
                "category": PurposeCategory.RESEARCH,
                "default_granted": True,  # opt-out, so every customer is a candidate
            },
        )
        japan, _ = Country.objects.get_or_create(
            code="JP",
            defaults={
                "name_ja": "日本",
                "name_en": "Japan",
                "protection_system_ja": "個人情報保護法",
                "protection_system_en": "Act on the Protection of Personal Information",
            },
        )
        partner, _ = Partner.objects.get_or_create(
            name_en="Benchmark Research Institute",
            defaults={
                "kind": PartnerKind.RESEARCH_INSTITUTION,
                "name_ja": "ベンチマーク研究所",
                "address_ja": "東京都",
                "address_en": "Tokyo",
                "country": japan,
            },
        )
        if not partner.arrangements.exists():
            arrangement = Arrangement.objects.create(
                partner=partner,
                basis=Basis.CONSENT,
                title_ja="ベンチマーク",
                title_en="Benchmark",
                data_items=list(services.EXPORT_ITEMS),
                starts_on="2024-01-01",
                status=ArrangementStatus.DRAFT,
            )
            arrangement.purposes.set([purpose])
            services.arrangement_activate(arrangement=arrangement, actor=None)
        if existing < customers:
            # 1 % of the new customers withdrew, through the consent service as customers do.
            for n in range(existing + (-existing % 100), customers, 100):
                consent_services.consent_change(
                    customer=User.objects.get(email=EMAIL.format(n)),
                    choices={PURPOSE: False},
                    source="web",
                )
        return purpose, partner
