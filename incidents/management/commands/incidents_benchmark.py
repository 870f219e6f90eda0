"""Time scoping and notifying N people (docs/decisions.md "incidents"). Everything it writes
is rolled back; run it against a scratch database:

    DJANGO_DEBUG=true CELERY_BROKER_URL=memory:// \
      DATABASE_URL=postgres://portal:portal@127.0.0.1:5432/portal_bench_incidents \
      python manage.py incidents_benchmark --people 10000
"""

from __future__ import annotations

import datetime
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents import notices, selectors, services
from partners.models import Basis, Country, Partner, PartnerKind, ProvisionRecord
from partners.services import records
from portal.models import User


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Time scope_find, scope_add, notices_send and notices_deliver for N people (rolled back)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=10_000)

    def handle(self, *args, people: int, **options):
        try:
            with transaction.atomic():
                self._run(people)
                raise _Rollback
        except _Rollback:
            self.stdout.write("rolled back")

    def _timed(self, label, fn):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            result = fn()
        self.stdout.write(
            f"{label}: {time.perf_counter() - start:.2f} s, {len(queries)} queries ({result})"
        )
        return result

    def _run(self, n: int) -> None:
        from consents.models import Purpose

        staff = User.objects.create_user(email="bench-staff@example.invalid")
        users = User.objects.bulk_create(
            User(
                email=f"bench{i}@example.invalid",
                full_name=f"顧客{i}",
                preferred_language="en" if i % 4 == 0 else "ja",
            )
            for i in range(n)
        )
        japan, _ = Country.objects.get_or_create(
            code="JP",
            defaults={
                "name_ja": "日本",
                "name_en": "Japan",
                "protection_system_ja": "個人情報保護法",
                "protection_system_en": "APPI",
            },
        )
        desk = Partner.objects.create(
            kind=PartnerKind.ENTRUSTED_PROCESSOR,
            name_ja="委託先",
            name_en="Processor",
            address_ja="東京都",
            address_en="Tokyo",
            country=japan,
        )
        purpose = Purpose.objects.first() or Purpose.objects.create(
            code="bench", name_ja="目的", name_en="Purpose", category="service"
        )
        when = timezone.now() - datetime.timedelta(days=3)
        ProvisionRecord.objects.bulk_create(
            (
                ProvisionRecord(
                    partner=desk,
                    recipient_name=desk.name_ja,
                    recipient_country="JP",
                    customer=u,
                    customer_reference=records.customer_reference(u.pk),
                    purpose=purpose,
                    data_items=["email"],
                    basis=Basis.ENTRUSTMENT,
                    provided_at=when,
                )
                for u in users
            ),
            batch_size=2000,
        )
        texts = {
            f"{stem}_{lang}": "本文" if lang == "ja" else "Text"
            for stem in ("notice_summary", "notice_actions", "notice_advice", "notice_contact")
            for lang in ("ja", "en")
        }
        incident = services.incident_record(
            actor=staff,
            values={
                "title": "benchmark",
                "kind": "leak",
                "discovered_at": when,
                "aware_at": when,
                "summary": "benchmark",
                "data_items": ["email"],
                **texts,
            },
        )
        rule = services.ScopeRule(
            source="provision",
            partner=desk,
            date_from=timezone.localdate() - datetime.timedelta(days=4),
            date_to=timezone.localdate(),
        )
        found = self._timed(
            "scope_find", lambda: selectors.scope_find(incident=incident, rule=rule).new_count
        )
        self._timed(
            "scope_add",
            lambda: services.scope_add(
                incident_id=incident.pk, actor=staff, rule=rule, expected_new=found
            ),
        )
        self._timed(
            "notices_send",
            lambda: notices.notices_send(incident_id=incident.pk, actor=staff, expected=n),
        )
        # What the Celery task does (the request above only queues it).
        self._timed("notices_deliver", lambda: notices.notices_deliver(incident_id=incident.pk))
