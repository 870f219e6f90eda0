"""The public transparency report: figures against a hand-built year, small
counts withheld (and not recoverable by subtraction), the CSV, both languages, the cost."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.urls import reverse

from partners.models import Basis, ProvisionRecord
from requests import transparency
from requests.models import Channel, DecisionItem, Kind, Outcome, Status, TimelineEntry
from tests.consents import factories as cf
from tests.partners import factories as pf
from tests.requests.factories import DataRequestFactory

pytestmark = pytest.mark.django_db
JST = ZoneInfo("Asia/Tokyo")
LT5 = transparency.FEWER_THAN_FIVE
WH = transparency.WITHHELD


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def jst(*args) -> datetime:
    return datetime(*args, tzinfo=JST)


def req(
    kind,
    received,
    *,
    days=None,
    outcome=Outcome.FULFILLED,
    channel=Channel.ONLINE,
    paused_days=0,
    staff=None,
    grounds=(),
):
    """A request received at `received` (Japan time), closed `days` (+ paused) later."""
    extra = {}
    if channel != Channel.ONLINE:
        extra["filed_by"] = staff
    if days is not None:
        paused = timedelta(days=paused_days)
        extra.update(
            status=Status.CLOSED,
            closed_at=received + timedelta(days=days) + paused,
            outcome=outcome,
            outcome_reason="done",
            paused_seconds=int(paused.total_seconds()),
        )
    r = DataRequestFactory(
        kind=kind,
        received_at=received,
        due_at=received + timedelta(days=14 + paused_days),
        channel=channel,
        **extra,
    )
    for i, cited in enumerate(grounds):
        DecisionItem.objects.create(
            request=r, category=f"item{i}", withheld=True, grounds=list(cited), reason="r"
        )
    return r


@pytest.fixture
def year_2025(agent, administrator):
    """The hand-built data set. 2025 (Japan time):

    Q1  6 disclosures online (5 on 10 Jan, answered after 2, 4, 6, 8 and 20 days, the last
        refused on grounds (1)+(3) and (1); one at 23:30 on 31 March, answered on 10 April,
        partly, on ground (2)); 2 deletions by post (3 days each); 3 additions by phone,
        withdrawn after a day.
    Q2  5 corrections online, the first at 00:30 on 1 April (still Q2 in Japan, Q1 in UTC),
        answered after 5 days, one of them after 7 with 2 days paused for the customer.
    Q3  8 inquiries online, answered the next day.
    Q4  nothing.
    Extensions: 6 granted in Q2, 1 in Q3. Provisions in February: 20 on consent to a
    Japanese partner, 3 entrusted to a processor in Singapore.
    And in 2024: an inquiry at 23:59 on 31 December (still open), 5 disclosures in October
    refused with two items each citing ground (1), one of them also (4)."""
    for d in (2, 4, 6, 8):
        req(Kind.DISCLOSURE, jst(2025, 1, 10, 10), days=d)
    refused = req(
        Kind.DISCLOSURE,
        jst(2025, 1, 10, 10),
        days=20,
        outcome=Outcome.REFUSED,
        grounds=[(1, 3), (1,)],
    )
    partial = req(
        Kind.DISCLOSURE,
        jst(2025, 3, 31, 23, 30),
        days=10,
        outcome=Outcome.PARTIALLY_FULFILLED,
        grounds=[(2,)],
    )
    for _ in range(2):
        req(Kind.DELETION, jst(2025, 2, 1, 9), days=3, channel=Channel.POST, staff=agent)
    for _ in range(3):
        req(
            Kind.ADDITION,
            jst(2025, 2, 3, 9),
            days=1,
            outcome=Outcome.WITHDRAWN,
            channel=Channel.PHONE,
            staff=agent,
        )
    corrections = [req(Kind.CORRECTION, jst(2025, 4, 1, 0, 30), days=5)]
    corrections += [req(Kind.CORRECTION, jst(2025, 5, 1, 9), days=5) for _ in range(3)]
    corrections.append(req(Kind.CORRECTION, jst(2025, 5, 1, 9), days=5, paused_days=2))
    inquiries = [req(Kind.INQUIRY, jst(2025, 7, 1, 9), days=1) for _ in range(8)]
    for r in [*corrections, partial]:
        TimelineEntry.objects.create(
            request=r,
            event="extension_grant",
            actor=administrator,
            created_at=jst(2025, 5, 2, 12),
        )
    TimelineEntry.objects.create(
        request=inquiries[0],
        event="extension_grant",
        actor=administrator,
        created_at=jst(2025, 7, 1, 12),
    )
    # 2024
    req(Kind.INQUIRY, jst(2024, 12, 31, 23, 59))
    for _ in range(5):
        req(
            Kind.DISCLOSURE,
            jst(2024, 10, 1, 9),
            days=4,
            outcome=Outcome.REFUSED,
            grounds=[(1,), (1, 4)],
        )
    # provisions
    purpose = cf.PurposeFactory(code="ly5-quality")
    home = pf.PartnerFactory(name_en="Example Pay Co., Ltd.")
    abroad = pf.PartnerFactory(name_en="SG Support Pte. Ltd.", country=pf.singapore())
    for partner, basis, n in ((home, Basis.CONSENT, 20), (abroad, Basis.ENTRUSTMENT, 3)):
        ProvisionRecord.objects.bulk_create(
            ProvisionRecord(
                partner=partner,
                recipient_name=partner.name_en,
                recipient_country=partner.country.code,
                customer_reference=f"ref-{basis}-{i}",
                purpose=purpose,
                data_items=["email"],
                basis=basis,
                provided_at=jst(2025, 2, 14, 12),
            )
            for i in range(n)
        )
    assert refused.pk
    return None


def values(report, table, code):
    return next(r.values for r in report.tables[table].rows if r.code == code)


@pytest.mark.clause("LW-6.2", "LW-6.3", "LY-2")
def test_the_figures_of_a_hand_built_year(year_2025):
    report = transparency.report_for(2025)
    assert report.published == (1, 2, 3, 4)
    # Q1, Q2, Q3, Q4, year
    received = report.tables["received_kind"]
    assert values(report, "received_kind", "disclosure") == (6, 0, 0, 0, 6)
    assert values(report, "received_kind", "addition") == (LT5, 0, 0, 0, LT5)
    assert values(report, "received_kind", "deletion") == (LT5, 0, 0, 0, LT5)
    assert values(report, "received_kind", "correction") == (0, 5, 0, 0, 5)
    assert values(report, "received_kind", "inquiry") == (0, 0, 8, 0, 8)
    assert values(report, "received_kind", "suspension") == (0, 0, 0, 0, 0)
    assert received.total.values == (11, 5, 8, 0, 24)
    assert values(report, "received_channel", "online") == (6, 5, 8, 0, 19)
    assert values(report, "received_channel", "post") == (LT5, 0, 0, 0, LT5)
    assert values(report, "received_channel", "phone") == (LT5, 0, 0, 0, LT5)
    assert values(report, "received_channel", "email") == (0, 0, 0, 0, 0)
    assert report.tables["received_channel"].total.values == (11, 5, 8, 0, 24)
    # Outcomes per quarter closed. Q2 has one partial refusal (fewer than 5), so the
    # fulfilled count of Q2 is withheld too (else 6 - 5 = 1), and then one more of the
    # fulfilled row (its year figure would give Q2 back): the smallest, Q1.
    assert values(report, "outcome", "fulfilled") == (WH, WH, 8, 0, 19)
    assert values(report, "outcome", "partially_fulfilled") == (0, LT5, 0, 0, LT5)
    assert values(report, "outcome", "refused") == (LT5, 0, 0, 0, LT5)
    assert values(report, "outcome", "withdrawn") == (LT5, 0, 0, 0, LT5)
    assert values(report, "outcome", "lapsed") == (0, 0, 0, 0, 0)
    assert report.tables["outcome"].total.values == (10, 6, 8, 0, 24)
    # Grounds of the refusals (no sum across grounds: a request may cite several).
    assert values(report, "ground", "1") == (LT5, 0, 0, 0, LT5)
    assert values(report, "ground", "2") == (0, LT5, 0, 0, LT5)
    assert values(report, "ground", "3") == (LT5, 0, 0, 0, LT5)
    assert values(report, "ground", "4") == (0, 0, 0, 0, 0)
    # 6 in Q2 and 1 in Q3: Q2 is withheld, else 7 - 6 gives Q3 back.
    assert values(report, "extension", "extension") == (0, WH, LT5, 0, 7)
    # Provisions: 3 entrusted (fewer than 5), so consent's 20 is withheld in Q1 and the year.
    assert values(report, "basis", "consent") == (WH, 0, 0, 0, WH)
    assert values(report, "basis", "entrustment") == (LT5, 0, 0, 0, LT5)
    assert values(report, "basis", "joint_use") == (0, 0, 0, 0, 0)
    assert report.tables["basis"].total.values == (23, 0, 0, 0, 23)
    assert [r.code for r in report.tables["country"].rows] == ["JP", "SG"]
    assert values(report, "country", "JP") == (WH, 0, 0, 0, WH)
    assert values(report, "country", "SG") == (LT5, 0, 0, 0, LT5)
    # Answer times. Q1: 2, 3, 3, 4, 6, 8, 20 days; Q2: 5, 5, 5, 5, 5 (one after 7 with 2
    # paused), 10; Q3: eight of 1 day. Q1 and the year have one late answer (the 20 days):
    # fewer than five, so no share; Q4 has none.
    assert report.times.median == (4.0, 5.0, 1.0, None, 3.0)
    assert report.times.p90 == (12.8, 7.5, 1.0, None, 8.0)
    assert report.times.on_time == (None, 100.0, 100.0, None, None)


def test_the_other_year_and_distinct_grounds(year_2025):
    report = transparency.report_for(2024)
    # the inquiry at 23:59 on 31 December, Japan time, is 2024's
    assert values(report, "received_kind", "inquiry") == (0, 0, 0, LT5, LT5)
    assert values(report, "received_kind", "disclosure") == (0, 0, 0, WH, WH)
    assert report.tables["received_kind"].total.values == (0, 0, 0, 6, 6)
    # five refusals, two items each citing ground (1): five requests, not ten
    assert values(report, "ground", "1") == (0, 0, 0, 5, 5)
    assert values(report, "ground", "4") == (0, 0, 0, 5, 5)
    # five answered requests: enough for the derived figures
    assert report.times.median == (None, None, None, 4.0, 4.0)
    assert report.times.on_time == (None, None, None, 100.0, 100.0)


def test_no_published_sum_has_exactly_one_withheld_member():
    """The rule itself, step by step."""
    # two small members: each hides the other, nothing more is needed
    assert transparency.suppress(
        {"total": 12, "a": 2, "b": 4, "c": 6, "d": 0}, [["total", "a", "b", "c", "d"]]
    ) == {"total": 12, "a": LT5, "b": LT5, "c": 6, "d": 0}
    # one small member: the smallest other non-zero member goes too (not the zero, which
    # would give it back, and a member before the total)
    assert transparency.suppress(
        {"total": 12, "a": 2, "c": 10, "d": 0}, [["total", "a", "c", "d"]]
    ) == {"total": 12, "a": LT5, "c": WH, "d": 0}
    # a withheld member that is another sum's only member withholds that sum's total
    assert transparency.suppress(
        {"R": 9, "a": 3, "b": 6, "C": 6}, [["R", "a", "b"], ["C", "b"]]
    ) == {"R": 9, "a": LT5, "b": WH, "C": WH}


def test_a_quarter_is_published_only_once_it_has_ended():
    now = jst(2026, 12, 1, 12)
    assert transparency.published_quarters(2026, now) == (1, 2, 3)
    assert transparency.published_quarters(2025, now) == (1, 2, 3, 4)
    assert transparency.published_quarters(2027, now) == ()
    assert transparency.last_ended_quarter(jst(2027, 1, 1, 0, 0)) == (2026, 4)
    assert transparency.last_ended_quarter(jst(2026, 12, 31, 23, 59)) == (2026, 3)


def table_of(html: str, section: str) -> dict[str, list[str]]:
    """{row code: [cell texts]} of one section's table on the page."""
    import re

    start = html.index(f'data-section="{section}"')
    body = html[start : html.index("</table>", start)]
    rows = {}
    for code, cells in re.findall(r'data-row="([^"]+)">(.*?)</tr>', body, re.S):
        rows[code] = re.findall(r'<td class="num">(.*?)</td>', cells)
    return rows


