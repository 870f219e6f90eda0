"""The public transparency report: what people asked of us and what we did, per
quarter and per year in Japan time, from live data, with small counts withheld.

Publication rules (docs/decisions.md, "Transparency report"):

- Only quarters that have ended (Asia/Tokyo) are published, so a published figure does not
  move from one day to the next and the difference between two days cannot single out the
  person who filed or was provided for that day. The year column is the sum of the published
  quarters ("year to date" while the year runs).
- A count of 1 to 4 is published as "fewer than 5" (primary suppression). Zero is published:
  it is about nobody.
- No suppressed count can be worked out by subtraction: every published sum (a row's year
  figure over its quarters, a column's total over its rows) has either no withheld member or
  at least two. Where only one member of a sum is withheld, the smallest other non-zero member
  is withheld too (secondary suppression, shown as "withheld"), repeated until every sum
  holds; tables that share a total (per kind and per channel; per basis and per country)
  are suppressed together, so one cannot undo the other.
- Derived figures (median and 90th-percentile days, the share answered on time) are
  published only over five answered requests or more, and the share only when the on-time
  and the late counts are each zero or at least five (otherwise share x total gives a small
  count back).

The figures are computed in a handful of aggregate queries (percentile_cont and jsonb on
PostgreSQL; on SQLite, the embedded demo, the answer times and grounds are fetched per row
and reduced in Python) and cached with Django's cache: only published figures are stored,
never a raw small count. The key names the year and the last ended quarter, so a new quarter
is a new key; the entry expires after TRANSPARENCY_CACHE_SECONDS (one hour by default), which
bounds how long a late correction (a purged provision record) takes to show.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Min, Q
from django.db.models.functions import ExtractQuarter
from django.utils import timezone

from partners.models import Basis, Country, ProvisionRecord
from requests.models import (
    Channel,
    DataRequest,
    DecisionItem,
    Ground,
    Kind,
    Outcome,
    Status,
    TimelineEntry,
)

TOKYO = ZoneInfo("Asia/Tokyo")
THRESHOLD = 5
QUARTERS = (1, 2, 3, 4)
YEAR = "year"
# The outcomes that answer a request; lapsed and withdrawn requests were not answered.
ANSWERED = (Outcome.FULFILLED, Outcome.PARTIALLY_FULFILLED, Outcome.REFUSED, Outcome.NO_DATA)
REFUSALS = (Outcome.REFUSED, Outcome.PARTIALLY_FULFILLED)

# What a published cell holds besides a number.
FEWER_THAN_FIVE = "lt5"
WITHHELD = "withheld"


@dataclass(frozen=True)
class Row:
    """One line of a table: a code (a kind, an outcome, a country ...), a label where the
    code is not a choice (country names in both languages), and one value per column
    (Q1-Q4 and the year): an int, FEWER_THAN_FIVE, WITHHELD, or None for a quarter not yet
    published."""

    code: str
    values: tuple
    label_ja: str = ""
    label_en: str = ""


@dataclass(frozen=True)
class Table:
    code: str
    rows: tuple[Row, ...]
    total: Row | None = None


@dataclass(frozen=True)
class TimeRow:
    """Median and 90th-percentile days and the share on time (percent), per column; None
    where the figure is not published."""

    median: tuple
    p90: tuple
    on_time: tuple


@dataclass(frozen=True)
class Report:
    year: int
    published: tuple[int, ...]  # the quarters of the year that have ended
    tables: dict[str, Table] = field(default_factory=dict)
    times: TimeRow | None = None

    @property
    def complete(self) -> bool:
        return len(self.published) == 4

    @property
    def columns(self) -> tuple:
        return (*QUARTERS, YEAR)


# --- periods -------------------------------------------------------------------------------


def quarter_start(year: int, quarter: int) -> datetime:
    if quarter == 5:
        year, quarter = year + 1, 1
    return datetime(year, 3 * (quarter - 1) + 1, 1, tzinfo=TOKYO)


def last_ended_quarter(now: datetime | None = None) -> tuple[int, int]:
    """(year, quarter) of the last quarter that has ended in Japan time."""
    local = (now or timezone.now()).astimezone(TOKYO)
    current = (local.month - 1) // 3 + 1
    return (local.year - 1, 4) if current == 1 else (local.year, current - 1)


def published_quarters(year: int, now: datetime | None = None) -> tuple[int, ...]:
    last_year, last_quarter = last_ended_quarter(now)
    if year < last_year:
        return QUARTERS
    if year == last_year:
        return tuple(range(1, last_quarter + 1))
    return ()


def available_years(now: datetime | None = None) -> list[int]:
    """From the first year with a request or a provision to the year of the last ended
    quarter, newest first. Two queries, cached with the report."""
    last_year, last_quarter = last_ended_quarter(now)
    key = f"transparency:years:{last_year}q{last_quarter}"
    years = cache.get(key)
    if years is None:
        firsts = [
            DataRequest.objects.aggregate(first=Min("received_at"))["first"],
            ProvisionRecord.objects.aggregate(first=Min("provided_at"))["first"],
        ]
        known = [f.astimezone(TOKYO).year for f in firsts if f is not None]
        first = min(known, default=last_year)
        years = list(range(last_year, min(first, last_year) - 1, -1))
        cache.set(key, years, _timeout())
    return years


def _timeout() -> int:
    return settings.TRANSPARENCY_CACHE_SECONDS


# --- suppression ---------------------------------------------------------------------------


def suppress(values: dict, sums: list[list]) -> dict:
    """Published values for `values` ({key: count}): counts of 1-4 become FEWER_THAN_FIVE;
    then, for each sum (a list of keys, the total first, then its members), while exactly one
    key is withheld, the smallest other non-zero member (a member before the total) is
    WITHHELD too, until no sum has exactly one withheld key."""
    primary = {k for k, v in values.items() if 0 < v < THRESHOLD}
    hidden = set(primary)
    changed = True
    while changed:
        changed = False
        for group in sums:
            withheld = [k for k in group if k in hidden]
            if len(withheld) != 1:
                continue
            candidates = [k for k in group if k not in hidden and values[k] > 0]
            if not candidates:
                continue
            total = group[0]
            pick = min(candidates, key=lambda k: (k == total, values[k], str(k)))
            hidden.add(pick)
            changed = True
    return {
        k: (FEWER_THAN_FIVE if k in primary else WITHHELD if k in hidden else v)
        for k, v in values.items()
    }


def _grid(table: str, rows: list[str], counts: dict, published: tuple) -> dict:
    """{(table, row, column): count} for rows x (published quarters + year) and the total row,
    whose key is shared by tables that count the same things."""
    cells = {}
    for row in rows:
        for q in published:
            cells[(table, row, q)] = counts.get((row, q), 0)
        cells[(table, row, YEAR)] = sum(counts.get((row, q), 0) for q in published)
    return cells


def _sums(table: str, rows: list[str], published: tuple, total_key: str | None) -> list[list]:
    sums = []
    columns = (*published, YEAR)
    for row in rows:
        sums.append([(table, row, YEAR), *((table, row, q) for q in published)])
    if total_key:
        for column in columns:
            sums.append([(total_key, column), *((table, row, column) for row in rows)])
        sums.append([(total_key, YEAR), *((total_key, q) for q in published)])
    return sums


# --- the report ----------------------------------------------------------------------------


def report_for(year: int, now: datetime | None = None) -> Report:
    """The published report for `year`, from the cache or computed (LW-6.2, LW-6.3, LY-2)."""
    last_year, last_quarter = last_ended_quarter(now)
    key = f"transparency:report:v1:{year}:{last_year}q{last_quarter}"
    report = cache.get(key)
    if report is None:
        report = _compute(year, published_quarters(year, now))
        cache.set(key, report, _timeout())
    return report


def _compute(year: int, published: tuple[int, ...]) -> Report:
    if not published:
        return Report(year=year, published=())
    start = quarter_start(year, 1)
    end = quarter_start(year, published[-1] + 1)
    quarter_of = {"tzinfo": TOKYO}

    # 1. Requests received, per quarter, kind and channel (one query).
    received = defaultdict(int)
    by_channel = defaultdict(int)
    rows = (
        DataRequest.objects.filter(received_at__gte=start, received_at__lt=end)
        .annotate(q=ExtractQuarter("received_at", **quarter_of))
        .values("q", "kind", "channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in rows:
        received[(r["kind"], r["q"])] += r["n"]
        by_channel[(r["channel"], r["q"])] += r["n"]

    # 2. Requests closed, per quarter and outcome, with how many of the answered ones were
    # answered by their due date (one query).
    closed = defaultdict(int)
    answered = defaultdict(int)
    on_time = defaultdict(int)
    rows = (
        DataRequest.objects.filter(status=Status.CLOSED, closed_at__gte=start, closed_at__lt=end)
        .annotate(q=ExtractQuarter("closed_at", **quarter_of))
        .values("q", "outcome")
        .annotate(n=Count("id"), in_time=Count("id", filter=Q(closed_at__lte=F("due_at"))))
        .order_by()
    )
    for r in rows:
        closed[(r["outcome"], r["q"])] += r["n"]
        if r["outcome"] in ANSWERED:
            answered[r["q"]] += r["n"]
            on_time[r["q"]] += r["in_time"]

    # 3. Days to answer: median and 90th percentile per quarter and over the year.
    percentiles = _answer_times(start, end)

    # 4. Refusals (whole or partial) per ground cited in the decision (LW-6.3).
    grounds = _grounds(start, end)

    # 5. Extensions granted: each "extension_grant" on a request's timeline.
    extensions = defaultdict(int)
    rows = (
        TimelineEntry.objects.filter(
            event="extension_grant", created_at__gte=start, created_at__lt=end
        )
        .annotate(q=ExtractQuarter("created_at", **quarter_of))
        .values("q")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in rows:
        extensions[("extension", r["q"])] += r["n"]

    # 6. Provisions (APPI-29 records) per quarter, basis and recipient's country.
    by_basis = defaultdict(int)
    by_country = defaultdict(int)
    rows = (
        ProvisionRecord.objects.filter(provided_at__gte=start, provided_at__lt=end)
        .annotate(q=ExtractQuarter("provided_at", **quarter_of))
        .values("q", "basis", "recipient_country")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in rows:
        by_basis[(r["basis"], r["q"])] += r["n"]
        by_country[(r["recipient_country"], r["q"])] += r["n"]
    codes = sorted({c for c, _q in by_country})
    # 7. The names of those countries (one query, only when there were provisions).
    names = {c.code: c for c in Country.objects.filter(code__in=codes)} if codes else {}

    kinds = list(Kind.values)
    channels = list(Channel.values)
    outcomes = list(Outcome.values)
    ground_codes = [str(g) for g in Ground.values]
    bases = list(Basis.values)

    cells: dict = {}
    sums: list = []
    for table, row_codes, counts, total in (
        ("received_kind", kinds, received, "received"),
        ("received_channel", channels, by_channel, "received"),
        ("outcome", outcomes, closed, "closed"),
        ("ground", ground_codes, grounds, None),
        ("extension", ["extension"], extensions, None),
        ("basis", bases, by_basis, "provisions"),
        ("country", codes, by_country, "provisions"),
    ):
        grid = _grid(table, row_codes, counts, published)
        cells.update(grid)
        sums += _sums(table, row_codes, published, total)
        if total:
            for column in (*published, YEAR):
                cells[(total, column)] = sum(grid[(table, r, column)] for r in row_codes)
    shown = suppress(cells, sums)

    def row(table: str, code: str, **labels) -> Row:
        return Row(
            code=code,
            values=tuple(
                shown.get((table, code, c)) if c == YEAR or c in published else None
                for c in (*QUARTERS, YEAR)
            ),
            **labels,
        )

    def total_row(total: str) -> Row:
        return Row(
            code="total",
            values=tuple(
                shown.get((total, c)) if c == YEAR or c in published else None
                for c in (*QUARTERS, YEAR)
            ),
        )

    tables = {
        "received_kind": Table(
            "received_kind", tuple(row("received_kind", k) for k in kinds), total_row("received")
        ),
        "received_channel": Table(
            "received_channel",
            tuple(row("received_channel", c) for c in channels),
            total_row("received"),
        ),
        "outcome": Table(
            "outcome", tuple(row("outcome", o) for o in outcomes), total_row("closed")
        ),
        "ground": Table("ground", tuple(row("ground", g) for g in ground_codes)),
        "extension": Table("extension", (row("extension", "extension"),)),
        "basis": Table("basis", tuple(row("basis", b) for b in bases), total_row("provisions")),
        "country": Table(
            "country",
            tuple(
                row(
                    "country",
                    c,
                    label_ja=names[c].name_ja if c in names else c,
                    label_en=names[c].name_en if c in names else c,
                )
                for c in codes
            ),
            total_row("provisions"),
        ),
    }

    # Derived figures, only over enough answered requests.
    year_answered = sum(answered[q] for q in published)
    year_on_time = sum(on_time[q] for q in published)

    def share(n_on_time: int, n: int):
        late = n - n_on_time
        if n < THRESHOLD or 0 < n_on_time < THRESHOLD or 0 < late < THRESHOLD:
            return None
        return round(100 * n_on_time / n, 1)

    def pct(column, which):
        n = year_answered if column == YEAR else answered[column]
        if n < THRESHOLD or (column != YEAR and column not in published):
            return None
        value = percentiles.get(column, (None, None))[which]
        return None if value is None else round(value, 1)

    columns = (*QUARTERS, YEAR)
    times = TimeRow(
        median=tuple(pct(c, 0) for c in columns),
        p90=tuple(pct(c, 1) for c in columns),
        on_time=tuple(
            share(year_on_time, year_answered)
            if c == YEAR
            else share(on_time[c], answered[c])
            if c in published
            else None
            for c in columns
        ),
    )
    return Report(year=year, published=published, tables=tables, times=times)


def percentile(values: list[float], fraction: float) -> float | None:
    """PostgreSQL's percentile_cont: linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _answer_times(start: datetime, end: datetime) -> dict:
    """{quarter or YEAR: (median days, 90th-percentile days)} of answered requests closed in
    [start, end). Days run from receipt to the answer, less the time the clock was paused
    waiting for the customer (LW-6.2)."""
    table = DataRequest._meta.db_table
    answered = [o.value for o in ANSWERED]
    if connection.vendor == "postgresql":
        marks = ", ".join(["%s"] * len(answered))
        # GROUPING SETS gives the quarters and the whole year in one pass.
        sql = f"""
            SELECT q,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY days),
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY days)
            FROM (
                SELECT EXTRACT(QUARTER FROM closed_at AT TIME ZONE 'Asia/Tokyo')::int AS q,
                       (EXTRACT(EPOCH FROM closed_at - received_at) - paused_seconds)
                       / 86400.0 AS days
                FROM {table}
                WHERE status = 'closed' AND outcome IN ({marks})
                  AND closed_at >= %s AND closed_at < %s
            ) answered
            GROUP BY GROUPING SETS ((q), ())
        """  # noqa: S608 - the table name is the model's, every value is a parameter
        with connection.cursor() as cursor:
            cursor.execute(sql, [*answered, start, end])
            return {
                (YEAR if q is None else int(q)): (float(median), float(p90))
                for q, median, p90 in cursor.fetchall()
                if median is not None
            }
    # SQLite (the embedded demo): fetch the answered requests and reduce them here.
    per_quarter: dict = defaultdict(list)
    rows = DataRequest.objects.filter(
        status=Status.CLOSED, outcome__in=answered, closed_at__gte=start, closed_at__lt=end
    ).values_list("received_at", "closed_at", "paused_seconds")
    for received_at, closed_at, paused in rows:
        days = ((closed_at - received_at) - timedelta(seconds=paused)).total_seconds() / 86400
        q = (closed_at.astimezone(TOKYO).month - 1) // 3 + 1
        per_quarter[q].append(days)
        per_quarter[YEAR].append(days)
    return {k: (percentile(v, 0.5), percentile(v, 0.9)) for k, v in per_quarter.items()}


