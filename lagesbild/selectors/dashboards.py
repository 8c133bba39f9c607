"""The dashboards' pages, read and cached: each reads its cells and hands them to a builder.

The builders are pure (`lagesbild.pages`); here is what each page reads from the database
and the key it is cached under (`lagesbild.cache`, versioned by the request's scope).
"""

from __future__ import annotations

from surveys.models import District

from .. import cache as dash_cache
from .. import measures
from ..catalogue import load_catalogue
from ..geojson import Ring, map_rings
from ..measures import MeasureRef
from ..models import KOMMUN_AREA, Breakdown, IndicatorCell
from ..pages import district as district_page
from ..pages import indicator as indicator_builder
from ..pages import map as map_builder
from ..pages import measure_histories as histories_builder
from ..pages import overview as overview_builder
from ..pages.district import DistrictProfile
from ..pages.indicator import IndicatorPage
from ..pages.map import MapPage
from ..pages.measure_histories import MeasureHistory
from ..pages.overview import Overview
from ..public import (
    BREAKDOWNS,
    AreaInfo,
    IndicatorMeta,
    PublicCell,
    Scope,
    WaveRef,
    breakdown_label,
    lang,
    previous_wave,
)
from ..wording import QuestionText, question_texts
from .waves import published_history, wave_cells

# --------------------------------------------------------------------------- overview


def overview(
    scope: Scope, *, breakdown: str = "total", geography: str = "", area: str | None = None
) -> Overview:
    """Every indicator's kommun value, change and standing-out districts (cached), for one
    breakdown, optionally in one geography for all and with one district beside the
    kommun: the same filters as the indicator page."""
    args = (scope.wave.id, breakdown, geography, area or "")
    return dash_cache.cached(
        scope.version,
        "overview",
        args,
        lambda: _overview(scope, breakdown=breakdown, geography=geography, area=area),
    )


def _overview(scope: Scope, *, breakdown: str, geography: str, area: str | None) -> Overview:
    history = published_history(scope.wave)
    previous = previous_wave(scope.wave, history)
    kind, value = BREAKDOWNS[breakdown]
    cells = wave_cells(scope.wave, breakdown=kind, breakdown_value=value)
    previous_cells = (
        wave_cells(previous, breakdown=kind, breakdown_value=value, area=KOMMUN_AREA)
        if previous
        else []
    )
    return overview_builder.build(
        scope,
        previous=previous,
        cells=cells,
        previous_cells=previous_cells,
        breakdown=breakdown,
        geography=geography,
        area=area,
    )


# --------------------------------------------------------------------------- indicator


def indicator_page(
    scope: Scope,
    meta: IndicatorMeta,
    *,
    breakdown: str,
    geography: str,
    area: str | None,
) -> IndicatorPage:
    args = (scope.wave.id, meta.code, meta.place, breakdown, geography, area or "")
    return dash_cache.cached(
        scope.version,
        "indicator",
        args,
        lambda: _indicator_page(scope, meta, breakdown=breakdown, geography=geography, area=area),
    )


def _indicator_cells(
    wave: WaveRef, previous: WaveRef | None, meta: IndicatorMeta, *, breakdown: str, geography: str
) -> tuple[list[PublicCell], list[PublicCell]]:
    """One indicator's cells (one geography, one breakdown) in a wave and the previous one."""
    kind, value = BREAKDOWNS[breakdown]
    filters = {
        "indicator": meta.code,
        "place": meta.place,
        "geography": geography,
        "breakdown": kind,
        "breakdown_value": value,
    }
    cells = wave_cells(wave, **filters)
    return cells, wave_cells(previous, **filters) if previous else []


def _indicator_page(
    scope: Scope,
    meta: IndicatorMeta,
    *,
    breakdown: str,
    geography: str,
    area: str | None,
) -> IndicatorPage:
    wave = scope.wave
    history = published_history(wave)
    previous = previous_wave(wave, history)
    cells, previous_cells = _indicator_cells(
        wave, previous, meta, breakdown=breakdown, geography=geography
    )
    chosen = scope.areas.get(area or "")
    kind, value = BREAKDOWNS[breakdown]
    wanted = [KOMMUN_AREA] + ([chosen.code] if chosen else [])
    trend_cells = {
        w.id: wave_cells(
            w,
            indicator=meta.code,
            place=meta.place,
            geography=geography,
            breakdown=kind,
            breakdown_value=value,
            area__in=wanted,
        )
        for w in history
    }
    return indicator_builder.build(
        scope,
        meta,
        history=history,
        previous=previous,
        cells=cells,
        previous_cells=previous_cells,
        trend_cells=trend_cells,
        questions=_questions(wave, meta),
        breakdown=breakdown,
        geography=geography,
        area=area,
    )


