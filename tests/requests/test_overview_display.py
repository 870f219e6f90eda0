"""The staff overview's figures from hand-made counts (LW-6.2): the table per state and kind,
the totals, the weekly shares closed on time, and the two charts' week labels."""

from __future__ import annotations

from datetime import date

from django.utils import translation

from requests import overview_display

DATA = {
    "counts": {("in_review", "disclosure"): 2, ("verifying", "inquiry"): 1},
    "received": [(date(2026, 11, 23), 3), (date(2026, 11, 30), 0)],
    "on_time": [(date(2026, 11, 23), 1, 3), (date(2026, 11, 30), 0, 0)],
}


def test_the_overview_counts_totals_and_shares():
    with translation.override("en"):
        page = overview_display.overview_context(DATA)
    assert [s.value for s in page["states"]] == [
        "submitted",
        "verifying",
        "awaiting_customer",
        "awaiting_payment",
        "in_review",
        "awaiting_approval",
    ]
    rows = {kind.value: counts for kind, counts in page["table"]}
    assert rows["disclosure"] == [0, 0, 0, 0, 2, 0]
    assert rows["inquiry"] == [0, 1, 0, 0, 0, 0]
    assert page["totals"] == [0, 1, 0, 0, 2, 0]
    assert [r["value"] for r in page["received"]] == [3, 0]
    assert [s["pct"] for s in page["shares"]] == [33, None]
    assert (page["closed"], page["on_time_pct"]) == (3, 33)
    for chart in (page["received_chart"], page["share_chart"]):
        assert "11/23" in chart.svg and "11/30" in chart.svg
    assert "none closed" in page["share_chart"].svg


def test_no_request_closed_is_no_percentage():
    empty = {"counts": {}, "received": [], "on_time": []}
    assert overview_display.overview_context(empty)["on_time_pct"] is None
    assert overview_display.percent(0, 0) is None
    assert overview_display.percent(2, 3) == 67
