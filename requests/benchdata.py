"""The data of `manage.py bench`, written with bulk SQL in a database of its own.

At scale N: N customers with one open request each (spread from two days overdue to fourteen
days ahead of the moment of generation, a tenth paused, a fifth unassigned, the rest over ten
privacy staff and two administrators), the demo purposes and services, an opt-out LY-5 research
purpose and a research institution with an active arrangement for it, half the customers with
an explicit grant of it, one in a hundred with a withdrawal, one in four with a
service-specific choice. The moment of generation is kept in `bench_meta`, so a database made
once is reused by every later run at the same scale.
"""

from __future__ import annotations

import datetime

import psycopg
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection, transaction

from consents import demo as consents_demo
from consents.models import Purpose, PurposeCategory, Service
from consents.selectors import current_policy_version
from partners.models import Arrangement, ArrangementStatus, Basis, Country, Partner, PartnerKind
from partners.services import exports, registry
from portal.models import User
from portal.roles import ADMIN_GROUP, STAFF_GROUP
from requests import demo as requests_demo
from requests.models import Kind

PURPOSE = "bench-ly5-research"
PARTNER = "Benchmark Research Institute"
STAFF_EMAIL = "bench-staff-{}@bench.invalid"
CUSTOMER_EMAIL = "bench-c{}@bench.invalid"
STAFF_COUNT, ADMIN_COUNT = 10, 2


def database_name(base: str, scale: int) -> str:
    """The benchmark's own database for a scale: its name always contains "bench"."""
    stem = base if "bench" in base else f"{base}_bench"
    return f"{stem}_s{scale}"


def database_ensure(settings_dict: dict, name: str, *, fresh: bool) -> bool:
    """Create the database when missing (drop it first with `fresh`); True when created."""
    params = {
        "host": settings_dict.get("HOST") or "127.0.0.1",
        "port": settings_dict.get("PORT") or 5432,
        "user": settings_dict.get("USER"),
        "password": settings_dict.get("PASSWORD"),
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**params) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
            return True
    return False


def generated_at(scale: int) -> datetime.datetime | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_meta "
            "(scale integer PRIMARY KEY, generated_at timestamptz NOT NULL)"
        )
        cursor.execute("SELECT generated_at FROM bench_meta WHERE scale = %s", [scale])
        row = cursor.fetchone()
    return row[0] if row else None