def _grounds(start: datetime, end: datetime) -> dict:
    """{(ground as str, quarter): requests} closed in [start, end) as refused or partly
    fulfilled whose withheld items cite that ground (LW-6.3; a request counts once per ground,
    a request citing two grounds counts under both)."""
    items = DecisionItem.objects.filter(
        withheld=True,
        request__status=Status.CLOSED,
        request__outcome__in=[o.value for o in REFUSALS],
        request__closed_at__gte=start,
        request__closed_at__lt=end,
    )
    counts: dict = defaultdict(int)
    if connection.vendor == "postgresql":
        rows = (
            items.annotate(q=ExtractQuarter("request__closed_at", tzinfo=TOKYO))
            .values("q")
            .annotate(
                **{
                    f"g{g}": Count("request_id", distinct=True, filter=Q(grounds__contains=[g]))
                    for g in Ground.values
                }
            )
            .order_by()
        )
        for r in rows:
            for g in Ground.values:
                counts[(str(g), r["q"])] += r[f"g{g}"]
        return counts
    seen = set()
    for request_id, closed_at, cited in items.values_list(
        "request_id", "request__closed_at", "grounds"
    ):
        q = (closed_at.astimezone(TOKYO).month - 1) // 3 + 1
        for g in cited:
            if (request_id, g) not in seen:
                seen.add((request_id, g))
                counts[(str(g), q)] += 1
    return counts
