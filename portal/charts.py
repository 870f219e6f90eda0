"""Server-rendered SVG charts: bar, grouped-bar and stacked-bar charts with axes and a scale.

Generic presentation geometry for any page of the portal: the caller passes translated labels
and numbers, this module computes the layout and returns SVG markup (a `Chart`, which renders
itself in a template with `{{ chart }}`). No JavaScript and no inline style, so the strict CSP
holds: colours are SVG presentation attributes.

Accessibility: the SVG is `role="img"` with a `<title>` and a `<desc>` (a generated summary in
the active language unless the caller writes one); each bar carries its own `<title>` with the
exact value. A chart never stands alone: the page puts the data table beside it.

Labels never clip: category labels are measured with a conservative width estimate (a CJK
character counts as a full em, other characters as 0.62 em), wrapped onto at most three lines
to fit their band, and when even that does not fit, all labels of the axis are rotated by 45
degrees and the canvas grows to hold them.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

Number = int | float | Decimal

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
TEXT_COLOUR = "#1a1a1a"
AXIS_COLOUR = "#595959"
GRID_COLOUR = "#d9d9d9"

# Characters that must not begin a line in Japanese (kinsoku shori, the common subset).
_NO_LINE_START = set(
    "、。，．・：；？！ー」』）〕］｝〉》】"  # noqa: RUF001 - these are the characters meant
    "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
    ",.:;!?)]}%"
)
# Characters that must not end a line.
_NO_LINE_END = set("「『（〔［｛〈《【([{")  # noqa: RUF001 - these are the characters meant
_MAX_LABEL_LINES = 3
_ROTATION = 45


def char_width(char: str, font_size: float) -> float:
    """A conservative estimate of one character's advance in a sans-serif font."""
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return font_size
    if char == " ":
        return font_size * 0.3
    return font_size * 0.62


def text_width(text: str, font_size: float) -> float:
    """A conservative estimate of the width of `text` on one line."""
    return sum(char_width(c, font_size) for c in text)


def _tokens(text: str) -> list[str]:
    """Units that may not be broken: Latin words (with their following space), single CJK
    characters (with any punctuation that must not start a line attached)."""
    tokens: list[str] = []
    word = ""
    hold = False  # after an opening bracket, which must not end a line
    for char in text:
        wide = unicodedata.east_asian_width(char) in ("W", "F")
        if (hold or char in _NO_LINE_START) and (tokens or word):
            word += char
            hold = char in _NO_LINE_END
            continue
        hold = char in _NO_LINE_END
        if char == " ":
            word += char
            tokens.append(word)
            word = ""
        elif wide:
            if word:
                tokens.append(word)
            word = char
        else:
            if word and (unicodedata.east_asian_width(word[-1]) in ("W", "F") or word[-1] == " "):
                tokens.append(word)
                word = ""
            word += char
    if word:
        tokens.append(word)
    return tokens


def wrap_label(
    text: str, max_width: float, font_size: float, max_lines: int = _MAX_LABEL_LINES
) -> list[str] | None:
    """Break `text` into lines no wider than `max_width`, at spaces or between CJK characters.
    None when it cannot fit in `max_lines` lines (a single word is wider than the space)."""
    lines: list[str] = []
    current = ""
    for token in _tokens(text):
        candidate = current + token
        if current and text_width(candidate.rstrip(), font_size) > max_width:
            lines.append(current.rstrip())
            current = token
        else:
            current = candidate
        if text_width(current.rstrip(), font_size) > max_width:
            return None
    if current.strip():
        lines.append(current.rstrip())
    if len(lines) > max_lines:
        return None
    return lines or [""]


def nice_ticks(maximum: Number, *, count: int = 5) -> list[Number]:
    """Round axis ticks from 0 to at least `maximum`: steps of 1, 2 or 5 times a power of
    ten, about `count` of them. Integers when the step is whole."""
    maximum = float(maximum)
    if maximum <= 0 or math.isnan(maximum):
        return [0, 1]
    raw = maximum / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw - 1e-12)
    top = math.ceil(maximum / step - 1e-9) * step
    steps = round(top / step)
    if step >= 1:
        step_int = round(step)
        return [i * step_int for i in range(steps + 1)]
    digits = max(0, -math.floor(math.log10(step)))
    return [round(i * step, digits) for i in range(steps + 1)]


def format_number(value: Number) -> str:
    """Whole numbers with thousands separators; other numbers to one decimal place."""
    if isinstance(value, Decimal):
        value = float(value)
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


@dataclass(frozen=True)
class Series:
    """One row of values, one per category. None is a value the page does not show (no
    data, or withheld): no bar is drawn and the chart writes `missing_label` instead."""

    label: str
    values: Sequence[Number | None]
    # What to write instead of a missing value, per value ("" or absent: `missing_label`).
    notes: Sequence[str] = ()


@dataclass(frozen=True)
class Chart:
    """Rendered SVG and its size; `{{ chart }}` in a template renders the SVG."""

    svg: SafeString
    width: int
    height: int
    label_rotation: int = 0
    label_lines: list[list[str]] = field(default_factory=list)

    def __html__(self) -> str:
        return self.svg

    def __str__(self) -> str:
        return self.svg


