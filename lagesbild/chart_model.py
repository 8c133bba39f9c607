"""What every chart draws, on screen and on paper: the palette and the bar.

The dashboards' Plotly figures (`lagesbild.charts`) and the PDF report's SVG
(`lagesbild.svg`) take their colours and their bars from here, so a verdict has one
colour wherever it is drawn. Pure Python: no Django, no browser.

Colours follow the Okabe–Ito palette, which stays distinguishable with the common colour
vision deficiencies; the greys have at least 3:1 contrast against white. Every colour is
doubled by something that works without colour (a pattern, a marker shape, a word), which
each renderer adds in its own medium. The stylesheets (`static/css/lagesbild.css`,
`static/css/report.css`) repeat these values as CSS custom properties; a test holds them
equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# A value against the kommun (or a change against the previous wave): the one vocabulary.
Verdict = Literal["worse", "better", "similar", "none"]

# Okabe–Ito vermillion and blue; a mid grey and a light grey for "no clear difference" and
# "not compared".
VERDICT_COLOURS: dict[Verdict, str] = {
    "worse": "#D55E00",
    "better": "#0072B2",
    "similar": "#858585",
    "none": "#BDBDBD",
}
# The kommun's reference line, interval whiskers and main text: near black.
REFERENCE_COLOUR = "#1A1A1A"
TEXT_COLOUR = REFERENCE_COLOUR
# Secondary text and axis lines: a dark grey (7:1 against white).
MUTED_COLOUR = "#595959"
# A measure's start: the muted grey, dotted and vertical, so it never reads as a value.
MEASURE_COLOUR = MUTED_COLOUR
GRID_COLOUR = "#E6E6E6"
BAR_OUTLINE = "#333333"
BACKGROUND = "#FFFFFF"
# Lines of trend series, in order: the kommun first (dark), then Okabe–Ito blue,
# vermillion, bluish green and reddish purple.
SERIES_COLOURS = (REFERENCE_COLOUR, "#0072B2", "#D55E00", "#009E73", "#CC79A7")
# ColorBrewer YlOrBr (colour-blind safe, prints in greyscale): light = good, dark = bad.
MAP_CLASSES = ("#FFF7BC", "#FEC44F", "#FE9929", "#D95F0E", "#993404")
MAP_SUPPRESSED = "#D9D9D9"
MAP_OUTLINE = "#4D4D4D"


@dataclass(frozen=True)
class Bar:
    """One bar: an area (or place) and its PUBLIC value.

    ``share`` is None when the cell is suppressed or shown only as a bound; ``text`` is
    then what the reader sees ("< 15 %", "–"). ``marker`` is a comparison value drawn beside
    the bar (the previous wave on the dashboards, the kommun in the report).
    """

    label: str
    share: int | None
    ci_low: int | None
    ci_high: int | None
    text: str  # "23 %", "< 15 %" or "–"
    verdict: Verdict = "none"
    key: str = ""  # the area's code, where the chart has one
    n_text: str = "–"  # "≈ 145" or "–"
    marker: int | None = None
    marked: bool = False  # e.g. a police utsatt område: a "*" after the label
