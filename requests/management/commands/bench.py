"""Every hot path against its raw-SQL baseline, in one run.

    python manage.py bench [--scale N] [--only P1,P3] [--json] [--fresh]

Works in a database of its own, next to the one in DATABASE_URL (`<name>_bench_s<N>`, or
`<name>_s<N>` when the name already says bench), generated once with bulk SQL
(`requests.benchdata`) and reused by later runs. Each measure runs our code (A) and its baseline
(B) interleaved, A, B, A, B, and reports medians; `ratio` is ours_ms / baseline_ms for the same
unit of work (lower is better). Baselines are raw psycopg on a connection of their own, do the
same work (the same rows, the same columns) and are checked equal to ours before a figure is
printed. P3 and P4 run ours in a forked child so that `rss_mb` is that run's peak; P5 serves the
pages with gunicorn (2 workers) and loads them with wrk on loopback, and so does API-decide for
the partner API's decide call against /healthz/ (`bin/api-bench` gives its
requests/s, p50 and p99).
"""

from __future__ import annotations

import gc
import json
import math
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from requests import benchdata

IDS = (
    "P1-first",
    "P1-last",
    "P2-general",
    "P2-service",
    "P2b",
    "P3",
    "P4",
    "P5-consent",
    "P5-dashboard",
    "API-decide",
)
GOALS = {
    "P1-first": 2,
    "P1-last": 2,
    "P2-general": 2,
    "P2-service": 2,
    "P2b": 3,
    "P3": 2,
    "P4": 5,
    "P5-consent": 1.25,
    "P5-dashboard": 2,
    "API-decide": None,  # the figures are reported, with no bound
}
WORK = {
    "P1-first": "staff queue, first page of 50",
    "P1-last": "staff queue, last page of 50",
    "P2-general": "consent_decide, general state",
    "P2-service": "consent_decide, service-specific state",
    "P2b": "file one request through the form POST",
    "P3": "de-identified partner export, whole run",
    "P4": "deadline sweep, whole run",
    "P5-consent": "consent page vs dashboard, gunicorn 2 workers, wrk",
    "P5-dashboard": "dashboard vs /healthz/, gunicorn 2 workers, wrk",
    "API-decide": "POST /api/v1/decide vs /healthz/, gunicorn 2 workers, wrk",
}
DECIDE = "/api/v1/decide"
# The paths each served measure loads (ours, then its baseline).
SERVED = {
    "P5-consent": ("/consents/", "/dashboard/"),
    "P5-dashboard": ("/dashboard/", "/healthz/"),
    "API-decide": (DECIDE, "/healthz/"),
}
PAGE_SIZE = 50


class Mismatch(CommandError):
    pass


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _timed(fn: Callable):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def _interleave(ours: Callable, baseline: Callable, repeat: int, check: Callable) -> tuple:
    """A, B, A, B ... `repeat` times each after one warm-up of each; the first pair's values are
    checked equal. Returns the two medians in ms."""
    check(ours(), baseline())
    a, b = [], []
    for _ in range(repeat):
        a.append(_timed(ours)[0])
        b.append(_timed(baseline)[0])
    return _ms(statistics.median(a)), _ms(statistics.median(b))


