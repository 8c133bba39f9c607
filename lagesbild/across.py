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

from . import cache as dash_cache
from . import public, selectors
from .models import KOMMUN_AREA
from .public import IndicatorMeta, PublicCell, WaveRef


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
    kind, value = public.BREAKDOWNS["total"]
    cells = selectors.wave_cells(wave, area=KOMMUN_AREA, breakdown=kind, breakdown_value=value)
    return {(c.indicator, c.place, c.geography): c for c in cells}


def across_page(kommuner: Sequence[Municipality]) -> AcrossPage:
    """The page for `kommuner` (already filtered by the access rule), in their order:
    cached under the version of their published waves, as the dashboards are (publishing
    or unpublishing a wave of any of them changes the key)."""
    waves = selectors.published_waves_of(k.pk for k in kommuner)
    published = [(w.id, w.published_at) for refs in waves.values() for w in refs]
    columns = tuple(
        KommunColumn(code=k.code, name=k.name, wave=waves[k.pk][0] if k.pk in waves else None)
        for k in kommuner
    )
    version = dash_cache.version_of(published, columns)
    args = tuple(k.pk for k in kommuner)
    return dash_cache.cached(version, "across", args, lambda: _across_page(columns))


def _across_page(columns: tuple[KommunColumn, ...]) -> AcrossPage:
    cells = [_kommun_cells(c.wave) if c.wave else {} for c in columns]
    groups: dict[str, list[AcrossRow]] = {}
    for meta in public.all_indicator_metas():
        key = (meta.code, meta.place, meta.geography)
        row = AcrossRow(meta=meta, cells=tuple(by_key.get(key) for by_key in cells))
        groups.setdefault(meta.group_name, []).append(row)
    return AcrossPage(
        columns=columns,
        groups=tuple(AcrossGroup(name, tuple(rows)) for name, rows in groups.items()),
    )
