"""Vector charts for the PDF report, as SVG text (pure Python: no Django, no browser).

WeasyPrint draws inline SVG itself, so the report's charts need neither a browser nor a
network. Every builder takes values that are already disclosure-controlled: a suppressed
or bound cell arrives with ``share=None`` and only its public text ("–", "< 15 %"), and
nothing here can show more than the caller passed in.

The look follows the dashboards: the Okabe–Ito colours for "worse" / "better" than the
kommun, a grey for "no clear difference", a dark dashed kommun reference line, and the
verdict repeated without colour (a hatch or dot pattern and an arrow in the value text),
so that a black-and-white print still reads. Each chart carries a ``<title>`` and a
``<desc>`` (the short text summary) for screen readers and PDF accessibility tools.

Coordinates are in SVG user units; the report scales the chart to the column width.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from .chart_model import (
    BACKGROUND,
    BAR_OUTLINE,
    GRID_COLOUR,
    MEASURE_COLOUR,
    MUTED_COLOUR,
    REFERENCE_COLOUR,
    SERIES_COLOURS,
    TEXT_COLOUR,
    VERDICT_COLOURS,
    Bar,
    Verdict,
)

SERIES_DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 2")
FONT_FAMILY = "DejaVu Sans, sans-serif"

WIDTH = 680
LABEL_WIDTH = 120  # the least room for labels on the left
MAX_LABEL_WIDTH = 300
VALUE_WIDTH = 90  # the value text on the right
ROW_HEIGHT = 20
BAR_HEIGHT = 12
TOP = 28  # room for the reference line's label
AXIS_HEIGHT = 24
FONT_SIZE = 11


@dataclass(frozen=True)
class TrendPoint:
    share: int | None
    ci_low: int | None
    ci_high: int | None


@dataclass(frozen=True)
class TrendSeries:
    name: str
    points: tuple[TrendPoint, ...]  # one per wave, oldest first


def _attr(value: str) -> str:
    return quoteattr(value)


def _num(value: float) -> str:
    """Compact coordinates: at most one decimal, no trailing zeros."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _axis_max(values: Sequence[int]) -> int:
    """The x axis end in percent: the next multiple of 10 above the data, at most 100."""
    top = max(values, default=0)
    return min(100, max(10, math.ceil((top + 1) / 10) * 10))


def _ticks(axis_max: int) -> list[int]:
    step = 10 if axis_max <= 50 else 20
    return list(range(0, axis_max + 1, step))


def _open(width: float, height: float, title: str, description: str, ident: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(width)} {_num(height)}" '
        f'width="{_num(width)}" height="{_num(height)}" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d" font-family={_attr(FONT_FAMILY)} '
        f'font-size="{FONT_SIZE}">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<desc id="{ident}-d">{escape(description)}</desc>',
    ]


def _patterns(ident: str) -> str:
    """Hatching for "worse" and dots for "better": the verdict without colour."""
    return (
        "<defs>"
        f'<pattern id="{ident}-worse" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{VERDICT_COLOURS["worse"]}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{BACKGROUND}" stroke-width="1.5"/></pattern>'
        f'<pattern id="{ident}-better" width="5" height="5" patternUnits="userSpaceOnUse">'
        f'<rect width="5" height="5" fill="{VERDICT_COLOURS["better"]}"/>'
        f'<circle cx="2.5" cy="2.5" r="0.9" fill="{BACKGROUND}"/></pattern>'
        "</defs>"
    )


