"""Figure data for the dashboards in Plotly's JSON (long because all four chart kinds are here).

Every builder takes values that are already disclosure-controlled (a suppressed cell
arrives here as ``share=None`` and the text "–") and returns a figure that the one static
script, ``static/js/lagesbild.js``, draws with the Plotly.js basic bundle (bar and scatter
traces only). Nothing here can reveal more than the caller passed in.

Texts in figures use no HTML except <br>: Plotly turns <b> and <i> into style
attributes, which the strict CSP (style-src 'self') blocks.

Colours and the bar come from ``lagesbild.chart_model`` (shared with the report's SVG), and
every colour is doubled by something that works without colour: a bar pattern, a marker
shape and a word ("sämre"/"bättre") in the labels and tables. The
marks and words for direction come from ``lagesbild.marks``, the one place they are defined.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from .chart_model import (
    BACKGROUND,
    BAR_OUTLINE,
    GRID_COLOUR,
    MAP_CLASSES,
    MAP_OUTLINE,
    MAP_SUPPRESSED,
    MEASURE_COLOUR,
    MUTED_COLOUR,
    REFERENCE_COLOUR,
    TEXT_COLOUR,
    VERDICT_COLOURS,
    Bar,
    Verdict,
)
from .marks import kommun_comparison, verdict_text

Figure = dict[str, Any]

# Patterns repeat the verdict for print in black and white and for readers without colour.
PATTERNS: dict[Verdict, str] = {"worse": "/", "better": ".", "similar": "", "none": ""}
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif", "size": 13}


# Marker shapes of the district profile repeat the verdict without colour. They are no
# arrows or triangles: a triangle would read as "higher" or "lower", which is the position.
VERDICT_SYMBOLS: dict[Verdict, str] = {
    "worse": "square",
    "better": "diamond",
    "similar": "circle",
    "none": "circle-open",
}


def _base_layout(height: int) -> dict[str, Any]:
    return {
        "height": height,
        "margin": {"l": 10, "r": 30, "t": 10, "b": 40},
        "font": FONT,
        "paper_bgcolor": BACKGROUND,
        "plot_bgcolor": BACKGROUND,
        "showlegend": False,
        "hoverlabel": {"bgcolor": BACKGROUND, "font": FONT},
    }


def sort_bars(bars: Sequence[Bar]) -> list[Bar]:
    """Highest share first; values shown only as bounds, then suppressed ones, last."""

    def key(bar: Bar) -> tuple[int, int, str]:
        if bar.share is not None:
            return (0, -bar.share, bar.label)
        return (1 if bar.text != "–" else 2, 0, bar.label)

    return sorted(bars, key=key)


def bar_chart(
    bars: Sequence[Bar],
    *,
    reference: int | None,
    reference_label: str,
    previous_label: str = "",
) -> Figure:
    """Horizontal bars sorted by share, with 95 % intervals and a kommun reference line."""
    ordered = sort_bars(bars)
    labels = [b.label for b in ordered]
    shares = [b.share for b in ordered]
    hover = []
    for b in ordered:
        parts = [b.label, b.text]
        if b.share is not None and b.ci_low is not None and b.ci_high is not None:
            parts.append(
                _("95 %% intervall %(low)s–%(high)s %%") % {"low": b.ci_low, "high": b.ci_high}
            )
        parts.append(_("n %(n)s") % {"n": b.n_text})
        if b.verdict != "none":
            parts.append(verdict_text(b.verdict))
        hover.append("<br>".join(parts))
    data: list[dict[str, Any]] = [
        {
            "type": "bar",
            "orientation": "h",
            "y": labels,
            "x": shares,
            "text": [b.text if b.share is not None else "" for b in ordered],
            "textposition": "outside",
            "cliponaxis": False,
            "hovertext": hover,
            "hoverinfo": "text",
            "marker": {
                "color": [VERDICT_COLOURS[b.verdict] for b in ordered],
                "line": {"color": BAR_OUTLINE, "width": 0.5},
                "pattern": {
                    "shape": [PATTERNS[b.verdict] for b in ordered],
                    "fgcolor": BACKGROUND,
                    "size": 6,
                    "solidity": 0.25,
                },
            },
            "error_x": {
                "type": "data",
                "symmetric": False,
                "array": [_upper(b) for b in ordered],
                "arrayminus": [_lower(b) for b in ordered],
                "color": REFERENCE_COLOUR,
                "thickness": 1.2,
                "width": 3,
            },
            "name": reference_label,
        }
    ]
    if any(b.marker is not None for b in ordered):
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "y": labels,
                "x": [b.marker for b in ordered],
                "marker": {
                    "symbol": "diamond-open",
                    "size": 9,
                    "color": REFERENCE_COLOUR,
                    "line": {"width": 1.5},
                },
                "hoverinfo": "skip",
                "name": previous_label,
            }
        )
    top = max([b.ci_high or b.share or 0 for b in ordered] + [reference or 0, 10])
    layout = _base_layout(max(180, 28 * len(ordered) + 70))
    layout["xaxis"] = {
        "range": [0, min(100, math.ceil((top + 8) / 10) * 10)],
        "ticksuffix": " %",
        "automargin": True,
        "gridcolor": GRID_COLOUR,
        "zeroline": True,
        "fixedrange": True,
    }
    layout["yaxis"] = {"autorange": "reversed", "automargin": True, "fixedrange": True}
    layout["annotations"] = [
        {
            "x": 0,
            "y": b.label,
            "xanchor": "left",
            "text": b.text if b.text != "–" else _("– (visas inte)"),
            "showarrow": False,
            "font": {"color": BAR_OUTLINE},
        }
        for b in ordered
        if b.share is None
    ]
    if reference is not None:
        layout["shapes"] = [
            {
                "type": "line",
                "x0": reference,
                "x1": reference,
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "line": {"color": REFERENCE_COLOUR, "width": 2, "dash": "dash"},
            }
        ]
        layout["annotations"].append(
            {
                "x": reference,
                "yref": "paper",
                "y": 1,
                "yanchor": "bottom",
                "text": f"{reference_label} {reference} %",
                "showarrow": False,
                "font": {"color": REFERENCE_COLOUR},
            }
        )
        layout["margin"]["t"] = 28
    return {"data": data, "layout": layout}


def _upper(bar: Bar) -> int | None:
    if bar.share is None or bar.ci_high is None:
        return None
    return max(0, bar.ci_high - bar.share)


def _lower(bar: Bar) -> int | None:
    if bar.share is None or bar.ci_low is None:
        return None
    return max(0, bar.share - bar.ci_low)


@dataclass(frozen=True)
class Point:
    """One wave's value in a trend line."""

    label: str  # the wave's name
    share: int | None
    ci_low: int | None
    ci_high: int | None
    text: str


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple[Point, ...]
    dash: str = "solid"
    colour: str = REFERENCE_COLOUR


