"""The map page: one indicator's share per district on the districts' boundaries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from lagesbild import charts
from lagesbild.geojson import Ring
from lagesbild.models import CellState
from lagesbild.public import AreaInfo, IndicatorMeta, PublicCell, Scope, WaveRef, breakdown_label

from .indicator import AreaRow, area_rows, bars


@dataclass(frozen=True)
class MapPage:
    wave: WaveRef
    meta: IndicatorMeta
    breakdown: str
    breakdown_label: str
    rows: tuple[AreaRow, ...]
    kommun: PublicCell | None
    figure: dict[str, Any] | None
    summary: str
    legend: tuple[tuple[int, str], ...] = ()  # (colour class, share range)
    hidden: tuple[tuple[str, str], ...] = ()  # (district, why its value is not shown)
    missing_shapes: tuple[AreaInfo, ...] = field(default=())


def build(
    scope: Scope,
    meta: IndicatorMeta,
    *,
    previous: WaveRef | None,
    cells: Sequence[PublicCell],
    previous_cells: Sequence[PublicCell],
    rings: Mapping[str, tuple[Ring, ...]],
    breakdown: str,
) -> MapPage:
    """The map page from one indicator's cells (its own geography) in this wave and the
    previous one, and the districts' simplified boundaries."""
    wave, areas = scope.wave, scope.areas
    kommun, rows = area_rows(
        meta, cells=cells, previous_cells=previous_cells, previous=previous, areas=areas
    )
    by_code = {r.area.code: r for r in rows}
    shapes = []
    for code, area_rings in sorted(rings.items()):
        row = by_code.get(code)
        info = areas[code]
        if row is None:
            text, share, hover = "–", None, f"{info.name}: " + _("ingen data")
        else:
            cell = row.cell
            share = cell.share_pct if cell.shown else None
            text = cell.text
            extra = cell.reason_text if not cell.shown and cell.reason else ""
            if not cell.shown and cell.state != CellState.BOUND and not extra:
                extra = _("visas inte")
            hover = f"{info.name}: {text}" + (f" ({extra})" if extra else "")
        shapes.append(
            charts.MapArea(label=info.name, rings=area_rings, share=share, text=text, hover=hover)
        )
    figure = charts.map_chart(shapes, higher_is_better=meta.higher_is_better) if shapes else None
    legend = charts.map_legend(
        [s.share for s in shapes if s.share is not None], higher_is_better=meta.higher_is_better
    )
    hidden = tuple(
        (
            r.area.name,
            f"{r.cell.text}, {r.cell.reason_text}" if r.cell.bound else r.cell.reason_text,
        )
        for r in rows
        if not r.cell.shown and r.area.has_geometry
    )
    reference = kommun.share_pct if kommun and kommun.shown else None
    summary = charts.bar_summary(bars(rows), reference=reference, reference_label=_("Kommunen"))
    return MapPage(
        wave=wave,
        meta=meta,
        breakdown=breakdown,
        breakdown_label=breakdown_label(breakdown),
        rows=tuple(rows),
        kommun=kommun,
        figure=figure,
        summary=summary,
        legend=tuple(legend),
        hidden=hidden,
        missing_shapes=tuple(a for a in areas.values() if not a.has_geometry),
    )


# --------------------------------------------------------------------------- åtgärdsplan