def _fmt(x: float) -> str:
    """Coordinates to one decimal place, without a trailing .0."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def bar_chart(
    *,
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    stacked: bool = False,
    desc: str | None = None,
    value_label: str = "",
    value_format: Callable[[Number], str] = format_number,
    missing_label: str = "",
    width: int = 640,
    plot_height: int = 200,
    font_size: int = 12,
    ticks: int = 5,
) -> Chart:
    """A vertical bar chart. One series: plain bars; several: grouped bars, or stacked ones
    when `stacked`. `value_label` names the value axis (e.g. "Requests", "Days"), written
    above it. `chart_id` makes the ids of the title and desc elements unique on the page."""
    if not series:
        raise ValueError("a chart needs at least one series")
    n = len(categories)
    for s in series:
        if len(s.values) != n:
            raise ValueError(f"series {s.label!r} has {len(s.values)} values for {n} categories")

    def known(values):
        return [float(v) for v in values if v is not None]

    if stacked:
        heights = [sum(known(s.values[i] for s in series)) for i in range(n)]
    else:
        heights = [max(known(s.values[i] for s in series), default=0.0) for i in range(n)]
    scale = nice_ticks(max(heights, default=0), count=ticks)
    top_value = float(scale[-1])

    small = font_size - 1
    line_height = font_size * 1.25
    tick_labels = [value_format(t) for t in scale]
    left = max(text_width(t, small) for t in tick_labels) + 10
    right = 12.0

    # Legend: several series flow in rows above the plot.
    legend_items: list[tuple[float, float, str, str]] = []
    top = 8.0
    if value_label:
        top += line_height
    if len(series) > 1:
        x, row_y, swatch = 0.0, top, font_size
        for index, s in enumerate(series):
            item = swatch + 6 + text_width(s.label, small) + 16
            if x and left + x + item > width - right:
                x, row_y = 0.0, row_y + line_height
            legend_items.append((left + x, row_y, PALETTE[index % len(PALETTE)], s.label))
            x += item
        top = row_y + line_height + 4
    top += small + 4  # room for the value written above the tallest bar

    # Category labels: wrap to the band, or rotate all of them.
    plot_width = width - left - right
    band = plot_width / max(n, 1)
    label_room = band - 6
    wrapped = [wrap_label(c, label_room, small) for c in categories]
    rotation = 0
    if any(w is None for w in wrapped):
        rotation = _ROTATION
        label_lines = [[c] for c in categories]
        longest = max((text_width(c, small) for c in categories), default=0)
        sin = math.sin(math.radians(rotation))
        label_height = longest * sin + small + 8
        # The first label runs left from its bar's centre: make room for it.
        first_reach = (
            text_width(categories[0], small) * math.cos(math.radians(rotation)) if n else 0
        )
        for _pass in range(2):  # the band narrows as the margin grows: settle it
            need_left = first_reach - band / 2 + 4
            if need_left <= left:
                break
            left = need_left
            plot_width = width - left - right
            band = plot_width / max(n, 1)
    else:
        label_lines = [w or [""] for w in wrapped]
        label_height = max((len(w) for w in label_lines), default=1) * line_height + 6

    plot_top = top
    plot_bottom = plot_top + plot_height
    height = math.ceil(plot_bottom + label_height + 4)

    def y_of(value: float) -> float:
        return plot_bottom - (value / top_value) * plot_height if top_value else plot_bottom

    parts: list[str] = []
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    if desc is None:
        desc = _describe(categories, series, stacked)
    parts.append(
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{}" role="img" '
            'aria-labelledby="{} {}" viewBox="0 0 {} {}" width="{}" height="{}" '
            'font-family="sans-serif" font-size="{}">',
            chart_id,
            title_id,
            desc_id,
            width,
            height,
            width,
            height,
            font_size,
        )
    )
    parts.append(format_html('<title id="{}">{}</title>', title_id, title))
    parts.append(format_html('<desc id="{}">{}</desc>', desc_id, desc))
    if value_label:
        parts.append(
            format_html(
                '<text x="{}" y="{}" fill="{}" font-size="{}">{}</text>',
                _fmt(4),
                _fmt(8 + font_size),
                TEXT_COLOUR,
                small,
                value_label,
            )
        )
    for x, y, colour, label in legend_items:
        parts.append(
            format_html(
                '<g class="chart-legend"><rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" fill="{}" font-size="{}">{}</text></g>',
                _fmt(x),
                _fmt(y + 2),
                font_size - 2,
                font_size - 2,
                colour,
                _fmt(x + font_size + 4),
                _fmt(y + font_size - 1),
                TEXT_COLOUR,
                small,
                label,
            )
        )

    # Value axis: grid lines and round ticks.
    for tick, text in zip(scale, tick_labels, strict=True):
        y = y_of(float(tick))
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>'
                '<text x="{}" y="{}" fill="{}" font-size="{}" text-anchor="end">{}</text>',
                _fmt(left),
                _fmt(y),
                _fmt(width - right),
                _fmt(y),
                GRID_COLOUR if tick else AXIS_COLOUR,
                _fmt(left - 6),
                _fmt(y + small / 3),
                TEXT_COLOUR,
                small,
                text,
            )
        )
    parts.append(
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>',
            _fmt(left),
            _fmt(plot_top - font_size / 2),
            _fmt(left),
            _fmt(plot_bottom),
            AXIS_COLOUR,
        )
    )

    # Bars.
    bar_room = band * 0.7
    per_bar = bar_room if stacked or len(series) == 1 else bar_room / len(series)
    for i, category in enumerate(categories):
        band_left = left + band * i
        centre = band_left + band / 2
        parts.append('<g class="chart-bar">')
        base = 0.0
        start = centre - bar_room / 2
        for index, s in enumerate(series):
            value = s.values[i]
            colour = PALETTE[index % len(PALETTE)]
            x = start if stacked or len(series) == 1 else start + per_bar * index
            note = s.notes[i] if i < len(s.notes) and s.notes[i] else missing_label
            shown = value_format(value) if value is not None else note
            if len(series) == 1:
                tooltip = _("%(category)s: %(value)s") % {"category": category, "value": shown}
            else:
                tooltip = _("%(category)s, %(series)s: %(value)s") % {
                    "category": category,
                    "series": s.label,
                    "value": shown,
                }
            if value is None:
                if not stacked and note:
                    parts.append(_value_text(x + per_bar / 2, plot_bottom - 4, note, small))
                continue
            v = float(value)
            y_top = y_of(base + v) if stacked else y_of(v)
            y_bottom = y_of(base) if stacked else plot_bottom
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
                    _fmt(x),
                    _fmt(y_top),
                    _fmt(per_bar),
                    _fmt(max(y_bottom - y_top, 0)),
                    colour,
                    tooltip,
                )
            )
            if not stacked:
                parts.append(_value_text(x + per_bar / 2, y_top - 3, shown, small))
            else:
                base += v
        if stacked:
            values = [s.values[i] for s in series]
            text = (
                value_format(sum(float(v) for v in values))
                if all(v is not None for v in values)
                else missing_label
            )
            if text:
                parts.append(_value_text(centre, y_of(base) - 3, text, small))
        parts.append("</g>")

        # The category label under the band.
        if rotation:
            lx, ly = centre, plot_bottom + small + 4
            parts.append(
                format_html(
                    '<text x="{}" y="{}" fill="{}" font-size="{}" text-anchor="end" '
                    'transform="rotate(-{} {} {})">{}</text>',
                    _fmt(lx),
                    _fmt(ly),
                    TEXT_COLOUR,
                    small,
                    rotation,
                    _fmt(lx),
                    _fmt(ly),
                    category,
                )
            )
        else:
            spans = mark_safe(  # noqa: S308 - every piece is escaped by format_html
                "".join(
                    format_html(
                        '<tspan x="{}" dy="{}">{}</tspan>',
                        _fmt(centre),
                        _fmt(line_height if k else 0),
                        line,
                    )
                    for k, line in enumerate(label_lines[i])
                )
            )
            parts.append(
                format_html(
                    '<text x="{}" y="{}" fill="{}" font-size="{}" text-anchor="middle">{}</text>',
                    _fmt(centre),
                    _fmt(plot_bottom + small + 4),
                    TEXT_COLOUR,
                    small,
                    spans,
                )
            )
    parts.append(
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>',
            _fmt(left),
            _fmt(plot_bottom),
            _fmt(width - right),
            _fmt(plot_bottom),
            AXIS_COLOUR,
        )
    )
    parts.append("</svg>")
    return Chart(
        svg=mark_safe("".join(parts)),  # noqa: S308 - built from format_html pieces
        width=width,
        height=height,
        label_rotation=rotation,
        label_lines=label_lines,
    )


def _value_text(x: float, y: float, text: str, font_size: float) -> str:
    return format_html(
        '<text x="{}" y="{}" fill="{}" font-size="{}" text-anchor="middle">{}</text>',
        _fmt(x),
        _fmt(y),
        TEXT_COLOUR,
        font_size,
        text,
    )


def _describe(categories: Sequence[str], series: Sequence[Series], stacked: bool) -> str:
    """A one-sentence summary for screen readers, in the active language."""
    n = len(categories)
    bars = ngettext("%(n)d category", "%(n)d categories", n) % {"n": n}
    names = _(", ").join(s.label for s in series)
    if len(series) == 1:
        return _("Bar chart of %(series)s over %(bars)s. The table beside it has the figures.") % {
            "series": names,
            "bars": bars,
        }
    if stacked:
        return _(
            "Stacked bar chart of %(series)s over %(bars)s. The table beside it has the figures."
        ) % {"series": names, "bars": bars}
    return _(
        "Grouped bar chart of %(series)s over %(bars)s. The table beside it has the figures."
    ) % {"series": names, "bars": bars}


__all__ = [
    "PALETTE",
    "Chart",
    "Series",
    "bar_chart",
    "char_width",
    "format_number",
    "nice_ticks",
    "text_width",
    "wrap_label",
]
