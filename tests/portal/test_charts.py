# ruff: noqa: RUF001  (Japanese labels, with Japanese punctuation)
"""portal/charts.py: round scales, labels that fit, accessible markup, both languages."""

from __future__ import annotations

import math
import unicodedata
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from portal.charts import Series, bar_chart, nice_ticks, wrap_label

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart):
    return ET.fromstring(str(chart))


def width_at_least(text: str, font_size: float) -> float:
    """The test's own measure: a CJK character is one em, anything else 0.6 em."""
    return sum(
        font_size if unicodedata.east_asian_width(c) in ("W", "F") else 0.6 * font_size
        for c in text
    )


def text_boxes(root):
    """(left, right, top, bottom) of every piece of text, rotation included."""
    boxes = []
    for text in root.iter(f"{SVG}text"):
        size = float(text.get("font-size"))
        x, y = float(text.get("x")), float(text.get("y"))
        spans = list(text.iter(f"{SVG}tspan")) or [text]
        anchor = text.get("text-anchor", "start")
        transform = text.get("transform")
        dy_total = 0.0
        for span in spans:
            content = span.text or ""
            dy_total += float(span.get("dy", 0)) if span is not text else 0.0
            w = width_at_least(content, size)
            if transform:
                angle = math.radians(float(transform.split("(")[1].split()[0]))
                assert anchor == "end"
                # the text runs from (x - w cos a, y - w sin a) to the anchor, a = -45 degrees
                ex, ey = x - w * math.cos(angle), y - w * math.sin(angle)
                boxes.append((min(ex, x), max(ex, x), min(ey, y) - size, max(ey, y)))
                continue
            sx = float(span.get("x", x))
            left = {"start": sx, "middle": sx - w / 2, "end": sx - w}[anchor]
            baseline = y + dy_total
            boxes.append((left, left + w, baseline - size, baseline + size * 0.25))
    return boxes


def assert_inside(chart):
    root = parse(chart)
    _, _, width, height = (float(v) for v in root.get("viewBox").split())
    for left, right, top, bottom in text_boxes(root):
        assert left >= 0, (left, chart.svg)
        assert right <= width
        assert top >= 0
        assert bottom <= height


def test_it_picks_round_ticks():
    assert nice_ticks(0) == [0, 1]
    assert nice_ticks(3) == [0, 1, 2, 3]
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(10) == [0, 2, 4, 6, 8, 10]
    assert nice_ticks(100) == [0, 20, 40, 60, 80, 100]
    assert nice_ticks(101) == [0, 50, 100, 150]
    assert nice_ticks(1234) == [0, 500, 1000, 1500]
    assert nice_ticks(0.42) == [0, 0.1, 0.2, 0.3, 0.4, 0.5]
    assert nice_ticks(14.5) == [0, 5, 10, 15]


def test_it_wraps_words_and_japanese_without_breaking_before_punctuation():
    assert wrap_label("Requests received per kind", 60, 11) == ["Requests", "received", "per kind"]
    assert wrap_label("開示等の請求（四半期）", 60, 11) == ["開示等の請", "求（四半", "期）"]
    # "。" never starts a line: it stays with the character before it
    assert wrap_label("あいう。えお", 33, 11) == ["あい", "う。え", "お"]
    # a word wider than the room cannot be wrapped
    assert wrap_label("Supercalifragilistic", 40, 11) is None


@translation.override("en")
def test_bar_heights_follow_the_scale_and_values_are_in_the_titles():
    chart = bar_chart(
        chart_id="c1",
        title="Requests",
        categories=["2026 Q1", "2026 Q2"],
        series=[Series("Received", [10, 5])],
        plot_height=200,
    )
    root = parse(chart)
    rects = list(root.iter(f"{SVG}rect"))
    assert [r.get("height") for r in rects] == ["200", "100"]
    assert [r.find(f"{SVG}title").text for r in rects] == ["2026 Q1: 10", "2026 Q2: 5"]
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end" and t.text]
    assert ticks == ["0", "2", "4", "6", "8", "10"]
    assert_inside(chart)


def test_it_is_labelled_for_screen_readers_and_escapes_text():
    chart = bar_chart(
        chart_id="c2",
        title="A <b>title</b>",
        categories=["<script>x</script>"],
        series=[Series("S & T", [3])],
    )
    root = parse(chart)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c2-title c2-desc"
    assert root.find(f"{SVG}title").text == "A <b>title</b>"
    assert root.find(f"{SVG}title").get("id") == "c2-title"
    assert root.find(f"{SVG}desc").get("id") == "c2-desc"
    assert "<script>" not in chart.svg
    assert "&lt;script&gt;" in chart.svg


