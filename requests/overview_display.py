"""The staff overview as staff read it (LW-6.2): the open requests per state and kind with
totals, and two server-drawn bar charts (requests received per week, the share closed on
time per week) with the data tables beside them. Counts only, no personal data; the
figures come from `selectors.overview()`."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.charts import Series, bar_chart
from requests.models import OPEN_STATUSES, Kind, Status


def percent(part: int, whole: int) -> int | None:
    """A whole percentage, or None where there is nothing to divide."""
    return round(100 * part / whole) if whole else None


def overview_context(data: dict) -> dict:
    """The overview page's context from the selector's counts."""
    states = [s for s in Status if s.value in OPEN_STATUSES]
    table = [
        (kind, [data["counts"].get((s.value, kind.value), 0) for s in states]) for kind in Kind
    ]
    totals = [sum(row[1][i] for row in table) for i in range(len(states))]
    received = [{"week": week, "value": n} for week, n in data["received"]]
    shares = [
        {"week": week, "in_time": in_time, "total": total, "pct": percent(in_time, total)}
        for week, in_time, total in data["on_time"]
    ]
    weeks = [date_format(r["week"], "n/j") for r in received]
    received_chart = bar_chart(
        chart_id="received-chart",
        title=_("Requests received per week (last 12 weeks)"),
        categories=weeks,
        series=[Series(label=_("Requests received"), values=[r["value"] for r in received])],
        value_label=_("Requests"),
    )
    share_chart = bar_chart(
        chart_id="ontime-chart",
        title=_("Share of requests closed on time (per week closed)"),
        categories=weeks,
        series=[Series(label=_("Share closed on time"), values=[s["pct"] for s in shares])],
        value_label=_("Share closed on time"),
        value_format=lambda v: f"{v:g}%",
        missing_label=_("none closed"),
    )
    closed = sum(s["total"] for s in shares)
    on_time = sum(s["in_time"] for s in shares)
    return {
        "states": states,
        "table": table,
        "totals": totals,
        "received": received,
        "shares": shares,
        "received_chart": received_chart,
        "share_chart": share_chart,
        "closed": closed,
        "on_time_pct": percent(on_time, closed),
    }