def _fill(verdict: Verdict, ident: str) -> str:
    if verdict in ("worse", "better"):
        return f"url(#{ident}-{verdict})"
    return VERDICT_COLOURS[verdict]


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    description: str,
    reference: int | None = None,
    reference_label: str = "",
    marker_label: str = "",
    ident: str = "chart",
) -> str:
    """A horizontal bar chart with interval whiskers and a dashed reference line.

    ``bars`` are drawn in the order given (callers sort them). A bar without a share
    shows only its public text. A bar's ``marker`` (e.g. the kommun's value beside a
    district's, or the previous wave's) is a black tick, explained by ``marker_label`` in
    a legend. ``ident`` must be unique within one document (it names the title,
    description and patterns).

    WeasyPrint draws SVG text glyph by glyph, so text here is kept to what the chart
    needs: labels, values and axis ticks.
    """
    # Room for the longest label (about 6.3 units per character at 11 px).
    longest = max((len(b.label) + (2 if b.marked else 0) for b in bars), default=0)
    plot_left = min(MAX_LABEL_WIDTH, max(LABEL_WIDTH, round(6.3 * longest) + 12))
    plot_width = WIDTH - plot_left - VALUE_WIDTH
    values = [v for b in bars for v in (b.share, b.ci_high, b.marker) if v is not None]
    if reference is not None:
        values.append(reference)
    axis_max = _axis_max(values)
    height = TOP + max(1, len(bars)) * ROW_HEIGHT + AXIS_HEIGHT
    plot_bottom = TOP + max(1, len(bars)) * ROW_HEIGHT

    def x(pct: float) -> float:
        return plot_left + plot_width * pct / axis_max

    out = _open(WIDTH, height, title, description, ident)
    out.append(_patterns(ident))
    for tick in _ticks(axis_max):
        out.append(
            f'<line x1="{_num(x(tick))}" y1="{TOP - 4}" x2="{_num(x(tick))}" '
            f'y2="{plot_bottom}" stroke="{GRID_COLOUR}" stroke-width="1"/>'
            f'<text x="{_num(x(tick))}" y="{plot_bottom + 15}" text-anchor="middle" '
            f'fill="{MUTED_COLOUR}">{tick}\u00a0%</text>'
        )
    for index, bar in enumerate(bars):
        top = TOP + index * ROW_HEIGHT
        middle = top + ROW_HEIGHT / 2
        label = bar.label + (" *" if bar.marked else "")
        out.append(
            f'<text x="{plot_left - 6}" y="{_num(middle + 4)}" text-anchor="end" '
            f'fill="{TEXT_COLOUR}">{escape(label)}</text>'
        )
        if bar.share is None:
            # After the comparison tick, if there is one, so the two never overlap.
            text_x = plot_left + 4 if bar.marker is None else max(plot_left + 4, x(bar.marker) + 6)
            out.append(
                f'<text x="{_num(text_x)}" y="{_num(middle + 4)}" fill="{MUTED_COLOUR}" '
                f'font-style="italic">{escape(bar.text)}</text>'
            )
            continue
        bar_top = middle - BAR_HEIGHT / 2
        out.append(
            f'<rect x="{plot_left}" y="{_num(bar_top)}" width="{_num(x(bar.share) - plot_left)}" '
            f'height="{BAR_HEIGHT}" fill="{_fill(bar.verdict, ident)}" stroke="{BAR_OUTLINE}" '
            'stroke-width="0.5"/>'
        )
        end = bar.share
        if bar.ci_low is not None and bar.ci_high is not None:
            low, high = x(bar.ci_low), x(bar.ci_high)
            end = bar.ci_high
            out.append(
                f'<path d="M{_num(low)} {_num(middle)}H{_num(high)}'
                f"M{_num(low)} {_num(middle - 4)}V{_num(middle + 4)}"
                f'M{_num(high)} {_num(middle - 4)}V{_num(middle + 4)}" '
                f'stroke="{TEXT_COLOUR}" stroke-width="1.2" fill="none"/>'
            )
        out.append(
            f'<text x="{_num(x(max(end, bar.marker or 0)) + 6)}" y="{_num(middle + 4)}" '
            f'fill="{TEXT_COLOUR}">{escape(bar.text)}</text>'
        )
    for index, bar in enumerate(bars):
        if bar.marker is not None:
            top = TOP + index * ROW_HEIGHT
            mx = _num(x(bar.marker))
            out.append(
                f'<path d="M{mx} {top + 1}V{top + ROW_HEIGHT - 1}" stroke="{REFERENCE_COLOUR}" '
                'stroke-width="3"/>'
            )
    if marker_label and any(b.marker is not None for b in bars):
        lx = WIDTH - VALUE_WIDTH - 150
        out.append(
            f'<path d="M{lx} {TOP - 20}V{TOP - 8}" stroke="{REFERENCE_COLOUR}" stroke-width="3"/>'
            f'<text x="{lx + 6}" y="{TOP - 10}" fill="{TEXT_COLOUR}">{escape(marker_label)}</text>'
        )
    if reference is not None:
        rx = _num(x(reference))
        out.append(
            f'<line x1="{rx}" y1="{TOP - 6}" x2="{rx}" y2="{plot_bottom}" '
            f'stroke="{REFERENCE_COLOUR}" stroke-width="1.5" stroke-dasharray="5 3"/>'
            f'<text x="{rx}" y="{TOP - 10}" text-anchor="middle" fill="{REFERENCE_COLOUR}" '
            f'font-weight="bold">{escape(reference_label)} {reference}\u00a0%</text>'
        )
    out.append(
        f'<line x1="{plot_left}" y1="{TOP - 4}" x2="{plot_left}" y2="{plot_bottom}" '
        f'stroke="{MUTED_COLOUR}" stroke-width="1"/>'
    )
    out.append("</svg>")
    return "".join(out)


TREND_WIDTH = 680
TREND_HEIGHT = 240
TREND_LEFT = 48
TREND_RIGHT = 20
TREND_TOP = 16
TREND_BOTTOM = 44  # the wave names
LEGEND_HEIGHT = 22


