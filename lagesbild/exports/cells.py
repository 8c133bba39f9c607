"""The cells an export holds, read ONLY through the dashboards' selectors.

The exports must show exactly what the dashboards show and never more, so they reuse the
dashboards' reads (`lagesbild.selectors`), which select public fields only. Exports are
of published waves: an unpublished wave's cells are never written to a file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from django.utils import translation

from lagesbild import public, selectors
from lagesbild.catalogue import PlacesRule, load_catalogue
from lagesbild.models import KOMMUN_AREA, CellState, Geography
from lagesbild.params import code_param
from surveys.models import Municipality

from .formats import ExportRow, Names, export_row


class ExportFilterError(ValueError):
    """A filter names something that does not exist (answered with 404)."""


@dataclass(frozen=True)
class ExportFilters:
    """The dashboard URL filters: empty means "all". ``kommun`` (an SCB code) picks the
    wave among that kommun's: a wave's slug is unique only within its kommun."""

    wave: str = ""
    indicator: str = ""
    place: str = ""
    geography: str = ""
    breakdown: str = ""
    area: str = ""
    kommun: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> ExportFilters:
        return cls(
            wave=code_param(query, "wave"),
            indicator=code_param(query, "indicator").upper(),
            place=code_param(query, "place"),
            geography=code_param(query, "geography"),
            breakdown=code_param(query, "breakdown"),
            area=(code_param(query, "area") or code_param(query, "district")).upper(),
        )

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}

    def query(self) -> str:
        return urlencode(self.as_dict())

    def describe(self) -> list[tuple[str, str]]:
        """The filters in words, for the method notes."""
        return [
            ("Indikator", self.indicator or "alla"),
            ("Plats", self.place or ("alla" if self.indicator in ("", "TRY07") else "–")),
            ("Geografi", self.geography or "båda"),
            ("Uppdelning", self.breakdown or "alla"),
            ("Område", self.area or "alla"),
        ]


@dataclass(frozen=True)
class ExportScope:
    """A resolved, validated export: the wave and the selector filters."""

    wave: public.WaveRef
    filters: ExportFilters
    cell_filters: dict[str, object]


def _kommun_id(filters: ExportFilters) -> int:
    """The kommun of an export asked without a page's kommun (the command line): the one
    ``filters.kommun`` names, else the one kommun whose published wave has the slug."""
    if filters.kommun:
        kommun = Municipality.objects.filter(code=filters.kommun).first()
        if kommun is None:
            raise ExportFilterError(f"no kommun {filters.kommun!r}")
        return kommun.pk
    owners = selectors.published_wave_kommuner(filters.wave)
    if len(owners) > 1:
        codes = Municipality.objects.filter(pk__in=owners).order_by("code")
        raise ExportFilterError(
            f"wave {filters.wave!r} is published by several kommuner "
            f"({', '.join(codes.values_list('code', flat=True))}): name the kommun"
        )
    if not owners:
        raise ExportFilterError("no such published wave")
    return owners[0]


def resolve(filters: ExportFilters, *, municipality_id: int | None = None) -> ExportScope:
    """Validate ``filters`` against one kommun's published waves and the catalogue.

    ``municipality_id``: the kommun of the page the export was asked from; without it (the
    command line) the kommun is ``filters.kommun`` or the one whose published wave the slug
    names.
    """
    if municipality_id is None:
        municipality_id = _kommun_id(filters)
    wave = selectors.resolve_wave(filters.wave or None, municipality_id=municipality_id)
    if wave is None or (filters.wave and wave.slug != filters.wave):
        raise ExportFilterError("no such published wave")
    filters = ExportFilters(**{**vars(filters), "wave": wave.slug})
    cell_filters: dict[str, object] = {}
    if filters.indicator:
        indicator = load_catalogue().get(filters.indicator)
        if indicator is None:
            raise ExportFilterError("no such indicator")
        cell_filters["indicator"] = indicator.code
        if filters.place:
            if not isinstance(indicator.rule, PlacesRule) or filters.place not in (
                indicator.rule.place_codes
            ):
                raise ExportFilterError("no such place")
            cell_filters["place"] = filters.place
    elif filters.place:
        raise ExportFilterError("a place needs its indicator")
    if filters.geography:
        if filters.geography not in Geography.values:
            raise ExportFilterError("no such geography")
        cell_filters["geography"] = filters.geography
    if filters.breakdown:
        if filters.breakdown not in public.BREAKDOWNS:
            raise ExportFilterError("no such breakdown")
        kind, value = public.BREAKDOWNS[filters.breakdown]
        cell_filters["breakdown"] = kind
        cell_filters["breakdown_value"] = value
    if filters.area:
        if (
            filters.area != KOMMUN_AREA
            and selectors.find_area(selectors.scope_of(wave), filters.area) is None
        ):
            raise ExportFilterError("no such district")
        # A district's rows come with the kommun's, as on the district profile.
        cell_filters["area__in"] = sorted({filters.area, KOMMUN_AREA})
    return ExportScope(wave=wave, filters=filters, cell_filters=cell_filters)


def names(scope: ExportScope) -> Names:
    """Swedish names for every code of the wave's cells."""
    with translation.override("sv"):
        catalogue = load_catalogue()
        places = {
            (i.code, cell.code): cell.name.sv
            for i in catalogue.indicators
            if isinstance(i.rule, PlacesRule)
            for cell in i.rule.cells
        }
        breakdowns = {value: public.breakdown_label(key) for key, value in _breakdowns()}
        areas = {a.code: a.name for a in selectors.area_choices(selectors.scope_of(scope.wave))}
        areas[KOMMUN_AREA] = "Kommunen"
        return Names(
            wave=scope.wave.slug,
            wave_name=scope.wave.name,
            indicators={i.code: i.name.sv for i in catalogue.indicators},
            places=places,
            areas=areas,
            geographies={str(k): str(v) for k, v in Geography.choices},
            breakdowns=breakdowns,
            states={str(k): str(v) for k, v in CellState.choices},
            reasons={key: public.reason_text(key) for key in public.REASON_CODES},
        )


def _breakdowns() -> list[tuple[str, tuple[str, str]]]:
    return [(key, (str(kind), value)) for key, (kind, value) in public.BREAKDOWNS.items()]


def _order(cell: public.PublicCell) -> tuple[int, str, str, str, int, str, str]:
    codes = load_catalogue().codes
    position = codes.index(cell.indicator) if cell.indicator in codes else len(codes)
    return (
        position,
        cell.place,
        cell.geography,
        cell.breakdown,
        0 if cell.area == KOMMUN_AREA else 1,
        cell.area,
        cell.breakdown_value,
    )


def public_cells(scope: ExportScope) -> list[public.PublicCell]:
    """The published cells of the scope, in catalogue order, kommun first."""
    # The dashboards' own read of public fields (published cells only): the exports
    # never select a cell column themselves.
    cells = selectors.wave_cells(scope.wave, **scope.cell_filters)
    return sorted(cells, key=_order)


def export_rows(scope: ExportScope) -> Iterator[ExportRow]:
    labels = names(scope)
    for cell in public_cells(scope):
        yield export_row(cell, labels)


def file_stem(scope: ExportScope) -> str:
    parts = ["lagesbild", scope.wave.slug]
    for value in (scope.filters.indicator, scope.filters.place, scope.filters.area):
        if value:
            parts.append(value.lower())
    if scope.filters.geography:
        parts.append(scope.filters.geography)
    if scope.filters.breakdown:
        parts.append(scope.filters.breakdown)
    return "-".join(parts)