def _questions(wave: WaveRef, meta: IndicatorMeta) -> tuple[QuestionText, ...]:
    indicator = load_catalogue()[meta.code]
    return question_texts(wave.id, indicator, lang())


# --------------------------------------------------------------------------- district


def find_area(scope: Scope, code: str) -> AreaInfo | None:
    return scope.areas.get(code.upper())


def area_choices(scope: Scope) -> tuple[AreaInfo, ...]:
    return tuple(scope.areas.values())


def breakdown_choices(scope: Scope) -> tuple[tuple[str, str], ...]:
    """The breakdowns the wave has cells of, as (URL value, label), for the pills: a wave
    published before grades were counted offers no grade (cached)."""

    def kinds() -> frozenset[str]:
        rows = IndicatorCell.objects.published().filter(wave_id=scope.wave.id, area=KOMMUN_AREA)
        return frozenset(rows.order_by().values_list("breakdown", flat=True).distinct())

    present = dash_cache.cached(scope.version, "breakdowns", (scope.wave.id,), kinds)
    return tuple(
        (key, breakdown_label(key))
        for key, (kind, _value) in BREAKDOWNS.items()
        if kind in present or kind == Breakdown.TOTAL
    )


def district_profile(scope: Scope, area: AreaInfo, *, breakdown: str) -> DistrictProfile:
    return dash_cache.cached(
        scope.version,
        "district",
        (scope.wave.id, area.code, breakdown),
        lambda: _district_profile(
            scope.wave, area, breakdown=breakdown, plan=measures.for_area(scope.measures, area.code)
        ),
    )


def _district_profile(
    wave: WaveRef, area: AreaInfo, *, breakdown: str, plan: tuple[MeasureRef, ...] = ()
) -> DistrictProfile:
    history = published_history(wave)
    kind, value = BREAKDOWNS[breakdown]
    filters = {"breakdown": kind, "breakdown_value": value, "area__in": [area.code, KOMMUN_AREA]}
    waves = list(history)
    if all(w.id != wave.id for w in waves):
        waves.append(wave)
    return district_page.build(
        wave,
        area,
        history=history,
        previous=previous_wave(wave, history),
        cells_by_wave={w.id: wave_cells(w, **filters) for w in waves},
        breakdown=breakdown,
        plan=plan,
    )


# --------------------------------------------------------------------------- map


def _rings(municipality_id: int) -> dict[str, tuple[Ring, ...]]:
    """Simplified boundaries, shared by every indicator's map (cached on their own)."""
    geometries = District.objects.filter(
        municipality_id=municipality_id, geometry__isnull=False
    ).values_list("code", "geometry")
    return map_rings({code: g for code, g in geometries if g})


def map_page(scope: Scope, meta: IndicatorMeta, *, breakdown: str) -> MapPage:
    return dash_cache.cached(
        scope.version,
        "map",
        (scope.wave.id, meta.code, meta.place, breakdown),
        lambda: _map_page(scope, meta, breakdown=breakdown),
    )


def _map_page(scope: Scope, meta: IndicatorMeta, *, breakdown: str) -> MapPage:
    wave, areas = scope.wave, scope.areas
    history = published_history(wave)
    previous = previous_wave(wave, history)
    cells, previous_cells = _indicator_cells(
        wave, previous, meta, breakdown=breakdown, geography=meta.geography
    )
    # Boundaries do not change with a publication: their key holds only the districts
    # (and the import's generation, which `cached` adds).
    rings = dash_cache.cached(
        dash_cache.version_of([], list(areas.values())),
        "rings",
        (wave.municipality_id,),
        lambda: _rings(wave.municipality_id),
    )
    return map_builder.build(
        scope,
        meta,
        previous=previous,
        cells=cells,
        previous_cells=previous_cells,
        rings=rings,
        breakdown=breakdown,
    )


# --------------------------------------------------------------------------- åtgärdsplan


def measure_histories(scope: Scope, *, area: str | None = None) -> tuple[MeasureHistory, ...]:
    """The measures of the scope's kommun (those that target ``area`` when given) with
    their indicators' published values across the published waves (cached), oldest start
    first. Measures that name no indicator of the catalogue are left out."""
    return dash_cache.cached(
        scope.version,
        "measure-histories",
        (scope.wave.id, area or ""),
        lambda: _measure_histories(scope, area=area),
    )


def _measure_histories(scope: Scope, *, area: str | None) -> tuple[MeasureHistory, ...]:
    plan = histories_builder.plan_of(scope, area=area)
    if not plan:
        return ()
    history = published_history(scope.wave)
    codes, wanted = histories_builder.wanted(plan)
    cells_by_wave = {
        w.id: wave_cells(
            w,
            indicator__in=codes,
            area__in=wanted,
            breakdown=Breakdown.TOTAL,
            breakdown_value="",
        )
        for w in history
    }
    return histories_builder.build(plan, history=history, cells_by_wave=cells_by_wave)
