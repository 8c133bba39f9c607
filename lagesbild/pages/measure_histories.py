"""The åtgärdsplan's measures, each with its indicators' published values across waves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from lagesbild import measures
from lagesbild.catalogue import load_catalogue
from lagesbild.measures import MeasureRef
from lagesbild.models import KOMMUN_AREA
from lagesbild.public import IndicatorMeta, PublicCell, Scope, WaveRef, all_indicator_metas


@dataclass(frozen=True)
class MeasureTable:
    """One targeted indicator's published values across waves: the kommun, then the
    measure's districts (public cells only; None where a wave has no such cell)."""

    meta: IndicatorMeta
    rows: tuple[tuple[str, tuple[PublicCell | None, ...]], ...]  # (area name, per wave)


@dataclass(frozen=True)
class MeasureHistory:
    measure: MeasureRef
    timing: str  # the start against the waves, in words
    position: float | None  # the start on the waves' axis (waves at 0, 1, …)
    waves: tuple[str, ...]  # the kommun's published waves up to the scope's, oldest first
    tables: tuple[MeasureTable, ...]


def plan_of(scope: Scope, *, area: str | None) -> tuple[MeasureRef, ...]:
    """The scope's measures (those that target ``area`` when given) that name an indicator
    of the catalogue, oldest start first."""
    plan = scope.measures if area is None else measures.for_area(scope.measures, area)
    catalogue = load_catalogue()
    return tuple(
        sorted(
            (m for m in plan if any(c in catalogue.codes for c in m.indicators)),
            key=lambda m: (m.started_on, m.title),
        )
    )


def wanted(plan: Sequence[MeasureRef]) -> tuple[list[str], list[str]]:
    """The indicator codes and the area codes (the kommun and the measures' districts)
    whose cells ``build`` reads."""
    codes = sorted({c for m in plan for c in m.indicators if c in load_catalogue().codes})
    areas = sorted({KOMMUN_AREA} | {code for m in plan for code, _name in m.districts})
    return codes, areas


def build(
    plan: Sequence[MeasureRef],
    *,
    history: Sequence[WaveRef],
    cells_by_wave: Mapping[int, Sequence[PublicCell]],
) -> tuple[MeasureHistory, ...]:
    """Each measure of ``plan`` with its indicators' cells (total breakdown) per published
    wave in ``history`` (``cells_by_wave``: wave id -> cells)."""
    codes, _areas = wanted(plan)
    metas = [m for m in all_indicator_metas() if m.code in codes]
    geo = {m.code: m.geography for m in metas}
    cells = {
        (w.id, c.indicator, c.place, c.area): c
        for w in history
        for c in cells_by_wave.get(w.id, ())
        if c.geography == geo.get(c.indicator)
    }
    named = [(w.name, w.opens_on, w.closes_on) for w in history if w.opens_on and w.closes_on]
    spans = [(opens, closes) for _name, opens, closes in named]
    result = []
    for measure in plan:
        areas = [(KOMMUN_AREA, _("Kommunen")), *measure.districts]
        tables = tuple(
            MeasureTable(
                meta=meta,
                rows=tuple(
                    (
                        name,
                        tuple(cells.get((w.id, meta.code, meta.place, code)) for w in history),
                    )
                    for code, name in areas
                ),
            )
            for code in dict.fromkeys(measure.indicators)
            for meta in metas
            if meta.code == code
        )
        result.append(
            MeasureHistory(
                measure=measure,
                timing=measures.start_timing(measure.started_on, named),
                position=measures.start_position(measure.started_on, spans),
                waves=tuple(w.name for w in history),
                tables=tables,
            )
        )
    return tuple(result)