@dataclass(frozen=True)
class MeasureStart:
    """When a measure of the åtgärdsplan started, on a trend chart's wave axis."""

    number: int  # 1, 2, … by start date: the label on the chart
    title: str
    position: float  # waves are at 0, 1, 2, …; between them in proportion to the days
    started: str  # the start date in words, "3 mars 2025"
    timing: str  # "startade mellan HT 2023 och HT 2024"

    @property
    def label(self) -> str:
        return _("Åtgärd %(number)s") % {"number": self.number}

    @property
    def legend(self) -> str:
        return f"{self.label}: {self.title} ({self.started})"


def _measure_shapes(measures: Sequence[MeasureStart]) -> tuple[list[Any], list[Any]]:
    """A dotted vertical line per measure start (in the legend) and its number on top."""
    shapes = [
        {
            "type": "line",
            "xref": "x",
            "x0": m.position,
            "x1": m.position,
            "yref": "paper",
            "y0": 0,
            "y1": 1,
            "line": {"color": MEASURE_COLOUR, "width": 2, "dash": "dot"},
            "showlegend": True,
            "name": m.legend,
            "legendgroup": f"measure-{m.number}",
        }
        for m in measures
    ]
    annotations = [
        {
            "xref": "x",
            "x": m.position,
            "yref": "paper",
            "y": 1,
            "yanchor": "bottom",
            "text": m.label,
            "showarrow": False,
            "font": {"color": MEASURE_COLOUR, "size": 12},
            "hovertext": f"{m.legend}, {m.timing}",
        }
        for m in measures
    ]
    return shapes, annotations


