"""From aggregated counts to disclosure-controlled cells (pure Python, no ORM).

`specs_from_catalogue` turns catalogue rules into what the SQL pass counts;
`build_cube` lays the counts out on the full grid of cells (every indicator cell key ×
area present × breakdown value, zero where nobody answered); `cube_groups` names the
sibling groups for complementary suppression; `protect_cube` applies the rules of
`lagesbild.disclosure` to it all.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .catalogue import AnyOfRule, Catalogue, PlacesRule, SimpleRule
from .disclosure import Cell, Group, RuleParams, cover, few_suppressed_max_n, hide, protect
from .disclosure_audit import (
    REST,
    UNPLACED_ROW,
    AuditMemory,
    AuditReport,
    AuditRules,
    Finding,
    PublishedCell,
    audit,
)

GENDERS: tuple[str, ...] = ("1", "2", "3")  # KON codes: girl, boy, other / won't say
GRADE_BANDS: tuple[str, ...] = ("AK79", "GY")  # grades 7–9 and 10–12
# School years (surveys.models.Grade; gymnasiet's years stored as 10–12), each in its band:
# a band's pupils are exactly its grades' pupils, so a grade cell is protected under its
# band cell, not under the total.
GRADES: tuple[str, ...] = ("7", "8", "9", "10", "11", "12")
BAND_OF_GRADE: dict[str, str] = {
    "7": "AK79",
    "8": "AK79",
    "9": "AK79",
    "10": "GY",
    "11": "GY",
    "12": "GY",
}
KOMMUN = "KOMMUN"  # area code of the whole municipality (lagesbild.models.KOMMUN_AREA)
BREAKDOWNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("total", ("",)),
    ("gender", GENDERS),
    ("grade_band", GRADE_BANDS),
    ("grade", GRADES),
)
# Breakdowns whose sibling groups sit under the area's total; "grade" sits under its band.
UNDER_TOTAL = ("gender", "grade_band")


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
# within a wave, in the order of `lagesbild.models.CELL_KEY_FIELDS`.
CellKey = tuple[str, str, str, str, str, str]


def key_from_row(values: Sequence[str]) -> CellKey:
    """The key of a row read in `CELL_KEY_FIELDS` order."""
    indicator, place, geography, area, breakdown, value = values
    return (indicator, place, geography, area, breakdown, value)


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


# Breakdowns every sheet has a value of (the grade comes from the class): their values add
# up to their parent exactly (the bands to the total, the grades to their band). Other
# breakdowns leave a rest a reader knows only to be 0 or more (pupils who skipped the
# gender question). The districts under the kommun are still treated as if their rest were
# known (the home geography's pupils in no district are not published either, but nothing
# in the demo's waves would gain from it).
COMPLETE_BREAKDOWNS = frozenset({"grade_band", "grade"})


# Breakdowns published for the whole kommun only (`withheld`).
KOMMUN_ONLY_BREAKDOWNS = frozenset({"grade"})


def withheld(key: CellKey) -> bool:
    """A cell never published: a district's grade (the grades are published for the whole
    kommun only). Hidden with reason ``withheld`` and protected like any hidden cell: per
    district the grades are small groups, and publishing those that pass would cost a
    quarter of the districts' totals and half their bands as cover (measured on the demo's
    waves, docs/privacy.md), while the kommun's grades, which readers compare with other
    surveys, are nearly all shown either way."""
    return key[4] in KOMMUN_ONLY_BREAKDOWNS and key[3] != KOMMUN


def cube_groups(keys: Iterable[CellKey]) -> list[Group[CellKey]]:
    """Sibling groups, one breakdown at a time: the gender values and the grade bands of an
    area under the area's total, the grades of a band under the area's band cell, and the
    districts under the kommun for each breakdown value. A group of gender cells, whose
    members leave the pupils who skipped gender unpublished, says so (``rest_known``
    False)."""
    key_set = set(keys)
    groups: list[Group[CellKey]] = []
    districts: dict[tuple[str, str, str, str, str], list[CellKey]] = {}
    families = dict(BREAKDOWNS)
    for key in sorted(key_set):
        indicator, place, geography, area, breakdown, value = key
        if area != KOMMUN:
            districts.setdefault((indicator, place, geography, breakdown, value), []).append(key)
        if breakdown == "total":
            parts = [(sub, families[sub]) for sub in UNDER_TOTAL]
        elif breakdown == "grade_band":
            parts = [("grade", tuple(g for g in GRADES if BAND_OF_GRADE[g] == value))]
        else:
            continue
        for sub, values in parts:
            members = tuple(
                k for v in values if (k := (indicator, place, geography, area, sub, v)) in key_set
            )
            if members:
                exact = sub in COMPLETE_BREAKDOWNS
                groups.append(Group(total=key, members=members, rest_known=exact))
    for (indicator, place, geography, breakdown, value), siblings in districts.items():
        total = (indicator, place, geography, KOMMUN, breakdown, value)
        if total in key_set:
            groups.append(Group(total=total, members=tuple(siblings)))
    return groups


def audit_rules(params: RuleParams) -> AuditRules:
    """What the published rules tell a reader, for the audit."""
    return AuditRules(
        min_n=params.min_n,
        protected_count=params.max_protected,
        few_max_n=few_suppressed_max_n(params),
    )


def audit_cells(cells: Mapping[CellKey, Cell], params: RuleParams, **options: Any) -> AuditReport:
    """The independent audit (`lagesbild.disclosure_audit`) of cells as they would be
    published."""
    published = {
        key: PublishedCell(c.n, c.yes, c.estimate.state, c.estimate.reason)
        for key, c in cells.items()
    }
    return audit(published, audit_rules(params), **options)


class DisclosureError(Exception):
    """Suppression could not make a wave pass the disclosure audit."""

    def __init__(self, report: AuditReport) -> None:
        self.report = report
        shown = "; ".join(f.describe() for f in report.findings[:10])
        more = len(report.findings) - 10
        super().__init__(
            f"the disclosure audit fails in {', '.join(report.failing_tables)}: {shown}"
            + (f" (and {more} more)" if more > 0 else "")
        )


def _seeds(
    findings: Iterable[Finding], cube_keys: set[CellKey]
) -> list[tuple[tuple[CellKey, ...], bool]]:
    """Where to add cover for each finding (see `disclosure.cover`): the cell itself, or
    for a remainder the totals it is the rest of; in every place when n is at stake (the
    places of a question share their n)."""
    seeds: list[tuple[tuple[CellKey, ...], bool]] = []
    for f in findings:
        if f.kind == "group":
            continue  # answered by `_group_cover`: one of its shown parts is hidden
        places = [f.place]
        if f.problem.startswith("n "):
            places = sorted({k[1] for k in cube_keys if k[0] == f.indicator})
        breakdown, value = f.column
        keys: list[CellKey] = []
        for place in places:
            row = KOMMUN if f.row == UNPLACED_ROW else f.row
            if value == REST:  # total minus the family's values
                keys.append((f.indicator, place, f.geography, row, "total", ""))
            else:
                keys.append((f.indicator, place, f.geography, row, breakdown, value))
        seeds.append((tuple(k for k in keys if k in cube_keys), f.kind != "remainder"))
    return seeds


def _group_cover(findings: Iterable[Finding], cells: Mapping[CellKey, Cell]) -> list[CellKey]:
    """For each group finding (a sum minus its shown parts gives too much away), the
    cheapest of those shown parts (smallest n; an empty one covers nothing)."""
    targets: list[CellKey] = []
    for f in findings:
        if f.kind != "group":
            continue
        parts: list[CellKey] = []
        for row, (breakdown, value) in f.shown_parts:
            key = (f.indicator, f.place, f.geography, row, breakdown, value)
            if key in cells and cells[key].n > 0:
                parts.append(key)
        if parts:
            targets.append(min(parts, key=lambda k: (cells[k].n, k)))
    return targets


# Rounds of "audit, add cover" before giving up; each round adds at least one suppression
# per failing table, and real waves pass within a few.
MAX_COVER_ROUNDS = 60


def protect_cube(
    cube: Mapping[CellKey, tuple[int, int]], catalogue: Catalogue
) -> tuple[dict[CellKey, Cell], AuditReport]:
    """Public values of every cell: the disclosure rules, complementary suppression over
    all groups, then more cover until the independent audit passes.

    Returns the cells and the audit of the final cells. Raises DisclosureError when no
    more cover can be added and the audit still fails (publishing refuses such a wave).
    """
    params = catalogue.rule_params
    groups = cube_groups(cube)
    cells = protect(cube, groups, params, withheld=[k for k in cube if withheld(k)])
    keys = set(cells)
    by_cell: dict[tuple[str, str, str, str, str], list[CellKey]] = {}
    for key in keys:
        by_cell.setdefault((key[0], key[2], key[3], key[4], key[5]), []).append(key)

    def spread(key: CellKey) -> list[CellKey]:
        return by_cell[(key[0], key[2], key[3], key[4], key[5])]

    # What each round's audit proved carries to the next round's (the next only hides
    # more): fewer LPs, the same verdicts.
    memory = AuditMemory()
    report = audit_cells(cells, params, memory=memory)
    total_checked, total_solves, seconds = report.checked, report.solves, report.seconds
    for _ in range(MAX_COVER_ROUNDS):
        if report.passed:
            break
        cells, added = cover(cells, _seeds(report.findings, keys), groups, params, spread=spread)
        # A group finding names the cells that must go: one of the sum's shown parts, in
        # every place of the question (the places share their n).
        targets = [k for t in _group_cover(report.findings, cells) for k in spread(t)]
        cells, more = hide(cells, targets, groups, params)
        added |= more
        if not added:
            break
        # Only tables with a new suppression can change; the others keep their findings.
        changed = {(k[0], k[2]) for k in added}
        again = audit_cells(cells, params, tables=changed, memory=memory)
        total_checked += again.checked
        total_solves += again.solves
        seconds += again.seconds
        rest = [f for f in report.findings if (f.indicator, f.geography) not in changed]
        report = AuditReport(report.tables, again.checked, again.solves, (*rest, *again.findings))
    if not report.passed:
        raise DisclosureError(report)
    final = AuditReport(report.tables, total_checked, total_solves, (), seconds)
    return cells, final
