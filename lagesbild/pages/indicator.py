"""The indicator page: one indicator in every district, its trend and the measures."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import formats
from django.utils.translation import gettext as _

from lagesbild import chart_model, charts, measures
from lagesbild.collation import swedish
from lagesbild.marks import Verdict
from lagesbild.measures import MeasureRef
from lagesbild.models import KOMMUN_AREA
from lagesbild.public import (
    AreaInfo,
    IndicatorMeta,
    PublicCell,
    Scope,
    WaveRef,
    breakdown_label,
    kommun_only,
)
from lagesbild.verdicts import Change, change_since, compare_to_kommun

if TYPE_CHECKING:  # wording reads the questionnaire from the database
    from lagesbild.wording import QuestionText


@dataclass(frozen=True)
class AreaRow:
    area: AreaInfo
    cell: PublicCell
    verdict: Verdict
    change: Change | None


@dataclass(frozen=True)
class TrendView:
    figure: dict[str, Any] | None
    summary: str
    reason: str  # why there is no trend line, or ""
    rows: tuple[tuple[str, tuple[PublicCell | None, ...]], ...]  # (series name, per wave)
    waves: tuple[str, ...]


@dataclass(frozen=True)
class IndicatorPage:
    wave: WaveRef
    previous: WaveRef | None
    meta: IndicatorMeta
    breakdown: str
    breakdown_label: str
    geography: str
    kommun: PublicCell | None
    rows: tuple[AreaRow, ...]
    figure: dict[str, Any]
    summary: str
    trend: TrendView
    questions: tuple[QuestionText, ...]
    area: AreaInfo | None
    measures: tuple[MeasureRef, ...] = ()  # of the wave's kommun, targeting this indicator
    measure_timing: tuple[str, ...] = ()  # each measure's start against the waves, in words
    kommun_only: bool = False  # a breakdown published for the whole kommun only (grades)

    @property
    def measure_rows(self) -> tuple[tuple[MeasureRef, str], ...]:
        return tuple(zip(self.measures, self.measure_timing, strict=True))

    @property
    def trend_texts(self) -> tuple[tuple[str, str], ...]:
        """The linear trend in words for the kommun and for the district the reader chose."""
        texts = []
        if self.kommun is not None and self.kommun.trend_text:
            texts.append((_("Kommunen"), self.kommun.trend_text))
        if self.area is not None:
            chosen = next((r.cell for r in self.rows if r.area.code == self.area.code), None)
            if chosen is not None and chosen.trend_text:
                texts.append((self.area.name, chosen.trend_text))
        return tuple(texts)


def area_rows(
    meta: IndicatorMeta,
    *,
    cells: Sequence[PublicCell],
    previous_cells: Sequence[PublicCell],
    previous: WaveRef | None,
    areas: dict[str, AreaInfo],
) -> tuple[PublicCell | None, list[AreaRow]]:
    """The kommun's cell and one row per district, highest share first, from one
    indicator's cells (one geography, one breakdown) in this wave and the previous one."""
    before = {c.area: c for c in previous_cells} if previous else {}
    kommun = next((c for c in cells if c.area == KOMMUN_AREA), None)
    rows = [
        AreaRow(
            area=areas[c.area],
            cell=c,
            verdict=compare_to_kommun(c, kommun, meta.higher_is_better),
            change=change_since(c, before.get(c.area), previous, meta.higher_is_better)
            if previous
            else None,
        )
        for c in cells
        if c.area in areas
    ]
    rows.sort(
        key=lambda r: (r.cell.share_pct is None, -(r.cell.share_pct or 0), swedish(r.area.name))
    )
    return kommun, rows


def bars(rows: Iterable[AreaRow]) -> list[chart_model.Bar]:
    bars = []
    for r in rows:
        previous = None
        if r.change is not None and r.change.change_pp is not None and r.cell.share_pct is not None:
            previous = r.cell.share_pct - r.change.change_pp
        label = r.area.name + (" *" if r.area.police_area else "")
        bars.append(
            chart_model.Bar(
                key=r.area.code,
                label=label,
                share=r.cell.share_pct if r.cell.shown else None,
                ci_low=r.cell.ci_low_pct if r.cell.shown else None,
                ci_high=r.cell.ci_high_pct if r.cell.shown else None,
                text=r.cell.text + (" " + _("(osäker)") if r.cell.unstable else ""),
                verdict=r.verdict,
                n_text=r.cell.n_text,
                marker=previous,
            )
        )
    return bars