def trend_chart(series: Sequence[Series], *, measures: Sequence[MeasureStart] = ()) -> Figure:
    """Lines across waves with interval bars; a suppressed wave is a gap, never a value.
    ``measures``: the starts of measures that target the indicator, as dotted lines."""
    data: list[dict[str, Any]] = []
    symbols = ("circle", "square", "diamond", "cross")
    for i, s in enumerate(series):
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers+text",
                "name": s.name,
                "x": [p.label for p in s.points],
                "y": [p.share for p in s.points],
                "text": [p.text if p.share is not None else "" for p in s.points],
                "textposition": "top center",
                "hovertext": [f"{s.name}<br>{p.label}: {p.text}" for p in s.points],
                "hoverinfo": "text",
                "connectgaps": False,
                "line": {"color": s.colour, "dash": s.dash, "width": 2},
                "marker": {"symbol": symbols[i % len(symbols)], "size": 8, "color": s.colour},
                "error_y": {
                    "type": "data",
                    "symmetric": False,
                    "array": [
                        None if p.share is None or p.ci_high is None else p.ci_high - p.share
                        for p in s.points
                    ],
                    "arrayminus": [
                        None if p.share is None or p.ci_low is None else p.share - p.ci_low
                        for p in s.points
                    ],
                    "color": s.colour,
                    "thickness": 1,
                    "width": 4,
                },
            }
        )
    top = max(
        [p.ci_high or p.share or 0 for s in series for p in s.points] + [10],
    )
    layout = _base_layout(300 + 22 * len(measures))
    layout["showlegend"] = len(series) > 1 or bool(measures)
    layout["legend"] = {"orientation": "h", "y": -0.2}
    layout["margin"]["b"] = 70
    layout["xaxis"] = {"type": "category", "fixedrange": True, "automargin": True}
    if measures:
        shapes, annotations = _measure_shapes(measures)
        layout["shapes"] = shapes
        layout["annotations"] = annotations
        layout["margin"]["t"] = 30
        waves = max((len(s.points) for s in series), default=1)
        # The whole axis, so that a start just outside the first or last wave is seen.
        layout["xaxis"]["range"] = [-0.5, waves - 0.5]
    layout["yaxis"] = {
        "range": [0, min(100, math.ceil((top + 8) / 10) * 10)],
        "ticksuffix": " %",
        "automargin": True,
        "gridcolor": GRID_COLOUR,
        "fixedrange": True,
    }
    return {"data": data, "layout": layout}


@dataclass(frozen=True)
class ProfileRow:
    """One indicator of a district profile: the district against the kommun."""

    label: str
    share: int | None
    ci_low: int | None
    ci_high: int | None
    text: str
    verdict: Verdict
    reference: int | None
    higher_is_better: bool = False


def profile_chart(rows: Sequence[ProfileRow], *, area_label: str, reference_label: str) -> Figure:
    """A dot plot: the district's share (coloured by verdict) and the kommun's mark."""
    labels = [r.label for r in rows]
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "markers",
            "name": reference_label,
            "y": labels,
            "x": [r.reference for r in rows],
            "marker": {"symbol": "line-ns-open", "size": 16, "color": REFERENCE_COLOUR},
            "line": {"width": 2},
            "hovertext": [f"{reference_label}: {r.reference} %" for r in rows],
            "hoverinfo": "text",
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": area_label,
            "y": labels,
            "x": [r.share for r in rows],
            "marker": {
                "symbol": [VERDICT_SYMBOLS[r.verdict] for r in rows],
                "size": 11,
                "color": [VERDICT_COLOURS[r.verdict] for r in rows],
                "line": {"color": BAR_OUTLINE, "width": 0.5},
            },
            "error_x": {
                "type": "data",
                "symmetric": False,
                "array": [
                    None if r.share is None or r.ci_high is None else r.ci_high - r.share
                    for r in rows
                ],
                "arrayminus": [
                    None if r.share is None or r.ci_low is None else r.share - r.ci_low
                    for r in rows
                ],
                "color": MUTED_COLOUR,
                "thickness": 1,
                "width": 3,
            },
            "hovertext": [
                f"{area_label}: {r.text}<br>{kommun_comparison(r.verdict, r.higher_is_better)}"
                for r in rows
            ],
            "hoverinfo": "text",
        },
    ]
    layout = _base_layout(max(220, 24 * len(rows) + 80))
    layout["showlegend"] = True
    layout["legend"] = {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0}
    layout["margin"]["t"] = 40
    layout["xaxis"] = {
        "range": [0, 100],
        "ticksuffix": " %",
        "gridcolor": GRID_COLOUR,
        "automargin": True,
    }
    layout["xaxis"]["fixedrange"] = True
    layout["yaxis"] = {"autorange": "reversed", "automargin": True, "fixedrange": True}
    layout["annotations"] = [
        {"x": 0, "y": r.label, "xanchor": "left", "text": "–", "showarrow": False}
        for r in rows
        if r.share is None
    ]
    return {"data": data, "layout": layout}


@dataclass(frozen=True)
class MapArea:
    """A district on the map: its rings (lon, lat) and its public value."""

    label: str
    rings: tuple[tuple[tuple[float, float], ...], ...]
    share: int | None
    text: str
    hover: str


def map_class(share: int, low: int, high: int, higher_is_better: bool) -> int:
    """The colour class 0–4 of a share between the lowest and highest shown share;
    class 4 is always the worst end, whatever the indicator's polarity."""
    position = 0.5 if high <= low else (share - low) / (high - low)
    if higher_is_better:
        position = 1 - position
    return min(len(MAP_CLASSES) - 1, int(position * len(MAP_CLASSES)))


