# ruff: noqa: E501, RUF001  (message ids stay whole sentences; en dashes in month ranges)
"""How the transparency report reads: section titles, row labels, cell texts, the charts
(portal.charts) and the CSV rows, in the active language. The figures come from
`requests.transparency`, already suppressed; nothing here sees a raw count."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _

from partners.models import Basis
from portal.charts import Chart, Series, bar_chart, format_number
from requests.models import Channel, Ground, Kind, Outcome
from requests.transparency import FEWER_THAN_FIVE, QUARTERS, WITHHELD, YEAR, Report, Row

SECTIONS = {
    "received_kind": (
        gettext_lazy("Requests received, per kind"),
        gettext_lazy("Requests counted in the quarter they reached us."),
    ),
    "received_channel": (
        gettext_lazy("Requests received, per channel"),
        gettext_lazy(
            "How the same requests reached us: online, by post, phone, email or at the counter."
        ),
    ),
    "outcome": (
        gettext_lazy("Requests closed, per outcome"),
        gettext_lazy("Requests counted in the quarter they were closed."),
    ),
    "ground": (
        gettext_lazy("Refusals of disclosure, per ground"),
        gettext_lazy(
            "Disclosure requests refused wholly or in part, per ground cited; a request that cites two grounds counts under both."
        ),
    ),
    "extension": (
        gettext_lazy("Deadline extensions granted"),
        gettext_lazy(
            "Each extension a privacy administrator granted, in the quarter it was granted."
        ),
    ),
    "basis": (
        gettext_lazy("Provisions of data to partners, per basis"),
        gettext_lazy(
            "Provision records (APPI Art. 29): one record is one person's data provided to one recipient."
        ),
    ),
    "country": (
        gettext_lazy("Provisions of data to partners, per country or region"),
        gettext_lazy("The same provision records, per recipient's country or region."),
    ),
}


@dataclass(frozen=True)
class Cell:
    text: str
    number: int | float | None  # the figure, when it is published as a number
    note: str = ""  # why there is no number


@dataclass(frozen=True)
class DisplayRow:
    code: str
    label: str
    cells: list[Cell]


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    explanation: str
    columns: list[str]
    rows: list[DisplayRow]
    total: DisplayRow | None
    chart: Chart
    unit: str


def column_labels(report: Report) -> list[str]:
    labels = [
        _("Jan–Mar"),
        _("Apr–Jun"),
        _("Jul–Sep"),
        _("Oct–Dec"),
    ]
    year = (
        _("%(year)s (year)") % {"year": report.year}
        if report.complete
        else _("%(year)s (to date)") % {"year": report.year}
    )
    return [*labels, year]


def cell(value) -> Cell:
    if value is None:
        return Cell(text="—", number=None, note=_("not yet published"))
    if value == FEWER_THAN_FIVE:
        return Cell(text=_("fewer than 5"), number=None, note=_("fewer than 5"))
    if value == WITHHELD:
        return Cell(
            text=pgettext("transparency report", "withheld"),
            number=None,
            note=pgettext("transparency report", "withheld"),
        )
    return Cell(text=format_number(value), number=value)


def _row_label(table: str, row: Row) -> str:
    if table in ("received_kind",):
        return str(Kind(row.code).label)
    if table == "received_channel":
        return str(Channel(row.code).label)
    if table == "outcome":
        return str(Outcome(row.code).label)
    if table == "ground":
        return str(Ground(int(row.code)).label)
    if table == "basis":
        return str(Basis(row.code).label)
    if table == "country":
        return row.label_ja if get_language() == "ja" else row.label_en
    return _("Extensions granted")


def _display(table: str, row: Row) -> DisplayRow:
    return DisplayRow(
        code=row.code, label=_row_label(table, row), cells=[cell(v) for v in row.values]
    )


def _chart_of_year(code: str, title: str, rows: list[DisplayRow], unit: str) -> Chart:
    """One bar per row, of the year column."""
    return bar_chart(
        chart_id=f"chart-{code}",
        title=title,
        categories=[r.label for r in rows] or [_("none")],
        series=[
            Series(
                unit,
                [r.cells[-1].number for r in rows] or [0],
                notes=[r.cells[-1].note for r in rows],
            )
        ],
        value_label=unit,
        missing_label=_("fewer than 5"),
    )


def _chart_of_quarters(
    code: str, title: str, labels: list[str], series: list[tuple[str, list[Cell]]], unit: str
) -> Chart:
    return bar_chart(
        chart_id=f"chart-{code}",
        title=title,
        categories=labels[:4],
        series=[
            Series(name, [c.number for c in cells[:4]], notes=[c.note for c in cells[:4]])
            for name, cells in series
        ],
        value_label=unit,
    )


def sections(report: Report) -> tuple[list[Section], Section | None]:
    """The count sections, and the answer-time section (or None when nothing is published)."""
    columns = column_labels(report)
    requests_unit = _("Requests")
    units = {
        "received_kind": requests_unit,
        "received_channel": requests_unit,
        "outcome": requests_unit,
        "ground": requests_unit,
        "extension": _("Extensions"),
        "basis": _("Provisions"),
        "country": _("Provisions"),
    }
    found = []
    for code, (title, explanation) in SECTIONS.items():
        table = report.tables.get(code)
        if table is None:
            continue
        rows = [_display(code, r) for r in table.rows]
        total = None
        if table.total is not None:
            total = DisplayRow(
                code="total", label=_("Total"), cells=[cell(v) for v in table.total.values]
            )
        unit = units[code]
        if code == "extension":
            chart = _chart_of_quarters(
                code,
                _("Deadline extensions granted per quarter"),
                columns,
                [(unit, rows[0].cells)],
                unit,
            )
        else:
            chart = _chart_of_year(
                code,
                _("%(title)s, %(period)s") % {"title": title, "period": columns[-1]},
                rows,
                unit,
            )
        found.append(
            Section(
                code=code,
                title=str(title),
                explanation=str(explanation),
                columns=columns,
                rows=rows,
                total=total,
                chart=chart,
                unit=unit,
            )
        )
    times = None
    if report.times is not None:
        days = _("Days")
        median = DisplayRow(
            "median", _("Median days to answer"), [_days(v) for v in report.times.median]
        )
        p90 = DisplayRow(
            "p90", _("90th percentile, days to answer"), [_days(v) for v in report.times.p90]
        )
        on_time = DisplayRow(
            "on_time", _("Share answered on time"), [_share(v) for v in report.times.on_time]
        )
        chart = _chart_of_quarters(
            "times",
            _("Days to answer per quarter"),
            columns,
            [(_("Median"), median.cells), (_("90th percentile"), p90.cells)],
            days,
        )
        times = Section(
            code="times",
            title=_("Time to answer"),
            explanation=_(
                "Calendar days from receipt to the answer, less the time we waited for the requester; on time means answered by the due date, extensions included. Shown over five answered requests or more."
            ),
            columns=columns,
            rows=[median, p90, on_time],
            total=None,
            chart=chart,
            unit=days,
        )
    return found, times


def _days(value) -> Cell:
    if value is None:
        return Cell(text="—", number=None, note=_("not shown"))
    return Cell(text=f"{value:.1f}", number=value)


def _share(value) -> Cell:
    if value is None:
        return Cell(text="—", number=None, note=_("not shown"))
    return Cell(text=f"{value:.1f}%", number=value)


def csv_rows(report: Report) -> list[list[str]]:
    """Header and rows: section, item code, item, period, value, note."""
    count_sections, times = sections(report)
    periods = [f"{report.year}-Q{q}" for q in QUARTERS] + [str(report.year)]
    out = [[_("Section"), _("Code"), _("Item"), _("Period"), _("Value"), _("Note")]]
    for section in [*count_sections, *([times] if times else [])]:
        rows = [*section.rows, *([section.total] if section.total else [])]
        for row in rows:
            for period, c in zip(periods, row.cells, strict=True):
                number = "" if c.number is None else str(c.number)
                out.append(
                    [section.title, f"{section.code}.{row.code}", row.label, period, number, c.note]
                )
    return out


__all__ = ["YEAR", "Section", "csv_rows", "sections"]