@pytest.mark.clause("LW-6.3", "LY-2")
def test_the_page_in_english(client, year_2025):
    client.cookies["portal_language"] = "en"
    page = client.get(reverse("requests:transparency_year", args=[2025]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Transparency report 2025" in html
    received = table_of(html, "received_kind")
    assert received["disclosure"] == ["6", "0", "0", "0", "6"]
    assert received["deletion"] == ["fewer than 5", "0", "0", "0", "fewer than 5"]
    assert received["total"] == ["11", "5", "8", "0", "24"]
    assert table_of(html, "outcome")["fulfilled"] == ["withheld", "withheld", "8", "0", "19"]
    assert table_of(html, "country")["SG"] == ["fewer than 5", "0", "0", "0", "fewer than 5"]
    times = table_of(html, "times")
    assert times["median"] == ["4.0", "5.0", "1.0", "—", "3.0"]
    assert times["on_time"] == ["—", "100.0%", "100.0%", "—", "—"]
    # each chart is labelled and sits beside its table
    assert html.count('role="img"') == 8
    assert (
        '<title id="chart-received_kind-title">Requests received, per kind, 2025 (year)</title>'
        in html
    )
    assert "Singapore" in html


def test_the_page_in_japanese(client, year_2025):
    client.cookies["portal_language"] = "ja"
    page = client.get(reverse("requests:transparency_year", args=[2025]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "透明性レポート 2025年" in html
    received = table_of(html, "received_kind")
    assert received["addition"] == ["5件未満", "0", "0", "0", "5件未満"]
    assert table_of(html, "basis")["consent"] == ["非公表", "0", "0", "0", "非公表"]
    assert "シンガポール" in html
    assert "1〜3月" in html


def test_the_csv(client, year_2025):
    client.cookies["portal_language"] = "en"
    answer = client.get(reverse("requests:transparency_csv", args=[2025]))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="transparency-2025.csv"' in answer["Content-Disposition"]
    text = answer.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Section", "Code", "Item", "Period", "Value", "Note"]
    by_key = {(r[1], r[3]): (r[4], r[5]) for r in rows[1:]}
    assert by_key[("received_kind.disclosure", "2025-Q1")] == ("6", "")
    assert by_key[("received_kind.deletion", "2025-Q1")] == ("", "fewer than 5")
    assert by_key[("received_kind.total", "2025")] == ("24", "")
    assert by_key[("outcome.fulfilled", "2025-Q2")] == ("", "withheld")
    assert by_key[("country.SG", "2025")] == ("", "fewer than 5")
    assert by_key[("times.p90", "2025-Q1")] == ("12.8", "")
    assert by_key[("times.on_time", "2025")] == ("", "not shown")
    # no small count is in the file at all
    for value, _note in by_key.values():
        assert value == "" or float(value) == 0 or float(value) >= 5 or "." in value


def test_a_year_without_a_report_is_a_clear_404(client, year_2025):
    assert client.get(reverse("requests:transparency_year", args=[1999])).status_code == 404
    assert client.get(reverse("requests:transparency_csv", args=[2999])).status_code == 404
    assert client.get("/transparency/abc/").status_code == 404


def test_the_footer_and_the_home_page_link_to_it(client):
    html = client.get(reverse("home")).content.decode()
    assert html.count(f'href="{reverse("requests:transparency")}"') == 2


def _fill(staff, n):
    """Many rows in every table the report reads."""
    purpose = cf.PurposeFactory(code="ly5-many")
    partner = pf.PartnerFactory()
    for i in range(n):
        r = req(
            Kind.DISCLOSURE,
            jst(2025, 1 + i % 12, 5, 9),
            days=3 + i % 5,
            outcome=Outcome.REFUSED,
            grounds=[(1 + i % 4,)],
        )
        TimelineEntry.objects.create(
            request=r, event="extension_grant", actor=staff, created_at=jst(2025, 1 + i % 12, 6)
        )
        ProvisionRecord.objects.create(
            partner=partner,
            recipient_name="x",
            recipient_country="JP",
            customer_reference=f"m{i}",
            purpose=purpose,
            data_items=["email"],
            basis=Basis.CONSENT,
            provided_at=jst(2025, 1 + i % 12, 7),
        )


@pytest.mark.parametrize("n", [4, 40])
def test_the_cost_is_fixed_and_the_cache_holds_it(
    client, administrator, django_assert_num_queries, n
):
    _fill(administrator, n)
    url = reverse("requests:transparency_year", args=[2025])
    # 1-2 the first request and provision (the years offered), 3 received per quarter,
    # kind and channel, 4 closed per quarter and outcome with the on-time count, 5 the
    # percentiles of days to answer (quarters and year in one), 6 the grounds cited, 7 the
    # extensions, 8 provisions per basis and country, 9 those countries' names.
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200
    # then from the cache: nothing
    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200


def test_the_fallback_percentile_is_postgresqls():
    """The embedded SQLite demo reduces answer times in Python: the same interpolation as
    percentile_cont (the PostgreSQL figures of the hand-built year above)."""
    q1 = [20, 2, 3, 3, 4, 6, 8]
    assert transparency.percentile(q1, 0.5) == 4
    assert transparency.percentile(q1, 0.9) == pytest.approx(12.8)
    assert transparency.percentile([5, 5, 5, 5, 5, 10], 0.9) == pytest.approx(7.5)
    assert transparency.percentile([], 0.5) is None