def _in_child(fn: Callable) -> dict:
    """Run `fn` in a forked child (fresh database connection) and return its dict, with the
    child's peak RSS; so a heavy run's memory is its own."""
    connections.close_all()
    gc.collect()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        code = 0
        try:
            result = fn()
            result["rss_mb"] = _rss_mb()
        except BaseException as exc:  # reported to the parent, which raises
            result = {"error": f"{type(exc).__name__}: {exc}"}
            code = 1
        with os.fdopen(write, "w") as pipe:
            pipe.write(json.dumps(result, default=str))
        os._exit(code)
    os.close(write)
    with os.fdopen(read) as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    result = json.loads(data or '{"error": "the child died"}')
    if "error" in result:
        raise CommandError(result["error"])
    return result


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Measure the hot paths against raw-SQL baselines (one table or JSON lines)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=10_000, help="customers = requests")
        parser.add_argument("--only", default="", help="comma-separated ids or prefixes (P1,P3)")
        parser.add_argument("--json", action="store_true", help="one JSON object per line")
        parser.add_argument("--repeat", type=int, default=20, help="samples of cheap measures")
        parser.add_argument("--heavy-repeat", type=int, default=3, help="samples of P3 and P4")
        parser.add_argument("--wrk-seconds", type=int, default=5)
        parser.add_argument("--fresh", action="store_true", help="drop and regenerate the data")

    # --- set-up -----------------------------------------------------------------------------

    def handle(self, *args, scale: int, only: str, json: bool, fresh: bool, **options):
        if scale < 50:
            raise CommandError("--scale must be at least 50")
        wanted = [w.strip() for w in only.split(",") if w.strip()]
        ids = [i for i in IDS if not wanted or any(i == w or i.startswith(w) for w in wanted)]
        unknown = [w for w in wanted if not any(i == w or i.startswith(w) for i in IDS)]
        if unknown or not ids:
            raise CommandError(f"--only: unknown id {', '.join(unknown)}; ids: {', '.join(IDS)}")
        if connection.vendor != "postgresql":
            raise CommandError("bench needs PostgreSQL (DATABASE_URL=postgres://...)")
        self.as_json = json
        self.repeat = max(1, options["repeat"])
        self.heavy_repeat = max(1, options["heavy_repeat"])
        self.wrk_seconds = options["wrk_seconds"]
        self.scale = scale
        self._use_database(scale, fresh)
        self.generated_at = benchdata.generate(scale=scale, out=self._note)
        self.raw = psycopg.connect(self._conninfo(), autocommit=True)
        self.rows: list[dict] = []
        self._note(f"bench: scale {scale}, database {self.dbname}, load {self._load()}")
        measures = {
            "P1-first": lambda: self._queue(last=False),
            "P1-last": lambda: self._queue(last=True),
            "P2-general": lambda: self._decide(service=False),
            "P2-service": lambda: self._decide(service=True),
            "P2b": self._filing,
            "P3": self._export,
            "P4": self._sweep,
        }
        for measure_id in ids:
            if measure_id in measures:
                self._emit(measure_id, measures[measure_id]())
        served = [i for i in ids if i in SERVED]
        if served:
            for measure_id, row in self._serve(served):
                self._emit(measure_id, row)
        self.raw.close()
        if not self.as_json:
            self._table()

    def _use_database(self, scale: int, fresh: bool) -> None:
        base = settings.DATABASES["default"]
        self.dbname = benchdata.database_name(base["NAME"], scale)
        created = benchdata.database_ensure(base, self.dbname, fresh=fresh)
        connections.close_all()
        base["NAME"] = self.dbname
        connection.settings_dict["NAME"] = self.dbname
        if created:
            self._note(f"bench: created database {self.dbname}")

    def _conninfo(self) -> str:
        d = connection.settings_dict
        return psycopg.conninfo.make_conninfo(
            host=d.get("HOST") or "127.0.0.1",
            port=d.get("PORT") or 5432,
            user=d.get("USER"),
            password=d.get("PASSWORD"),
            dbname=d["NAME"],
        )

    def _load(self) -> str:
        one, five, fifteen = os.getloadavg()
        return f"{one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"

    def _note(self, line: str) -> None:
        self.stderr.write(line)

    def _emit(self, measure_id: str, row: dict | None) -> None:
        if row is None:
            return
        ours, base = row["ours_ms"], row["baseline_ms"]
        record = {
            "id": measure_id,
            "work": WORK[measure_id],
            "n": row["n"],
            "ours_ms": ours,
            "baseline_ms": base,
            "ratio": round(ours / base, 2) if base else None,
            "goal": GOALS[measure_id],
            "queries": row.get("queries"),
            "rss_mb": row.get("rss_mb", _rss_mb()),
        }
        self.rows.append(record)
        if self.as_json:
            self.stdout.write(json.dumps(record, ensure_ascii=False))
        else:
            goal = "no goal" if record["goal"] is None else f"goal <= {record['goal']}"
            self._note(
                f"  {measure_id}: {ours} ms vs {base} ms = {record['ratio']}x "
                f"({goal}); load {self._load()}"
            )

    def _table(self) -> None:
        head = ("id", "work", "n", "ours_ms", "baseline_ms", "ratio", "goal", "queries", "rss_mb")
        lines = [head] + [tuple("" if r[k] is None else str(r[k]) for k in head) for r in self.rows]
        widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
        for n, line in enumerate(lines):
            self.stdout.write("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)))
            if n == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        verdict = [
            r["id"]
            for r in self.rows
            if r["ratio"] is not None and r["goal"] is not None and r["ratio"] > r["goal"]
        ]
        self.stdout.write(f"over goal: {', '.join(verdict) or 'none'}; load {self._load()}")

    def _staff_client(self) -> Client:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from portal.models import User

        staff = User.objects.get(email=benchdata.STAFF_EMAIL.format(0))
        client = Client()
        client.force_login(staff)
        # Staff pages need a verified second factor: the session a real code leaves.
        device, _new = TOTPDevice.objects.get_or_create(
            user=staff, name="bench", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        client.cookies["portal_cookies"] = "necessary"  # the banner was answered once
        return client

    # --- P1: the staff queue -------------------------------------------------------------------

    def _queue(self, *, last: bool) -> dict:
        from requests.models import OPEN_STATUSES

        client = self._staff_client()
        staff_id = int(client.session["_auth_user_id"])
        url = reverse("requests:staff_queue")
        statuses = list(OPEN_STATUSES)
        (total,) = self.raw.execute(
            "SELECT count(*) FROM requests_datarequest WHERE status = ANY(%s)", [statuses]
        ).fetchone()
        pages = max(1, math.ceil(total / PAGE_SIZE))
        page = pages if last else 1

        def ours():
            response = client.get(url, {"page": page}, secure=True)
            if response.status_code != 200:
                raise CommandError(f"queue page {page} answered {response.status_code}")
            return response.content.decode()

        def baseline():
            # The page's data: the count, the 50 rows with customer and assignee, the audit row.
            with self.raw.transaction():
                self.raw.execute(
                    "SELECT count(*) FROM requests_datarequest WHERE status = ANY(%s)", [statuses]
                ).fetchone()
                rows = self.raw.execute(
                    """
                    SELECT r.id, r.reference, r.kind, r.status, r.due_at, r.paused_since,
                        r.received_at, c.id, c.email, c.full_name, a.id, a.email, a.full_name
                    FROM requests_datarequest r
                    JOIN portal_user c ON c.id = r.customer_id
                    LEFT JOIN portal_user a ON a.id = r.assignee_id
                    WHERE r.status = ANY(%s)
                    ORDER BY r.due_at, r.id LIMIT %s OFFSET %s
                    """,
                    [statuses, PAGE_SIZE, (page - 1) * PAGE_SIZE],
                ).fetchall()
                self.raw.execute(
                    "INSERT INTO portal_auditevent (action, target_type, target_id, payload,"
                    " created_at, actor_id)"
                    " VALUES ('requests.queue.viewed', '', '', %s, now(), %s)",
                    [json.dumps({"page": page, "requests": [r[0] for r in rows]}), staff_id],
                )
            return rows

        def check(html, rows):
            positions = [html.find(f">{r[1]}<") for r in rows]
            if not rows or -1 in positions or positions != sorted(positions):
                raise Mismatch(f"P1: page {page} does not show the baseline's rows in order")

        ours_ms, base_ms = _interleave(ours, baseline, self.repeat, check)
        with CaptureQueriesContext(connection) as queries:
            ours()
        return {"n": total, "ours_ms": ours_ms, "baseline_ms": base_ms, "queries": len(queries)}

    # --- P2: one consent decision ----------------------------------------------------------------

    def _decide(self, *, service: bool) -> dict:
        from consents.selectors import consent_decide
        from portal.models import User

        if service:
            row = self.raw.execute(
                "SELECT p.code, s.code FROM consents_consentstate st"
                " JOIN consents_purpose p ON p.id = st.purpose_id"
                " JOIN consents_service s ON s.id = st.service_id LIMIT 1"
            ).fetchone()
            if row is None:
                self._note("P2-service: skipped (no service-specific state)")
                return None
            purpose_code, service_code = row
            step = 4
        else:
            purpose_code, service_code, step = benchdata.PURPOSE, None, 2
        # Customers who decided: the state decides, and the event it rests on is loaded.
        people = list(
            User.objects.filter(
                email__in=[benchdata.CUSTOMER_EMAIL.format(step * k) for k in range(1, 21)]
            )
        )
        turn = {"n": 0}

        def person():
            return people[turn["n"] % len(people)]

        def ours():
            decision = consent_decide(
                customer=person(), purpose_code=purpose_code, service_code=service_code
            )
            return (decision.granted, decision.event.pk if decision.event else None)

        scope = "st.service_id IS NULL" if service_code is None else "st.service_id = s.id"
        sql = (
            "SELECT st.granted, st.event_id FROM consents_consentstate st"  # noqa: S608 (no input)
            " JOIN consents_purpose p ON p.id = st.purpose_id AND p.code = %s"
            " LEFT JOIN consents_service s ON s.code = %s"
            f" WHERE st.customer_id = %s AND {scope}"
        )

        def baseline():
            value = self.raw.execute(sql, [purpose_code, service_code, person().pk]).fetchone()
            turn["n"] += 1
            return value

        def check(a, b):
            if b is None or tuple(a) != tuple(b):
                raise Mismatch(f"P2: consent_decide {a} differs from the state row {b}")

        ours_ms, base_ms = _interleave(ours, baseline, max(self.repeat, 200), check)
        with CaptureQueriesContext(connection) as queries:
            ours()
        total = User.objects.filter(email__startswith="bench-c").count()
        return {"n": total, "ours_ms": ours_ms, "baseline_ms": base_ms, "queries": len(queries)}

    # --- P2b: filing one request ---------------------------------------------------------------

    def _filing(self) -> dict:
        from portal.models import User

        tag = uuid.uuid4().hex[:8]
        count = self.repeat + 1
        emails = [f"bench-f-{tag}-{i}@bench.invalid" for i in range(2 * count)]
        with (
            self.raw.transaction(),
            self.raw.cursor().copy(
                "COPY portal_user (password, is_superuser, email, full_name, phone, postal_code,"
                " prefecture, address, preferred_language, is_staff, is_active, date_joined,"
                " email_confirmed_at) FROM STDIN"
            ) as copy,
        ):
            for email in emails:
                copy.write_row(
                    # a confirmed address: filing needs one
                    [
                        "!",
                        False,
                        email,
                        "ベンチ 申請",
                        "",
                        "",
                        "",
                        "",
                        "ja",
                        False,
                        True,
                        "now",
                        "now",
                    ]
                )
        people = {u.email: u for u in User.objects.filter(email__in=emails)}
        ours_people = [people[e] for e in emails[:count]]
        base_people = [people[e] for e in emails[count:]]
        url = reverse("requests:file", kwargs={"kind": "inquiry"})
        data = {
            "requester_type": "customer",
            "subject": "ベンチマークの問い合わせ",
            "message": "登録情報の利用目的について教えてください。",
        }
        client = Client()
        tables = ("requests_datarequest", "requests_timelineentry", "portal_outboundmail")

        def counts():
            return [
                self.raw.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
                for t in tables
            ]

        samples_a, samples_b, queries = [], [], None
        for i in range(count):
            person = ours_people[i]
            client.force_login(person)  # not timed: signing in is not filing
            before = counts() if i == 0 else None
            if i == count - 1:
                capture = CaptureQueriesContext(connection)
                capture.__enter__()
            seconds, response = _timed(lambda: client.post(url, data, secure=True))
            if i == count - 1:
                capture.__exit__(None, None, None)
                queries = len(capture)
            if response.status_code != 302:
                raise CommandError(f"P2b: the filing answered {response.status_code}")
            if before is not None:
                after = counts()
                if [y - x for x, y in zip(before, after, strict=True)] != [1, 1, 1]:
                    raise Mismatch("P2b: one filing did not write one request, entry and mail")
            else:
                samples_a.append(seconds)
            person = base_people[i]
            now = timezone.now()

            def baseline(i=i, person=person, now=now):
                with self.raw.transaction():
                    self.raw.execute(
                        "SELECT id FROM portal_user WHERE id = %s FOR UPDATE", [person.pk]
                    )
                    (rid,) = self.raw.execute(
                        """
                        INSERT INTO requests_datarequest (reference, kind, status, outcome,
                            outcome_reason, on_behalf, principal_name, principal_relationship,
                            details, delivery_method, received_at, sla_days, sla_day_mode, due_at,
                            paused_seconds, extension_days, extension_reason, fee_status,
                            created_at, updated_at, customer_id, principal_no_account,
                            representation, channel, requester_name, requester_email,
                            requester_address, requester_phone, requester_language,
                            matched_none)
                        VALUES (%s, 'inquiry', 'submitted', '', '', false, '', '', %s,
                            'electronic', %s, 10, 'business', %s, 0, 0, '', 'none', %s, %s, %s,
                            false, '', 'online', '', '', '', '', 'ja', false)
                        RETURNING id
                        """,
                        [
                            f"BB-{tag}-{i}",
                            json.dumps(data),
                            now,
                            now + timedelta(days=14),
                            now,
                            now,
                            person.pk,
                        ],
                    ).fetchone()
                    self.raw.execute(
                        "INSERT INTO requests_timelineentry (event, from_status, to_status, note,"
                        " created_at, actor_id, request_id)"
                        " VALUES ('submitted', '', 'submitted', '', %s, %s, %s)",
                        [now, person.pk, rid],
                    )
                    self.raw.execute(
                        "INSERT INTO portal_auditevent (action, target_type, target_id, payload,"
                        " created_at, actor_id) VALUES ('requests.request.filed',"
                        " 'requests.datarequest', %s, %s, %s, %s)",
                        [str(rid), json.dumps({"kind": "inquiry"}), now, person.pk],
                    )
                    self.raw.execute(
                        'INSERT INTO portal_outboundmail ("to", subject, body, language, status,'
                        " attempts, last_error, created_at, scrub_after_send)"
                        " VALUES (%s, %s, %s, 'ja', 'queued', 0, '', %s, false)",
                        [person.email, "受付のお知らせ", "ご依頼を受け付けました。" * 20, now],
                    )

            seconds, _ = _timed(baseline)
            if i > 0:
                samples_b.append(seconds)
        return {
            "n": User.objects.filter(email__startswith="bench-c").count(),
            "ours_ms": _ms(statistics.median(samples_a)),
            "baseline_ms": _ms(statistics.median(samples_b)),
            "queries": queries,
        }

    # --- P3: the de-identified export ------------------------------------------------------------

    def _export(self) -> dict:
        from partners.models import Export, Partner
        from partners.services import exports
        from portal.models import User

        partner = Partner.objects.get(name_en=benchdata.PARTNER)
        purpose = partner.arrangements.get().purposes.get()
        agent = User.objects.get(email=benchdata.STAFF_EMAIL.format(0))

        def ours_child():
            export = Export.objects.create(partner=partner, purpose=purpose, requested_by=agent)
            with CaptureQueriesContext(connection) as queries:
                seconds, export = _timed(lambda: exports.export_run(export_id=export.pk))
            path = exports.export_path(export)
            lines = sum(1 for _ in path.open("rb")) - 1
            path.unlink()
            return {
                "seconds": seconds,
                "rows": export.rows,
                "lines": lines,
                "queries": len(queries),
            }

        rows_sql, params = exports.export_candidates(
            partner=partner, purpose=purpose
        ).query.sql_with_params()
        sql = psycopg.ClientCursor(self.raw).mogrify(rows_sql, params)
        recipient = f"{partner.name_ja} / {partner.name_en}"
        items = json.dumps(list(exports.EXPORT_ITEMS))
        arrangement = partner.arrangements.get()
        columns = ", ".join(f'"{c}"' for c in exports._RECORD_COLUMNS)

        def baseline():
            # The physical limit: COPY the same columns out, COPY as many records in.
            ids = []
            with self.raw.transaction() as tx:
                with self.raw.cursor().copy(f"COPY ({sql}) TO STDOUT") as copy:
                    for row in copy.rows():
                        ids.append(row[0])
                with self.raw.cursor().copy(
                    f"COPY partners_provisionrecord ({columns}) FROM STDIN"
                ) as copy:
                    for cid in ids:
                        copy.write_row(
                            (
                                partner.pk,
                                recipient,
                                "JP",
                                arrangement.pk,
                                cid,
                                "0" * 64,
                                purpose.pk,
                                items,
                                "consent",
                                "general",
                                None,
                                None,
                                None,
                                "now",
                            )
                        )
                raise psycopg.Rollback(tx)
            return len(ids)

        # A, B, A, B; ours in a child each time.
        a, b, child = [], [], None
        for _ in range(self.heavy_repeat):
            child = _in_child(ours_child)
            a.append(child["seconds"])
            seconds, copied = _timed(baseline)
            b.append(seconds)
            if copied != child["rows"] or child["lines"] != child["rows"]:
                raise Mismatch(f"P3: export wrote {child['rows']} rows, COPY gave {copied}")
        return {
            "n": child["rows"],
            "ours_ms": _ms(statistics.median(a)),
            "baseline_ms": _ms(statistics.median(b)),
            "queries": child["queries"],
            "rss_mb": child["rss_mb"],
        }

    # --- P4: the deadline sweep ------------------------------------------------------------------

    def _sweep(self) -> dict:
        from portal.models import OutboundMail, ReminderClaim
        from requests import jobs
        from requests.models import JobSettings

        now = self.generated_at
        horizon = now + timedelta(days=JobSettings.current().reminder_offsets[0])

        def ours_child():
            result = {}
            try:
                with transaction.atomic():
                    mails_before = OutboundMail.objects.count()
                    with CaptureQueriesContext(connection) as queries:
                        seconds, _ = _timed(lambda: jobs.request_deadline_sweep(now=now))
                    ids = sorted(
                        set(
                            ReminderClaim.objects.filter(
                                subject_type=jobs.SUBJECT, claimed_at=now
                            ).values_list("subject_id", flat=True)
                        )
                    )
                    mails = OutboundMail.objects.order_by("-id")[
                        : OutboundMail.objects.count() - mails_before
                    ]
                    lengths = [len(m.body) for m in mails]
                    result = {
                        "seconds": seconds,
                        "queries": len(queries),
                        "ids": hash(tuple(ids)),
                        "requests": len(ids),
                        "mails": len(lengths),
                        "body": int(statistics.mean(lengths)) if lengths else 0,
                    }
                    raise _Rollback
            except _Rollback:
                pass
            return result

        def baseline(mails: int, body: int):
            # One scan of the due-date index, then the same number of mails inserted at once.
            with self.raw.transaction() as tx:
                ids = [
                    r[0]
                    for r in self.raw.execute(
                        "SELECT id, reference, kind, due_at, assignee_id"
                        " FROM requests_datarequest WHERE status = ANY(%s)"
                        " AND paused_since IS NULL AND due_at <= %s ORDER BY due_at, id",
                        [list(jobs.RUNNING_STATUSES), horizon],
                    ).fetchall()
                ]
                self.raw.execute(
                    'INSERT INTO portal_outboundmail ("to", subject, body, language, status,'
                    " attempts, last_error, created_at, scrub_after_send)"
                    " SELECT 'bench@bench.invalid', 'digest', repeat('x', %s), 'ja', 'queued',"
                    " 0, '', now(), false FROM generate_series(1, %s)",
                    [body, mails],
                )
                raise psycopg.Rollback(tx)
            return ids

        a, b, child = [], [], None
        for _ in range(self.heavy_repeat):
            child = _in_child(ours_child)
            a.append(child["seconds"])
            seconds, ids = _timed(lambda c=child: baseline(c["mails"], c["body"]))
            b.append(seconds)
            if hash(tuple(sorted(ids))) != child["ids"]:
                raise Mismatch(
                    f"P4: the sweep claimed {child['requests']} requests, the scan found {len(ids)}"
                )
        self._note(
            f"  P4: {child['requests']} requests due or overdue, {child['mails']} mails "
            f"(mean body {child['body']} characters)"
        )
        return {
            "n": self.raw.execute(
                "SELECT count(*) FROM requests_datarequest WHERE status <> 'closed'"
            ).fetchone()[0],
            "ours_ms": _ms(statistics.median(a)),
            "baseline_ms": _ms(statistics.median(b)),
            "queries": child["queries"],
            "rss_mb": child["rss_mb"],
        }

    # --- P5: pages under gunicorn and wrk --------------------------------------------------------

    def _serve(self, ids: list[str]):
        from portal.models import User

        wrk = shutil.which("wrk")
        if wrk is None:
            self._note(
                "P5: skipped: wrk is not installed (as root: WITH_WRK=1 bin/services installs "
                "Debian's wrk)"
            )
            return
        customer = User.objects.get(email=benchdata.CUSTOMER_EMAIL.format(2))
        client = Client()
        client.force_login(customer)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookie = f"{settings.SESSION_COOKIE_NAME}={session}; portal_cookies=necessary"
        client.cookies["portal_cookies"] = "necessary"
        queries = {}
        for name, path in (("consent", "/consents/"), ("dashboard", "/dashboard/")):
            client.get(path, secure=True)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path, secure=True)
            if response.status_code != 200:
                raise CommandError(f"P5: {path} answered {response.status_code}")
            queries[name] = len(captured)
        decide = self._decide_call(customer) if "API-decide" in ids else None
        if decide is not None:
            queries["decide"] = decide["queries"]
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        d = connection.settings_dict
        env = {
            **os.environ,
            "DATABASE_URL": (
                f"postgres://{d['USER']}:{d['PASSWORD']}@{d.get('HOST') or '127.0.0.1'}:"
                f"{d.get('PORT') or 5432}/{d['NAME']}"
            ),
            "DJANGO_DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false",
            "STATIC_MANIFEST": "false",
        }
        server = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=settings.BASE_DIR,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/healthz/", timeout=1).read()  # noqa: S310
                    break
                except OSError:
                    time.sleep(0.2)
            else:
                raise CommandError("P5: gunicorn did not answer /healthz/")
            for path in ("/consents/", "/dashboard/"):
                check = urllib.request.Request(f"{base}{path}", headers={"Cookie": cookie})  # noqa: S310
                with urllib.request.urlopen(check, timeout=10) as response:  # noqa: S310
                    if response.status != 200 or response.url != f"{base}{path}":
                        raise Mismatch(f"P5: {path} is not served to the signed-in customer")
            if decide is not None:
                check = urllib.request.Request(  # noqa: S310
                    f"{base}{DECIDE}", data=decide["body"].encode(), headers=decide["headers"]
                )
                with urllib.request.urlopen(check, timeout=10) as response:  # noqa: S310
                    if response.status != 200 or "allowed" not in json.load(response):
                        raise Mismatch(f"API-decide: {DECIDE} did not answer a decision")
                script = Path(settings.BASE_DIR / "var" / f"bench-decide-{port}.lua")
                script.parent.mkdir(exist_ok=True)
                script.write_text(
                    'wrk.method = "POST"\n'
                    f"wrk.body = {json.dumps(decide['body'])}\n"
                    + "".join(
                        f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}\n"
                        for k, v in decide["headers"].items()
                    )
                )

            def load(path: str) -> float:
                extra = ["-s", str(script)] if path == DECIDE else ["-H", f"Cookie: {cookie}"]
                out = subprocess.run(  # noqa: S603 (wrk from PATH, our arguments)
                    [wrk, "-t2", "-c8", f"-d{self.wrk_seconds}s", *extra, f"{base}{path}"],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                if "Non-2xx" in out:
                    raise Mismatch(f"P5: {path} answered errors under load:\n{out}")
                rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
                return 1000 / rps  # time per request at saturation

            samples = {path: [] for i in ids for path in SERVED[i]}
            for _ in range(2):
                for path in samples:
                    samples[path].append(load(path))
            rss = self._workers_rss(server.pid)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
            if decide is not None:
                script.unlink(missing_ok=True)
        med = {path: round(statistics.median(v), 3) for path, v in samples.items()}
        counted = {"P5-consent": "consent", "P5-dashboard": "dashboard", "API-decide": "decide"}
        for measure_id in ids:
            ours, baseline = SERVED[measure_id]
            yield (
                measure_id,
                {
                    "n": 1,
                    "ours_ms": med[ours],
                    "baseline_ms": med[baseline],
                    "queries": queries[counted[measure_id]],
                    "rss_mb": rss,
                },
            )

    def _decide_call(self, customer) -> dict:
        """A decide call of the research institution's system about `customer` (its LY-5
        purpose and export items), with a key of its own; its queries counted once."""
        from partners.api.keys import api_key_create
        from partners.api.models import PartnerSystem, SubjectTrigger
        from partners.api.subjects import subject_issue
        from partners.models import Partner
        from partners.services import exports

        partner = Partner.objects.get(name_en=benchdata.PARTNER)
        purpose = partner.arrangements.get().purposes.get()
        system, _new = PartnerSystem.objects.get_or_create(partner=partner, name="bench")
        _row, key = api_key_create(
            system=system, scopes="decide", actor=None, label="bench", rate_limit_per_minute=10**9
        )
        subject, _new = subject_issue(
            partner=partner, customer=customer, trigger=SubjectTrigger.STAFF
        )
        body = json.dumps(
            {
                "subject": subject.subject_id,
                "purpose": purpose.code,
                "items": list(exports.EXPORT_ITEMS),
            }
        )
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
        client = Client()
        call = {"content_type": "application/json", "HTTP_AUTHORIZATION": f"Bearer {key}"}
        client.post(DECIDE, body, secure=True, **call)
        with CaptureQueriesContext(connection) as captured:
            response = client.post(DECIDE, body, secure=True, **call)
        if response.status_code != 200:
            raise CommandError(f"API-decide: {DECIDE} answered {response.status_code}")
        return {"body": body, "headers": headers, "queries": len(captured)}

    def _workers_rss(self, master: int) -> float | None:
        """The largest peak RSS of gunicorn's workers (VmHWM), in MB."""
        try:
            children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        except OSError:
            return None
        peaks = []
        for pid in children:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"VmHWM:\s+(\d+) kB", status)
            if match:
                peaks.append(int(match.group(1)) / 1024)
        return round(max(peaks), 1) if peaks else None
