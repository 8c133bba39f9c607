"""From aggregated counts to disclosure-controlled cells (pure Python, no ORM).

`specs_from_catalogue` turns catalogue rules into what the SQL pass counts;
`build_cube` lays the counts out on the full grid of cells (every indicator cell key ×
area present × breakdown value, zero where nobody answered); `cube_groups` names the
sibling groups for complementary suppression; `protect_cube` applies the rules of
`lagesbild.estimation` to it all.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .catalogue import AnyOfRule, Catalogue, PlacesRule, SimpleRule
from .estimation import Cell, Group, protect

GENDERS: tuple[str, ...] = ("1", "2", "3")  # KON codes: girl, boy, other / won't say
GRADE_BANDS: tuple[str, ...] = ("AK79", "GY")  # grades 7–9 and 10–12
KOMMUN = "KOMMUN"  # area code of the whole municipality (lagesbild.models.KOMMUN_AREA)
BREAKDOWNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("total", ("",)),
    ("gender", GENDERS),
    ("grade_band", GRADE_BANDS),
)


@dataclass(frozen=True)
class Simple:
    """One question: valid when its code is in ``valid``, yes when in ``yes``."""

    question: str
    valid: frozenset[str]
    yes: frozenset[str]


@dataclass(frozen=True)
class AnyOf:
    """Derived: yes when any component is yes; valid when any is yes or all are valid."""

    components: tuple[Simple, ...]


@dataclass(frozen=True)
class Place:
    """One place of a multiple-choice question: valid when any known option was chosen."""

    question: str
    options: frozenset[str]
    place: str


@dataclass(frozen=True)
class CellSpec:
    """What the SQL pass counts for one cell key of the catalogue."""

    key: str  # "EXP02", or "TRY07:3" for a place
    geography: str  # "home" or "school"
    rule: Simple | AnyOf | Place


@dataclass(frozen=True)
class AreaCounts:
    """One row of the SQL pass: (n, yes) of every cell key for one area and breakdown."""

    geography: str
    area: str  # district code or KOMMUN
    breakdown: str
    breakdown_value: str
    counts: Mapping[str, tuple[int, int]]  # cell key -> (n, yes)


# indicator, place, geography, area, breakdown, breakdown value: the natural key of a cell
# within a wave (IndicatorCell's unique constraint without the wave).
CellKey = tuple[str, str, str, str, str, str]


def _simple(rule: SimpleRule) -> Simple:
    return Simple(rule.question, rule.valid_codes, rule.yes_codes)


def specs_from_catalogue(catalogue: Catalogue) -> list[CellSpec]:
    specs: list[CellSpec] = []
    for indicator in catalogue.indicators:
        rule = indicator.rule
        if isinstance(rule, SimpleRule):
            specs.append(CellSpec(indicator.code, indicator.geography, _simple(rule)))
        elif isinstance(rule, AnyOfRule):
            parts = tuple(_simple(c) for c in rule.components)
            specs.append(CellSpec(indicator.code, indicator.geography, AnyOf(parts)))
        elif isinstance(rule, PlacesRule):
            for place in rule.place_codes:
                specs.append(
                    CellSpec(
                        f"{indicator.code}:{place}",
                        indicator.geography,
                        Place(rule.question, frozenset(rule.options), place),
                    )
                )
    return specs


def split_key(cell_key: str) -> tuple[str, str]:
    """ "TRY07:3" -> ("TRY07", "3"); "EXP02" -> ("EXP02", "")."""
    indicator, _, place = cell_key.partition(":")
    return indicator, place


def build_cube(
    counts: Iterable[AreaCounts], specs: Iterable[CellSpec]
) -> dict[CellKey, tuple[int, int]]:
    """(n, yes) for the full grid: for each cell key, every area of its geography that
    has at least one sheet (and the kommun) × every breakdown value, 0 where missing."""
    by_row = {(r.geography, r.area, r.breakdown, r.breakdown_value): r.counts for r in counts}
    areas: dict[str, set[str]] = {"home": {KOMMUN}, "school": {KOMMUN}}
    for geography, area, breakdown, _value in by_row:
        if breakdown == "total":
            areas[geography].add(area)
    cube: dict[CellKey, tuple[int, int]] = {}
    for spec in specs:
        indicator, place = split_key(spec.key)
        for area in sorted(areas[spec.geography]):
            for breakdown, values in BREAKDOWNS:
                for value in values:
                    row = by_row.get((spec.geography, area, breakdown, value), {})
                    key = (indicator, place, spec.geography, area, breakdown, value)
                    cube[key] = row.get(spec.key, (0, 0))
    return cube


def cube_groups(keys: Iterable[CellKey]) -> list[Group[CellKey]]:
    """Sibling groups, one breakdown at a time: the breakdown values of an area under the
    area's total, and the districts under the kommun for each breakdown value."""
    key_set = set(keys)
    groups: list[Group[CellKey]] = []
    districts: dict[tuple[str, str, str, str, str], list[CellKey]] = {}
    for key in sorted(key_set):
        indicator, place, geography, area, breakdown, value = key
        if area != KOMMUN:
            districts.setdefault((indicator, place, geography, breakdown, value), []).append(key)
        if breakdown != "total":
            continue
        for sub, values in BREAKDOWNS[1:]:
            members = tuple(
                k for v in values if (k := (indicator, place, geography, area, sub, v)) in key_set
            )
            if members:
                groups.append(Group(total=key, members=members))
    for (indicator, place, geography, breakdown, value), siblings in districts.items():
        total = (indicator, place, geography, KOMMUN, breakdown, value)
        if total in key_set:
            groups.append(Group(total=total, members=tuple(siblings)))
    return groups


def protect_cube(
    cube: Mapping[CellKey, tuple[int, int]], catalogue: Catalogue
) -> dict[CellKey, Cell]:
    """Public values of every cell, with complementary suppression over all groups."""
    return protect(cube, cube_groups(cube), catalogue.rule_params)
