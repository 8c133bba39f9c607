"""The overview page: every indicator's kommun value, change and standing-out districts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lagesbild import measures
from lagesbild.catalogue import GROUPS
from lagesbild.collation import swedish
from lagesbild.marks import Verdict
from lagesbild.models import KOMMUN_AREA
from lagesbild.public import (
    AreaInfo,
    IndicatorMeta,
    PublicCell,
    Scope,
    WaveRef,
    all_indicator_metas,
    breakdown_label,
    cell_key,
    group_name,
    kommun_only,
)
from lagesbild.verdicts import Change, change_since, compare_to_kommun


@dataclass(frozen=True)
class OverviewRow:
    meta: IndicatorMeta
    kommun: PublicCell | None
    change: Change | None
    worse: tuple[AreaInfo, ...]
    better: tuple[AreaInfo, ...]
    area_cell: PublicCell | None = None  # the district the reader chose, beside the kommun
    area_verdict: Verdict = "none"
    measures: int = 0  # measures of the åtgärdsplan that target this indicator


@dataclass(frozen=True)
class OverviewGroup:
    key: str
    name: str
    rows: tuple[OverviewRow, ...]


@dataclass(frozen=True)
class Overview:
    wave: WaveRef
    previous: WaveRef | None
    groups: tuple[OverviewGroup, ...]
    empty: bool
    breakdown: str = "total"
    breakdown_label: str = ""
    geography: str = ""  # "" = each indicator's own geography
    area: AreaInfo | None = None

    @property
    def kommun_only(self) -> bool:
        """A breakdown published for the whole kommun only (the grades): no district
        stands out because none is shown."""
        return kommun_only(self.breakdown)


def build(
    scope: Scope,
    *,
    previous: WaveRef | None,
    cells: Sequence[PublicCell],
    previous_cells: Sequence[PublicCell],
    breakdown: str,
    geography: str,
    area: str | None,
) -> Overview:
    """The overview from the wave's cells of one breakdown and the previous wave's kommun
    cells of the same breakdown."""
    wave, areas = scope.wave, scope.areas
    chosen = areas.get(area or "")
    metas = all_indicator_metas()
    geo = {m.code: geography or m.geography for m in metas}
    planned = measures.counts_by_indicator(scope.measures)
    kommun = {
        cell_key(c): c
        for c in cells
        if c.area == KOMMUN_AREA and c.geography == geo.get(c.indicator)
    }
    before = {cell_key(c): c for c in previous_cells if c.geography == geo.get(c.indicator)}
    by_key: dict[tuple[str, str], list[PublicCell]] = {}
    for c in cells:
        if c.area != KOMMUN_AREA and c.area in areas and c.geography == geo.get(c.indicator):
            by_key.setdefault(cell_key(c), []).append(c)
    groups: dict[str, list[OverviewRow]] = {}
    for meta in metas:
        key = (meta.code, meta.place)
        k = kommun.get(key)
        verdicts = [
            (compare_to_kommun(c, k, meta.higher_is_better), areas[c.area], c)
            for c in by_key.get(key, [])
        ]
        by_name = sorted(verdicts, key=lambda x: swedish(x[1].name))
        mine = next((x for x in verdicts if chosen and x[1].code == chosen.code), None)
        row = OverviewRow(
            meta=meta,
            kommun=k,
            change=change_since(k, before.get(key), previous, meta.higher_is_better)
            if previous
            else None,
            worse=tuple(a for v, a, _c in by_name if v == "worse"),
            better=tuple(a for v, a, _c in by_name if v == "better"),
            area_cell=mine[2] if mine else None,
            area_verdict=mine[0] if mine else "none",
            measures=planned.get(meta.code, 0),
        )
        groups.setdefault(meta.group, []).append(row)
    ordered = tuple(
        OverviewGroup(key=g, name=group_name(g), rows=tuple(groups[g]))
        for g in GROUPS
        if g in groups
    )
    return Overview(
        wave=wave,
        previous=previous,
        groups=ordered,
        empty=not cells,
        breakdown=breakdown,
        breakdown_label=breakdown_label(breakdown),
        geography=geography,
        area=chosen,
    )


# --------------------------------------------------------------------------- indicator
