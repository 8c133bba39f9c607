"""Kommuner side by side: each kommun's latest published wave, kommun level, total.

Every number is a published, frozen kommun-level cell of that kommun's own wave, read
through `selectors.wave_cells` exactly as its own dashboards read it: a cell suppressed
there is suppressed here, and no new figure is derived (no sum or difference across
kommuner), so the comparison adds no table to any wave's disclosure audit. Which kommuner
a user sees is the access module's rule (`accounts.access.comparison_kommuner`).

The indicators are the catalogue's (the core questionnaire every kommun asks), in its
order; an indicator a kommun's wave does not have shows as missing in that column.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from surveys.models import Municipality

from . import selectors
from .models import KOMMUN_AREA
from .selectors import IndicatorMeta, PublicCell, WaveRef


@dataclass(frozen=True)
class KommunColumn:
    code: str
    name: str
    wave: WaveRef | None  # the kommun's latest published wave; None: nothing published


@dataclass(frozen=True)
class AcrossRow:
    meta: IndicatorMeta
    cells: tuple[PublicCell | None, ...]  # one per column; None: no such cell


@dataclass(frozen=True)
class AcrossGroup:
    name: str
    rows: tuple[AcrossRow, ...]


@dataclass(frozen=True)
class AcrossPage:
    columns: tuple[KommunColumn, ...]
    groups: tuple[AcrossGroup, ...]

    @property
    def comparable(self) -> bool:
        """At least two kommuner with a published wave: something to set side by side."""
        return sum(1 for c in self.columns if c.wave is not None) >= 2


def _kommun_cells(wave: WaveRef) -> dict[tuple[str, str, str], PublicCell]:
    kind, value = selectors.BREAKDOWNS["total"]
    cells = selectors.wave_cells(wave, area=KOMMUN_AREA, breakdown=kind, breakdown_value=value)
    return {(c.indicator, c.place, c.geography): c for c in cells}


def across_page(kommuner: Sequence[Municipality]) -> AcrossPage:
    """The page for `kommuner` (already filtered by the access rule), in their order."""
    columns = []
    cells: list[dict[tuple[str, str, str], PublicCell]] = []
    for kommun in kommuner:
        waves = selectors.dashboard_waves(kommun.pk)
        latest = waves[0] if waves else None
        columns.append(KommunColumn(code=kommun.code, name=kommun.name, wave=latest))
        cells.append(_kommun_cells(latest) if latest else {})
    groups: dict[str, list[AcrossRow]] = {}
    for meta in selectors.all_indicator_metas():
        key = (meta.code, meta.place, meta.geography)
        row = AcrossRow(meta=meta, cells=tuple(by_key.get(key) for by_key in cells))
        groups.setdefault(meta.group_name, []).append(row)
    return AcrossPage(
        columns=tuple(columns),
        groups=tuple(AcrossGroup(name, tuple(rows)) for name, rows in groups.items()),
    )
