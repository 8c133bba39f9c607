"""The åtgärdsplan beside the numbers: which measures target an indicator or a district, and
where a measure's start falls between the waves of a trend (pure: no queries).

The measures of a kommun are read once per request by `lagesbild.selectors.kommun_measures`
(and are part of the dashboard cache's version, so a saved measure shows at once); the
pages, the trend chart and the report pick from them here.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .models import MeasureStatus, Party


def parties_text(values: Iterable[str]) -> str:
    """The responsible parties in words, in the list's order: "Kommunen, polisen"."""
    labels = [str(Party(v).label) for v in values if v in Party.values]
    return capfirst(", ".join(labels)) or "–"


@dataclass(frozen=True)
class MeasureRef:
    """One measure of the åtgärdsplan as the pages and the report show it."""

    id: int
    title: str
    description: str
    responsible: tuple[str, ...]
    indicators: tuple[str, ...]  # catalogue codes
    districts: tuple[tuple[str, str], ...]  # (code, name), by name; empty: the whole kommun
    started_on: date
    status: str
    follow_up: str

    @property
    def whole_kommun(self) -> bool:
        return not self.districts

    @property
    def parties_text(self) -> str:
        return parties_text(self.responsible)

    @property
    def status_text(self) -> str:
        if self.status in MeasureStatus.values:
            return str(MeasureStatus(self.status).label)
        return self.status

    @property
    def districts_text(self) -> str:
        if self.whole_kommun:
            return _("Hela kommunen")
        return ", ".join(name for _code, name in self.districts)

    def targets_indicator(self, code: str) -> bool:
        return code in self.indicators

    def targets_area(self, code: str) -> bool:
        """A measure without districts targets every district of its kommun."""
        return self.whole_kommun or any(c == code for c, _name in self.districts)


def for_indicator(measures: Iterable[MeasureRef], code: str) -> tuple[MeasureRef, ...]:
    return tuple(m for m in measures if m.targets_indicator(code))


def for_area(measures: Iterable[MeasureRef], code: str) -> tuple[MeasureRef, ...]:
    return tuple(m for m in measures if m.targets_area(code))


def counts_by_indicator(measures: Iterable[MeasureRef]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for measure in measures:
        for code in set(measure.indicators):
            counts[code] = counts.get(code, 0) + 1
    return counts


# A start before the first wave or after the last is drawn this far outside its point,
# inside the chart's edge.
OUTSIDE = 0.4


def start_position(started_on: date, spans: Sequence[tuple[date, date]]) -> float | None:
    """Where a start date falls on a trend chart whose waves are drawn at 0, 1, 2, …

    ``spans`` are the waves' collection periods (first and last day), oldest first. A start
    during a wave's collection sits at that wave; between two waves, in proportion to the
    days between the first one's end and the next one's start; before the first or after
    the last wave, just outside it (``OUTSIDE``). None without waves.
    """
    if not spans:
        return None
    if started_on < spans[0][0]:
        return -OUTSIDE
    for index, (opens, closes) in enumerate(spans):
        if opens <= started_on <= closes:
            return float(index)
    for index, ((_o, closes), (opens, _c)) in enumerate(itertools.pairwise(spans)):
        if closes < started_on < opens:
            return index + (started_on - closes).days / max(1, (opens - closes).days)
    return len(spans) - 1 + OUTSIDE


def start_timing(started_on: date, waves: Sequence[tuple[str, date, date]]) -> str:
    """The start against the waves in words: "startade mellan HT 2023 och HT 2024"."""
    if not waves:
        return ""
    if started_on < waves[0][1]:
        return _("startade före %(wave)s") % {"wave": waves[0][0]}
    for name, opens, closes in waves:
        if opens <= started_on <= closes:
            return _("startade under %(wave)s") % {"wave": name}
    for (before, _o1, closes), (after, opens, _c2) in itertools.pairwise(waves):
        if closes < started_on < opens:
            return _("startade mellan %(before)s och %(after)s") % {
                "before": before,
                "after": after,
            }
    return _("startade efter %(wave)s") % {"wave": waves[-1][0]}