def _series_style(number: int) -> tuple[str, str]:
    """Colour and dash of the n-th line: no two lines of a chart share both (up to 25)."""
    colours, dashes = len(SERIES_COLOURS), len(SERIES_DASHES)
    return SERIES_COLOURS[number % colours], SERIES_DASHES[(number + number // colours) % dashes]


def _legend_layout(names: Sequence[str]) -> list[tuple[float, int]]:
    """Where each legend entry starts (x, row): left to right, a new row when one is full."""
    placed: list[tuple[float, int]] = []
    x, row = float(TREND_LEFT), 0
    for name in names:
        width = 48 + 7 * len(name)  # the line, a gap and ~7 units per character at 11 px
        if x > TREND_LEFT and x + width - 18 > TREND_WIDTH - TREND_RIGHT:
            x, row = float(TREND_LEFT), row + 1
        placed.append((x, row))
        x += width
    return placed


def trend_chart(
    series: Sequence[TrendSeries],
    *,
    waves: Sequence[str],
    title: str,
    description: str,
    ident: str = "trend",
    starts: Sequence[tuple[float, str]] = (),
) -> str:
    """A line chart of shares across waves with interval whiskers and a legend.

    Waves are equally spaced (a wave is a school year or term). A missing point (the cell
    is not shown in that wave) breaks the line instead of being bridged. ``starts``: when
    measures of the åtgärdsplan started, as (position on the wave axis, where waves are at
    0, 1, …; label), each drawn as a dotted vertical line with its label on top (the
    caller says the same in ``description``).
    """
    for item in series:
        if len(item.points) != len(waves):
            raise ValueError(
                f"series {item.name!r} has {len(item.points)} points, not {len(waves)}"
            )
    values = [v for s in series for p in s.points for v in (p.share, p.ci_high) if v is not None]
    axis_max = _axis_max(values)
    legend = _legend_layout([item.name for item in series])
    rows = 1 + max((row for _x, row in legend), default=0)
    height = TREND_HEIGHT + LEGEND_HEIGHT * rows
    plot_bottom = TREND_TOP + (TREND_HEIGHT - TREND_TOP - TREND_BOTTOM)
    plot_width = TREND_WIDTH - TREND_LEFT - TREND_RIGHT
    count = max(1, len(waves))

    def x(index: float) -> float:
        step = plot_width / count
        return TREND_LEFT + step * (index + 0.5)

    def y(pct: float) -> float:
        return plot_bottom - (plot_bottom - TREND_TOP) * pct / axis_max

    out = _open(TREND_WIDTH, height, title, description, ident)
    for tick in _ticks(axis_max):
        out.append(
            f'<line x1="{TREND_LEFT}" y1="{_num(y(tick))}" x2="{TREND_WIDTH - TREND_RIGHT}" '
            f'y2="{_num(y(tick))}" stroke="{GRID_COLOUR}" stroke-width="1"/>'
            f'<text x="{TREND_LEFT - 6}" y="{_num(y(tick) + 4)}" text-anchor="end" '
            f'fill="{MUTED_COLOUR}">{tick}\u00a0%</text>'
        )
    for index, name in enumerate(waves):
        out.append(
            f'<text x="{_num(x(index))}" y="{plot_bottom + 16}" text-anchor="middle" '
            f'fill="{TEXT_COLOUR}">{escape(name)}</text>'
        )
    for number, item in enumerate(series):
        colour, dash = _series_style(number)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        # Whiskers first so that lines and points sit on top of them.
        offset = (number - (len(series) - 1) / 2) * 4  # side by side, not on top
        for index, point in enumerate(item.points):
            if point.ci_low is None or point.ci_high is None or point.share is None:
                continue
            px = _num(x(index) + offset)
            out.append(
                f'<path d="M{px} {_num(y(point.ci_low))}V{_num(y(point.ci_high))}" '
                f'stroke="{colour}" stroke-width="1" opacity="0.6"/>'
            )
        path: list[str] = []
        pen_down = False
        for index, point in enumerate(item.points):
            if point.share is None:
                pen_down = False
                continue
            command = "L" if pen_down else "M"
            path.append(f"{command}{_num(x(index) + offset)} {_num(y(point.share))}")
            pen_down = True
        if path:
            out.append(
                f'<path d="{"".join(path)}" stroke="{colour}" stroke-width="2" '
                f'fill="none"{dash_attr}/>'
            )
        for index, point in enumerate(item.points):
            if point.share is not None:
                out.append(
                    f'<circle cx="{_num(x(index) + offset)}" cy="{_num(y(point.share))}" '
                    f'r="3" fill="{colour}"/>'
                )
    for position, label in starts:
        px = _num(x(position))
        out.append(
            f'<line x1="{px}" y1="{TREND_TOP}" x2="{px}" y2="{plot_bottom}" '
            f'stroke="{MEASURE_COLOUR}" stroke-width="1.5" stroke-dasharray="2 3"/>'
            f'<text x="{px}" y="{TREND_TOP - 4}" text-anchor="middle" '
            f'fill="{MEASURE_COLOUR}">{escape(label)}</text>'
        )
    for number, (item, (legend_x, row)) in enumerate(zip(series, legend, strict=True)):
        legend_y = TREND_HEIGHT + 6 + LEGEND_HEIGHT * row
        colour, dash = _series_style(number)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<line x1="{_num(legend_x)}" y1="{legend_y}" x2="{_num(legend_x + 24)}" '
            f'y2="{legend_y}" stroke="{colour}" stroke-width="2"{dash_attr}/>'
            f'<text x="{_num(legend_x + 30)}" y="{legend_y + 4}" '
            f'fill="{TEXT_COLOUR}">{escape(item.name)}</text>'
        )
    out.append("</svg>")
    return "".join(out)
