"""Server-side SVG charts for the PDF report (pure; no database, no browser)."""

import xml.etree.ElementTree as ET

import pytest

from lagesbild.chart_model import Bar
from lagesbild.svg import TrendPoint, TrendSeries, bar_chart, trend_chart

SVG = "{http://www.w3.org/2000/svg}"


def _bars() -> list[Bar]:
    return [
        Bar("Skiftinge", 34, 28, 41, "34 %", "worse", marked=True),
        Bar("Söder", 12, 8, 17, "12 %", "better"),
        Bar("Ärla", None, None, None, "< 15 %"),
        Bar("Kvicksund", None, None, None, "–"),
    ]


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    return [el.text or "" for el in root.iter(f"{SVG}text")]


def test_bar_chart_is_well_formed_svg_with_an_accessible_title_and_description() -> None:
    svg = bar_chart(_bars(), title="Erbjuden narkotika", description="Skiftinge högst.")
    root = ET.fromstring(svg)  # noqa: S314
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Erbjuden narkotika"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == "Skiftinge högst."  # type: ignore[union-attr]


def test_bar_chart_draws_one_bar_per_shown_value_only() -> None:
    root = ET.fromstring(bar_chart(_bars(), title="t", description="d"))  # noqa: S314
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("stroke") == "#333333"]
    assert len(bars) == 2


def test_a_value_that_is_not_shown_appears_only_as_its_public_text() -> None:
    texts = _texts(bar_chart(_bars(), title="t", description="d"))
    assert "< 15 %" in texts
    assert "–" in texts


def test_bar_chart_marks_police_areas_and_escapes_labels() -> None:
    bars = [Bar("<Nyfors & co>", 20, 15, 25, "20 %")]
    texts = _texts(bar_chart(bars + _bars()[:1], title="a < b", description="d"))
    assert "<Nyfors & co>" in texts
    assert "Skiftinge *" in texts


def test_bar_chart_draws_the_reference_line_with_its_label() -> None:
    svg = bar_chart(_bars(), title="t", description="d", reference=21, reference_label="Kommunen")
    assert "Kommunen 21\u00a0%" in _texts(svg)
    assert 'stroke-dasharray="5 3"' in svg


def test_bar_chart_explains_its_markers_in_a_legend() -> None:
    bars = [Bar("Skiftinge", 34, 28, 41, "34 %", marker=21)]
    svg = bar_chart(bars, title="t", description="d", marker_label="Kommunen")
    assert "Kommunen" in _texts(svg)


def test_trend_chart_breaks_the_line_where_a_wave_has_no_shown_value() -> None:
    series = [
        TrendSeries(
            "Skiftinge",
            (TrendPoint(30, 25, 35), TrendPoint(None, None, None), TrendPoint(34, 28, 41)),
        )
    ]
    svg = trend_chart(series, waves=["HT23", "HT24", "HT25"], title="t", description="d")
    root = ET.fromstring(svg)  # noqa: S314
    lines = [p.get("d") or "" for p in root.iter(f"{SVG}path") if p.get("stroke-width") == "2"]
    assert len(lines) == 1
    assert lines[0].count("M") == 2 and "L" not in lines[0]


def test_trend_chart_refuses_a_series_of_the_wrong_length() -> None:
    series = [TrendSeries("Kommunen", (TrendPoint(30, 25, 35),))]
    with pytest.raises(ValueError, match="points"):
        trend_chart(series, waves=["HT23", "HT24"], title="t", description="d")


def test_trend_chart_names_every_wave_and_series() -> None:
    series = [TrendSeries("Kommunen", (TrendPoint(20, 18, 22), TrendPoint(21, 19, 23)))]
    texts = _texts(trend_chart(series, waves=["HT 2024", "HT 2025"], title="t", description="d"))
    assert {"HT 2024", "HT 2025", "Kommunen"} <= set(texts)


def test_trend_chart_marks_a_measure_start_between_two_waves() -> None:
    series = [TrendSeries("Kommunen", (TrendPoint(20, 18, 22), TrendPoint(21, 19, 23)))]
    svg = trend_chart(
        series, waves=["HT 2024", "HT 2025"], title="t", description="d", starts=[(0.5, "Åtgärd 1")]
    )
    assert "Åtgärd 1" in _texts(svg)
    # Halfway between the two waves' points (x = 48 + 306 * (i + 0.5)): at x = 354.
    assert '<line x1="354" y1="16" x2="354"' in svg


def test_trend_lines_differ_and_a_long_legend_wraps_to_new_rows() -> None:
    from lagesbild.svg import _legend_layout, _series_style

    styles = [_series_style(n) for n in range(12)]
    assert len(set(styles)) == len(styles)
    names = [f"Indikator med ett långt namn nummer {n}" for n in range(7)]
    layout = _legend_layout(names)
    assert max(row for _x, row in layout) >= 2
    assert all(
        x + 48 + 7 * len(name) - 18 <= 680 - 20
        for (x, _row), name in zip(layout, names, strict=True)
    )
