"""The district profile: every indicator in one district beside the kommun."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from lagesbild import charts
from lagesbild.marks import Verdict
from lagesbild.measures import MeasureRef
from lagesbild.models import KOMMUN_AREA
from lagesbild.public import (
    AreaInfo,
    IndicatorMeta,
    PublicCell,
    WaveRef,
    all_indicator_metas,
    breakdown_label,
)
from lagesbild.verdicts import Change, change_since, compare_to_kommun


@dataclass(frozen=True)
class ProfileRow:
    meta: IndicatorMeta
    cell: PublicCell | None
    kommun: PublicCell | None
    verdict: Verdict
    change: Change | None
    history: tuple[str, ...]  # the share's text per published wave, oldest first


@dataclass(frozen=True)
class DistrictProfile:
    wave: WaveRef
    previous: WaveRef | None
    area: AreaInfo
    breakdown: str
    breakdown_label: str
    rows: tuple[ProfileRow, ...]
    figure: dict[str, Any]
    summary: str
    places: tuple[ProfileRow, ...]
    places_figure: dict[str, Any] | None
    history_waves: tuple[str, ...]
    measures: tuple[MeasureRef, ...] = ()  # of the wave's kommun, targeting this district

    @property
    def measure_codes(self) -> frozenset[str]:
        """The indicators that a measure for this district targets."""
        return frozenset(code for m in self.measures for code in m.indicators)

    @property
    def measure_indicators(self) -> tuple[tuple[MeasureRef, str], ...]:
        """Each measure with the names of the indicators it targets."""
        names = {r.meta.code: r.meta.name for r in (*self.rows, *self.places)}
        return tuple(
            (m, ", ".join(names.get(code, code) for code in dict.fromkeys(m.indicators)))
            for m in self.measures
        )


def build(
    wave: WaveRef,
    area: AreaInfo,
    *,
    history: Sequence[WaveRef],
    previous: WaveRef | None,
    cells_by_wave: Mapping[int, Sequence[PublicCell]],
    breakdown: str,
    plan: tuple[MeasureRef, ...] = (),
) -> DistrictProfile:
    """The district's profile from its and the kommun's cells of one breakdown in each
    published wave up to ``wave`` (``cells_by_wave``: wave id -> cells)."""
    metas = all_indicator_metas()
    geo = {m.code: m.geography for m in metas}
    by_wave: dict[int, dict[tuple[str, str, str], PublicCell]] = {}
    for wave_id, cells in cells_by_wave.items():
        by_wave[wave_id] = {
            (c.area, c.indicator, c.place): c for c in cells if c.geography == geo.get(c.indicator)
        }
    current = by_wave[wave.id]
    before = by_wave.get(previous.id, {}) if previous else {}
    rows: list[ProfileRow] = []
    places: list[ProfileRow] = []
    for meta in metas:
        key = (meta.code, meta.place)
        cell = current.get((area.code, *key))
        kommun = current.get((KOMMUN_AREA, *key))
        row = ProfileRow(
            meta=meta,
            cell=cell,
            kommun=kommun,
            verdict=compare_to_kommun(cell, kommun, meta.higher_is_better) if cell else "none",
            change=change_since(
                cell, before.get((area.code, *key)), previous, meta.higher_is_better
            )
            if previous
            else None,
            history=tuple(
                by_wave[w.id][(area.code, *key)].text if (area.code, *key) in by_wave[w.id] else "–"
                for w in history
            ),
        )
        (places if meta.places else rows).append(row)

    def profile_rows(items: Sequence[ProfileRow], use_place: bool) -> list[charts.ProfileRow]:
        return [
            charts.ProfileRow(
                label=r.meta.place_name if use_place else r.meta.name,
                share=r.cell.share_pct if r.cell and r.cell.shown else None,
                ci_low=r.cell.ci_low_pct if r.cell and r.cell.shown else None,
                ci_high=r.cell.ci_high_pct if r.cell and r.cell.shown else None,
                text=r.cell.text if r.cell else "–",
                verdict=r.verdict,
                reference=r.kommun.share_pct if r.kommun and r.kommun.shown else None,
                higher_is_better=r.meta.higher_is_better,
            )
            for r in items
        ]

    kommun_label = _("Kommunen")
    figure = charts.profile_chart(
        profile_rows(rows, False), area_label=area.name, reference_label=kommun_label
    )
    places_figure = (
        charts.profile_chart(
            profile_rows(places, True), area_label=area.name, reference_label=kommun_label
        )
        if places
        else None
    )
    worse = [r.meta.name for r in rows if r.verdict == "worse"]
    better = [r.meta.name for r in rows if r.verdict == "better"]
    summary = " ".join(
        part
        for part in (
            _("%(area)s jämfört med kommunen.") % {"area": area.name},
            _("Tydligt sämre: %(names)s.") % {"names": ", ".join(worse)} if worse else "",
            _("Tydligt bättre: %(names)s.") % {"names": ", ".join(better)} if better else "",
            _("Övriga indikatorer skiljer sig inte tydligt eller kan inte jämföras."),
        )
        if part
    )
    return DistrictProfile(
        wave=wave,
        previous=previous,
        area=area,
        breakdown=breakdown,
        breakdown_label=breakdown_label(breakdown),
        rows=tuple(rows),
        figure=figure,
        summary=summary,
        places=tuple(places),
        places_figure=places_figure,
        history_waves=tuple(w.name for w in history),
        measures=plan,
    )


# --------------------------------------------------------------------------- map