def generate(*, scale: int, out) -> datetime.datetime:
    """Migrate and fill the current database; return the moment of generation."""
    call_command("migrate", verbosity=0, interactive=False)
    when = generated_at(scale)
    if when is not None:
        return when
    with transaction.atomic():
        consents_demo.load(out=lambda line: None)
        requests_demo.load(out=lambda line: None)
        purpose, _partner_row = _partner()
        staff = _staff()
        with connection.cursor() as cursor:
            cursor.execute("SELECT now()")
            (when,) = cursor.fetchone()
            _customers(cursor, scale, when)
            _requests(cursor, scale, when, [p.pk for p in staff[:STAFF_COUNT]])
            _consents(cursor, purpose, when)
            cursor.execute(
                "INSERT INTO bench_meta (scale, generated_at) VALUES (%s, %s)", [scale, when]
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    out(f"generated scale {scale} in {connection.settings_dict['NAME']}")
    return when


def _staff() -> list[User]:
    staff_group = Group.objects.get(name=STAFF_GROUP)
    admin_group = Group.objects.get(name=ADMIN_GROUP)
    people = []
    for i in range(STAFF_COUNT + ADMIN_COUNT):
        person, _ = User.objects.get_or_create(
            email=STAFF_EMAIL.format(i),
            defaults={"full_name": f"担当 {i}", "preferred_language": "ja" if i % 3 else "en"},
        )
        (admin_group if i >= STAFF_COUNT else staff_group).user_set.add(person)
        people.append(person)
    return people


def _partner() -> tuple[Purpose, Partner]:
    purpose, _ = Purpose.objects.get_or_create(
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
        name_en=PARTNER,
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
            data_items=list(exports.EXPORT_ITEMS),
            starts_on="2024-01-01",
            status=ArrangementStatus.DRAFT,
        )
        arrangement.purposes.set([purpose])
        registry.arrangement_activate(arrangement=arrangement, actor=None)
    return purpose, partner


def _customers(cursor, n: int, when) -> None:
    cursor.execute(
        """
        INSERT INTO portal_user (password, is_superuser, email, full_name, phone, postal_code,
            prefecture, address, birth_year, preferred_language, is_staff, is_active,
            date_joined, email_confirmed_at)
        SELECT '!', false, 'bench-c' || g || '@bench.invalid', 'ベンチ ' || g,
            '090-' || lpad((g / 10000 %% 10000)::text, 4, '0') || '-'
                || lpad((g %% 10000)::text, 4, '0'),
            '100-0001', lpad((1 + g %% 47)::text, 2, '0'), '東京都千代田区千代田' || g,
            1950 + g %% 55, CASE WHEN g %% 3 = 0 THEN 'en' ELSE 'ja' END, false, true,
            %s - interval '400 days', %s - interval '400 days'
        FROM generate_series(0, %s - 1) AS g
        """,
        [when, when, n],
    )


def _requests(cursor, n: int, when, staff_ids: list[int]) -> None:
    cursor.execute(
        """
        INSERT INTO requests_datarequest (reference, kind, status, outcome, outcome_reason,
            on_behalf, principal_name, principal_relationship, details, delivery_method,
            received_at, sla_days, sla_day_mode, due_at, paused_seconds, paused_since,
            extension_days, extension_reason, identity_confirmed_at, fee_status, created_at,
            updated_at, assignee_id, customer_id, principal_no_account, representation,
            channel, requester_name, requester_email, requester_address, requester_phone,
            requester_language, matched_none)
        SELECT 'BN-' || lpad(g::text, 8, '0'), (%(kinds)s::text[])[1 + g %% %(nkinds)s],
            CASE WHEN g %% 10 = 0 THEN 'awaiting_customer'
                 WHEN g %% 3 = 0 THEN 'submitted' ELSE 'in_review' END,
            '', '', false, '', '', '{}'::jsonb, 'electronic',
            due - interval '14 days', 14, 'calendar', due, 0,
            CASE WHEN g %% 10 = 0 THEN %(when)s - interval '1 day' END, 0, '',
            due - interval '13 days', 'none', %(when)s, %(when)s,
            CASE WHEN g %% 5 = 0 THEN NULL
                 ELSE (%(staff)s::bigint[])[1 + g %% %(nstaff)s] END,
            u.id, false, '', 'online', '', '', '', '', 'ja', false
        FROM (SELECT id, (row_number() OVER (ORDER BY id) - 1)::int AS g
              FROM portal_user WHERE email LIKE 'bench-c%%') AS u,
        LATERAL (SELECT %(when)s - interval '2 days'
                        + interval '16 days' * (g::float8 / %(n)s) AS due) AS d
        """,
        {
            "kinds": list(Kind.values),
            "nkinds": len(Kind.values),
            "when": when,
            "staff": staff_ids,
            "nstaff": len(staff_ids),
            "n": n,
        },
    )


def _consents(cursor, purpose: Purpose, when) -> None:
    version = current_policy_version()
    service = (
        Service.objects.filter(is_active=True, purposes__isnull=False).order_by("code").first()
    )
    service_purpose = service.purposes.order_by("code").first() if service else None
    # Half grant the research purpose, one in a hundred withdrew it; one in four chose for a
    # service. One ledger event each, and the current state that rests on it.
    cursor.execute(
        """
        INSERT INTO consents_consentevent (granted, source, change_id, created_at, ip_address,
            user_agent, customer_id, purpose_id, policy_version_id, service_id)
        SELECT g %% 100 <> 0, 'web', gen_random_uuid(), %(when)s - interval '30 days',
            '192.0.2.1', 'bench', u.id, %(purpose)s, %(version)s, NULL
        FROM (SELECT id, (row_number() OVER (ORDER BY id) - 1)::int AS g
              FROM portal_user WHERE email LIKE 'bench-c%%') AS u
        WHERE g %% 2 = 0 OR g %% 100 = 0
        """,
        {"when": when, "purpose": purpose.pk, "version": version.pk if version else None},
    )
    if service is not None:
        cursor.execute(
            """
            INSERT INTO consents_consentevent (granted, source, change_id, created_at,
                ip_address, user_agent, customer_id, purpose_id, policy_version_id, service_id)
            SELECT g %% 8 = 0, 'web', gen_random_uuid(), %(when)s - interval '20 days',
                '192.0.2.1', 'bench', u.id, %(purpose)s, %(version)s, %(service)s
            FROM (SELECT id, (row_number() OVER (ORDER BY id) - 1)::int AS g
                  FROM portal_user WHERE email LIKE 'bench-c%%') AS u
            WHERE g %% 4 = 0
            """,
            {
                "when": when,
                "purpose": service_purpose.pk,
                "version": version.pk if version else None,
                "service": service.pk,
            },
        )
    cursor.execute(
        """
        INSERT INTO consents_consentstate (granted, decided_at, customer_id, event_id,
            purpose_id, policy_version_id, service_id)
        SELECT granted, created_at, customer_id, id, purpose_id, policy_version_id, service_id
        FROM consents_consentevent WHERE user_agent = 'bench'
        """
    )