def test_missing_values_draw_no_bar_and_say_so():
    chart = bar_chart(
        chart_id="c3",
        title="T",
        categories=["A", "B"],
        series=[Series("S", [12, None])],
        missing_label="fewer than 5",
    )
    root = parse(chart)
    assert len(list(root.iter(f"{SVG}rect"))) == 1
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "fewer than 5" in texts
    assert_inside(chart)
    # a note per value says why that one is missing
    noted = bar_chart(
        chart_id="c4",
        title="T",
        categories=["A", "B", "C"],
        series=[Series("S", [12, None, None], notes=["", "withheld", ""])],
        missing_label="fewer than 5",
    )
    texts = [t.text for t in parse(noted).iter(f"{SVG}text")]
    assert texts.count("withheld") == 1
    assert texts.count("fewer than 5") == 1


def test_stacked_bars_add_up_and_grouped_bars_stand_side_by_side():
    stacked = bar_chart(
        chart_id="s",
        title="T",
        categories=["A"],
        series=[Series("one", [6]), Series("two", [2])],
        stacked=True,
        plot_height=200,
    )
    rects = [r for r in parse(stacked).iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    # scale 0..8: 6 is 150 px, 2 is 50 px, the second sits on top of the first
    assert [r.get("height") for r in rects] == ["150", "50"]
    assert float(rects[1].get("y")) + 50 == pytest.approx(float(rects[0].get("y")))
    assert "8" in [t.text for t in parse(stacked).iter(f"{SVG}text")]  # the total
    grouped = bar_chart(
        chart_id="g",
        title="T",
        categories=["A"],
        series=[Series("one", [6]), Series("two", [2])],
    )
    rects = [r for r in parse(grouped).iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert float(rects[0].get("x")) + float(rects[0].get("width")) <= float(rects[1].get("x"))
    # the legend names both series
    legend = [t.text for g in parse(grouped).iter(f"{SVG}g") for t in g.iter(f"{SVG}text")]
    assert "one" in legend and "two" in legend
    assert_inside(stacked)
    assert_inside(grouped)


def test_long_labels_rotate_and_the_canvas_grows_to_hold_them():
    short = bar_chart(chart_id="r0", title="T", categories=["A", "B"], series=[Series("S", [1, 2])])
    labels = [f"Exceptionally-long-category-name-{i}" for i in range(12)]
    rotated = bar_chart(
        chart_id="r1", title="T", categories=labels, series=[Series("S", list(range(12)))]
    )
    assert short.label_rotation == 0
    assert rotated.label_rotation == 45
    assert rotated.height > short.height + 100
    assert_inside(rotated)


def test_japanese_labels_wrap_within_their_band():
    chart = bar_chart(
        chart_id="j",
        title="件数",
        categories=["開示", "訂正・追加", "利用停止", "第三者提供の停止"],
        series=[Series("受付", [4, 8, 15, 16])],
        width=480,
    )
    assert chart.label_rotation == 0
    assert chart.label_lines == [["開示"], ["訂正・追加"], ["利用停止"], ["第三者提供の停止"]]
    assert_inside(chart)
    narrow = bar_chart(
        chart_id="j2",
        title="件数",
        categories=["開示", "訂正・追加", "利用停止", "第三者提供の停止"],
        series=[Series("受付", [4, 8, 15, 16])],
        width=300,
    )
    assert narrow.label_rotation == 0
    assert narrow.label_lines[3] == ["第三者提供", "の停止"]
    assert_inside(narrow)


def test_the_summary_is_in_the_active_language():
    def desc():
        chart = bar_chart(
            chart_id="d", title="T", categories=["a", "b", "c"], series=[Series("S", [1, 2, 3])]
        )
        return parse(chart).find(f"{SVG}desc").text

    with translation.override("en"):
        assert desc() == "Bar chart of S over 3 categories. The table beside it has the figures."
    with translation.override("ja"):
        assert desc() == "Sの棒グラフ（3項目）。数値は横の表にあります。"
        chart = bar_chart(chart_id="t", title="T", categories=["開示"], series=[Series("S", [2])])
        rect = next(parse(chart).iter(f"{SVG}rect"))
        assert rect.find(f"{SVG}title").text == "開示：2"


def test_a_series_must_match_the_categories():
    with pytest.raises(ValueError):
        bar_chart(chart_id="x", title="T", categories=["a", "b"], series=[Series("S", [1])])