def map_legend(shares: Sequence[int], *, higher_is_better: bool) -> list[tuple[int, str]]:
    """(colour class, "a–b %") for each class some shown share falls into, worst last."""
    if not shares:
        return []
    low, high = min(shares), max(shares)
    ranges: dict[int, list[int]] = {}
    for share in range(low, high + 1):
        ranges.setdefault(map_class(share, low, high, higher_is_better), []).append(share)
    return [
        (klass, f"{min(values)}–{max(values)} %" if len(values) > 1 else f"{values[0]} %")
        for klass, values in sorted(ranges.items())
    ]


def map_chart(areas: Sequence[MapArea], *, higher_is_better: bool) -> Figure:
    """Filled polygons (scatter traces with fill "toself") and a value label in each.

    Suppressed districts are grey with "–"; the value labels mean the map reads without
    colour, and the data table beside it holds every value.
    """
    shown = [a.share for a in areas if a.share is not None]
    low, high = (min(shown), max(shown)) if shown else (0, 0)
    data: list[dict[str, Any]] = []
    label_x: list[float] = []
    label_y: list[float] = []
    label_text: list[str] = []
    label_hover: list[str] = []
    lat_sum = 0.0
    lat_count = 0
    for area in areas:
        colour = (
            MAP_SUPPRESSED
            if area.share is None
            else MAP_CLASSES[map_class(area.share, low, high, higher_is_better)]
        )
        xs: list[float | None] = []
        ys: list[float | None] = []
        for ring in area.rings:
            if xs:
                xs.append(None)
                ys.append(None)
            xs.extend(p[0] for p in ring)
            ys.extend(p[1] for p in ring)
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "fill": "toself",
                "fillcolor": colour,
                "line": {"color": MAP_OUTLINE, "width": 1},
                "x": xs,
                "y": ys,
                "hoveron": "fills",
                "text": area.hover,
                "hoverinfo": "text",
                "name": area.label,
            }
        )
        outer = max(area.rings, key=len)
        cx, cy = _centroid(outer)
        label_x.append(round(cx, 5))
        label_y.append(round(cy, 5))
        label_text.append(f"{area.label}<br>{area.text}")
        label_hover.append(area.hover)
        lat_sum += cy
        lat_count += 1
    data.append(
        {
            "type": "scatter",
            "mode": "text",
            "x": label_x,
            "y": label_y,
            "text": label_text,
            "textfont": {"size": 11, "color": TEXT_COLOUR},
            "hovertext": label_hover,
            "hoverinfo": "text",
        }
    )
    layout = _base_layout(560)
    layout["xaxis"] = {"visible": False, "fixedrange": True}
    # A degree of longitude is cos(latitude) of a degree of latitude: keep shapes true.
    mean_lat = lat_sum / lat_count if lat_count else 59.4
    layout["yaxis"] = {
        "visible": False,
        "scaleanchor": "x",
        "scaleratio": round(1 / math.cos(math.radians(mean_lat)), 4),
        "fixedrange": True,
    }
    layout["hovermode"] = "closest"
    return {"data": data, "layout": layout}


def _centroid(ring: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """Area centroid of a simple ring (falls back to the vertex mean for degenerate rings)."""
    area = 0.0
    cx = 0.0
    cy = 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-12:
        return (sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))
    return (cx / (3 * area), cy / (3 * area))


def bar_summary(bars: Sequence[Bar], *, reference: int | None, reference_label: str) -> str:
    """A short text for screen readers: the top values, the kommun and the outliers."""
    ordered = sort_bars(bars)
    shown = [b for b in ordered if b.share is not None]
    parts: list[str] = []
    if shown:
        top = ", ".join(f"{b.label} {b.text}" for b in shown[:3])
        parts.append(_("Högst: %(top)s.") % {"top": top})
    if reference is not None:
        parts.append(f"{reference_label}: {reference} %.")
    worse = [b.label for b in ordered if b.verdict == "worse"]
    better = [b.label for b in ordered if b.verdict == "better"]
    if worse:
        parts.append(_("Tydligt sämre än kommunen: %(names)s.") % {"names": ", ".join(worse)})
    if better:
        parts.append(_("Tydligt bättre än kommunen: %(names)s.") % {"names": ", ".join(better)})
    hidden = len([b for b in ordered if b.share is None])
    if hidden:
        parts.append(_("%(count)s visas inte med exakt värde (för få svar).") % {"count": hidden})
    return " ".join(parts) or _("Inga värden att visa.")


def trend_summary(series: Sequence[Series], *, measures: Sequence[MeasureStart] = ()) -> str:
    parts = []
    for s in series:
        values = ", ".join(f"{p.label} {p.text}" for p in s.points)
        parts.append(f"{s.name}: {values}.")
    for m in measures:
        parts.append(
            _("Lodrät prickad linje, %(label)s: %(title)s %(timing)s (%(started)s).")
            % {"label": m.label, "title": m.title, "timing": m.timing, "started": m.started}
        )
    return " ".join(parts)