def build(
    scope: Scope,
    meta: IndicatorMeta,
    *,
    history: Sequence[WaveRef],
    previous: WaveRef | None,
    cells: Sequence[PublicCell],
    previous_cells: Sequence[PublicCell],
    trend_cells: Mapping[int, Sequence[PublicCell]],
    questions: tuple[QuestionText, ...],
    breakdown: str,
    geography: str,
    area: str | None,
) -> IndicatorPage:
    """The indicator page from its cells in this wave and the previous one, and the
    kommun's (and the chosen district's) cells per published wave for the trend."""
    wave, areas = scope.wave, scope.areas
    kommun, rows = area_rows(
        meta, cells=cells, previous_cells=previous_cells, previous=previous, areas=areas
    )
    # A breakdown published for the whole kommun only (the grades): no district to compare.
    if kommun_only(breakdown):
        rows = []
    bar_list = bars(rows)
    reference = kommun.share_pct if kommun and kommun.shown else None
    kommun_label = _("Kommunen")
    figure = charts.bar_chart(
        bar_list,
        reference=reference,
        reference_label=kommun_label,
        previous_label=previous.name if previous else "",
    )
    summary = charts.bar_summary(bar_list, reference=reference, reference_label=kommun_label)
    chosen = areas.get(area or "")
    # Oldest start first, numbered as on the trend chart ("Åtgärd 1", …).
    targeting = tuple(
        sorted(measures.for_indicator(scope.measures, meta.code), key=lambda m: m.started_on)
    )
    trend = _trend(history, trend_cells, area=chosen, targeting=targeting)
    spans = [(w.name, w.opens_on, w.closes_on) for w in history if w.opens_on and w.closes_on]
    return IndicatorPage(
        wave=wave,
        previous=previous,
        meta=meta,
        breakdown=breakdown,
        breakdown_label=breakdown_label(breakdown),
        geography=geography,
        kommun=kommun,
        rows=tuple(rows),
        figure=figure,
        summary=summary,
        trend=trend,
        questions=questions,
        area=chosen,
        measures=targeting,
        measure_timing=tuple(measures.start_timing(m.started_on, spans) for m in targeting),
        kommun_only=kommun_only(breakdown),
    )


def _trend(
    history: Sequence[WaveRef],
    trend_cells: Mapping[int, Sequence[PublicCell]],
    *,
    area: AreaInfo | None,
    targeting: Sequence[MeasureRef] = (),
) -> TrendView:
    published = list(history)
    cells = {(c.area, w.id): c for w in published for c in trend_cells.get(w.id, ())}
    names = tuple(w.name for w in published)
    series_rows = []
    series = []
    for code, name, dash, colour in (
        (KOMMUN_AREA, _("Kommunen"), "solid", chart_model.SERIES_COLOURS[0]),
        *(
            (area.code, area.name, "dash", chart_model.SERIES_COLOURS[1])
            for area in ([area] if area else [])
        ),
    ):
        per_wave = tuple(cells.get((code, w.id)) for w in published)
        series_rows.append((name, per_wave))
        series.append(
            charts.Series(
                name=name,
                dash=dash,
                colour=colour,
                points=tuple(
                    charts.Point(
                        label=w.name,
                        share=c.share_pct if c and c.shown else None,
                        ci_low=c.ci_low_pct if c and c.shown else None,
                        ci_high=c.ci_high_pct if c and c.shown else None,
                        text=c.text if c else "–",
                    )
                    for w, c in zip(published, per_wave, strict=True)
                ),
            )
        )
    with_data = sum(1 for w in published if (KOMMUN_AREA, w.id) in cells)
    if with_data < 3:
        reason = _(
            "Trender visas först när indikatorn finns i minst tre publicerade omgångar; "
            "hittills finns den i %(count)s. Med färre omgångar går det inte att skilja "
            "en verklig förändring från slumpmässig variation mellan omgångarna."
        ) % {"count": with_data}
        return TrendView(None, "", reason, tuple(series_rows), names)
    starts = _measure_marks(targeting, published)
    return TrendView(
        charts.trend_chart(series, measures=starts),
        charts.trend_summary(series, measures=starts),
        "",
        tuple(series_rows),
        names,
    )


def _measure_marks(
    targeting: Sequence[MeasureRef], waves: Sequence[WaveRef]
) -> list[charts.MeasureStart]:
    """Where each measure's start falls on the trend chart, oldest start first."""
    spans = [(w.opens_on, w.closes_on) for w in waves if w.opens_on and w.closes_on]
    named = [(w.name, w.opens_on, w.closes_on) for w in waves if w.opens_on and w.closes_on]
    if len(spans) != len(waves):
        return []
    result = []
    for number, measure in enumerate(sorted(targeting, key=lambda m: m.started_on), 1):
        position = measures.start_position(measure.started_on, spans)
        if position is None:
            continue
        result.append(
            charts.MeasureStart(
                number=number,
                title=measure.title,
                position=position,
                started=formats.date_format(measure.started_on, "j F Y"),
                timing=measures.start_timing(measure.started_on, named),
            )
        )
    return result
