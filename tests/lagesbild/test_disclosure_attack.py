"""The LP reader against the published cells: it must recover nothing from what the
suppression and its audit let through, agree with the audit, and win against planted
weakenings of the rules (so these tests can fail).

Cubes are built here from synthetic sheets (not by the SQL pass), with the skewed cases
real classes give: one girl among boys, tiny districts, empty categories, pupils who skip
gender or home district, pupils from another municipality.
"""

from __future__ import annotations

import os
import random
from collections.abc import Mapping

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lagesbild.catalogue import load_catalogue
from lagesbild.cube import CellKey, audit_cells, cube_groups, protect_cube
from lagesbild.disclosure import (
    DEFAULT_PARAMS,
    Cell,
    CellEstimate,
    RuleParams,
    estimate_cell,
    few_suppressed_max_n,
    protect,
)
from lagesbild.disclosure_audit import REST, UNPLACED_ROW

from .lp_attacker import Seen, Win, attack

CATALOGUE = load_catalogue(1)
# Twenty cubes a property in the suite; `make attack` runs 300, and
# HYPOTHESIS_EXAMPLES=2000 is a thorough run (a few minutes per thousand cubes).
EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "20"))
GRADE_EXAMPLES = max(4, EXAMPLES // 4)  # cubes with grades: twice the columns
DISTRICTS = ("AAA", "BBB", "CCC")

Sheet = tuple[str | None, str, str, int, str | None, frozenset[str] | None]


def make_cube(sheets: list[Sheet], grades: bool = False) -> dict[CellKey, tuple[int, int]]:
    """(n, yes) of every cell: X (home), S (school) and the 3-place P (home); with each
    grade under its band when ``grades`` is on (twice the columns: the properties with
    grades attack fewer cubes)."""
    home_areas = {"KOMMUN"} | {h for h, *_ in sheets if h is not None and h != "ANNAN"}
    school_areas = {"KOMMUN"} | {s for _, s, *_ in sheets}
    cube: dict[CellKey, list[int]] = {}
    columns = [("total", "")] + [("gender", g) for g in "123"]
    columns += [("grade_band", "AK79"), ("grade_band", "GY")]
    columns += [("grade", str(grade)) for grade in range(7, 13)] if grades else []
    tables: list[tuple[str, str, str, set[str]]] = [
        ("X", "", "home", home_areas),
        ("S", "", "school", school_areas),
        *(("P", p, "home", home_areas) for p in "123"),
    ]
    for indicator, place, geography, areas in tables:
        for area in areas:
            for b, v in columns:
                cube[(indicator, place, geography, area, b, v)] = [0, 0]
    for home, school, gender, grade, answer, places in sheets:
        band = "AK79" if grade <= 9 else "GY"
        cols = [("total", ""), ("grade_band", band)] + ([("grade", str(grade))] if grades else [])
        cols += [("gender", gender)] if gender else []
        for indicator, geography in (("X", "home"), ("S", "school"), ("P", "home")):
            if geography == "home":
                if home == "ANNAN":
                    continue
                sheet_areas = ["KOMMUN"] + ([home] if home else [])
            else:
                sheet_areas = ["KOMMUN", school]
            for p in ("1", "2", "3") if indicator == "P" else ("",):
                if indicator == "P":
                    if places is None:
                        continue
                    yes = p in places
                else:
                    if answer is None:
                        continue
                    yes = answer == "yes"
                for area in sheet_areas:
                    for b, v in cols:
                        cell = cube[(indicator, p, geography, area, b, v)]
                        cell[0] += 1
                        cell[1] += int(yes)
    return {k: (v[0], v[1]) for k, v in cube.items()}


def seen(cells: Mapping[CellKey, Cell]) -> dict[CellKey, Seen]:
    return {k: Seen(c.n, c.yes, c.estimate.state, c.estimate.reason) for k, c in cells.items()}


@st.composite
def sheets(draw: st.DrawFn) -> list[Sheet]:
    districts = DISTRICTS[: draw(st.integers(1, 3))]
    count = draw(st.integers(5, 70))
    rare = draw(st.floats(0.0, 0.5))  # how rare "yes" is; small values make 1–4 counts
    girl_share = draw(st.sampled_from([0.02, 0.1, 0.5]))
    out: list[Sheet] = []
    for _ in range(count):
        home = draw(
            st.sampled_from([*districts, None, "ANNAN"])
            if draw(st.booleans())
            else st.sampled_from(districts)
        )
        school = draw(st.sampled_from(districts[:2]))  # one school per district at most
        gender = "1" if draw(st.floats(0, 1)) < girl_share else draw(st.sampled_from("223"))
        if draw(st.integers(0, 20)) == 0:
            gender = ""
        grade = draw(st.sampled_from([7, 8, 9, 10, 11, 12]))
        r = draw(st.floats(0, 1))
        answer = None if r > 0.95 else ("yes" if r < rare else "no")
        places = (
            None
            if r > 0.9
            else frozenset(
                p
                for p, cut in zip("123", (rare, 0.3, 0.6), strict=True)
                if draw(st.floats(0, 1)) < cut
            )
        )
        out.append((home, school, gender, grade, answer, places))
    return out


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets())
def test_the_lp_reader_recovers_nothing_from_protected_cells(data: list[Sheet]) -> None:
    cells, report = protect_cube(make_cube(data), CATALOGUE)
    assert report.passed
    assert attack(seen(cells)) == []


@settings(max_examples=GRADE_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets())
def test_the_lp_reader_recovers_nothing_from_protected_cells_with_grades(
    data: list[Sheet],
) -> None:
    """The grades nested under their bands; a district's grades withheld."""
    cells, report = protect_cube(make_cube(data, grades=True), CATALOGUE)
    assert report.passed
    assert attack(seen(cells)) == []


# --------------------------------------------------------------------------- agreement


def _audit_positions(cells: Mapping[CellKey, Cell]) -> set[tuple[str, str, str, str, str]]:
    report = audit_cells(cells, DEFAULT_PARAMS)
    out = set()
    for f in report.findings:
        row = "UNPLACED" if f.row == UNPLACED_ROW else f.row
        b, v = f.column
        group = "/group" if f.kind == "group" else ""
        out.add(
            (f.indicator, f.geography, f.place, row, f"{b}:{'REST' if v == REST else v}{group}")
        )
    return out


def _attack_positions(wins: list[Win]) -> set[tuple[str, str, str, str, str]]:
    return {(w.indicator, w.geography, w.place, w.row, w.column) for w in wins if w.what != "shown"}


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets())
def test_the_audit_and_the_lp_reader_find_the_same_disclosures(data: list[Sheet]) -> None:
    # The heuristic alone (no audit loop) leaves disclosures for both to find.
    cube = make_cube(data)
    cells = protect(cube, cube_groups(cube), DEFAULT_PARAMS)
    assert _audit_positions(cells) == _attack_positions(attack(seen(cells)))


@settings(max_examples=GRADE_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets())
def test_the_audit_and_the_lp_reader_find_the_same_disclosures_with_grades(
    data: list[Sheet],
) -> None:
    # Every grade publishable (none withheld): the most relations through the bands.
    cube = make_cube(data, grades=True)
    cells = protect(cube, cube_groups(cube), DEFAULT_PARAMS)
    assert _audit_positions(cells) == _attack_positions(attack(seen(cells)))


# --------------------------------------------------------------------------- weakenings


def _skewed_cubes(grades: bool = False) -> list[dict[CellKey, tuple[int, int]]]:
    rng = random.Random(20261203)
    cubes = []
    for _ in range(8):
        out: list[Sheet] = []
        for _ in range(rng.randint(25, 70)):
            home = rng.choice([*DISTRICTS[:3], None, "ANNAN"])
            gender = "1" if rng.random() < 0.08 else rng.choice("22223")
            r = rng.random()
            answer = None if r > 0.95 else ("yes" if r < 0.12 else "no")
            places = frozenset(p for p in "123" if rng.random() < 0.1 * int(p))
            out.append(
                (home, rng.choice(DISTRICTS[:2]), gender, rng.choice([7, 8, 9, 10]), answer, places)
            )
        cubes.append(make_cube(out, grades))
    return cubes


WEAK = RuleParams(min_n=5, bound_count=3, unstable_n=5)


def _threshold_five(cube: Mapping[CellKey, tuple[int, int]]) -> dict[CellKey, Cell]:
    return protect(cube, cube_groups(cube), WEAK)


def _no_complementary_step(cube: Mapping[CellKey, tuple[int, int]]) -> dict[CellKey, Cell]:
    return {k: Cell(n, yes, estimate_cell(n, yes)) for k, (n, yes) in cube.items()}


def _empty_cover_allowed(cube: Mapping[CellKey, tuple[int, int]]) -> dict[CellKey, Cell]:
    """One pass of "a group with one hidden member gets a second", an empty one counting."""
    cells = _no_complementary_step(cube)
    for group in cube_groups(cube):
        hidden = [m for m in group.members if not cells[m].estimate.exact]
        shown = [m for m in group.members if cells[m].estimate.exact]
        if len(hidden) == 1 and shown and cells[group.total].estimate.exact:
            target = min(shown, key=lambda m: cells[m].n)
            old = cells[target]
            cells[target] = Cell(old.n, old.yes, CellEstimate.suppressed("complementary"))
    return cells


def test_each_planted_weakening_lets_the_lp_reader_win() -> None:
    cubes = _skewed_cubes()
    for weakening in (_threshold_five, _no_complementary_step, _empty_cover_allowed):
        meaning = (
            (WEAK.min_n, WEAK.max_protected, few_suppressed_max_n(WEAK))
            if weakening is _threshold_five
            else (10, 4, 17)
        )
        # The first cube the reader wins on is enough: stop there.
        won = any(attack(seen(weakening(cube)), meaning) for cube in cubes)
        assert won, f"{weakening.__name__} went unnoticed"


def test_the_real_rules_withstand_the_same_cubes() -> None:
    # All eight (each is a full protect and attack); `make attack` runs the random cubes
    # by the hundred.
    for cube in _skewed_cubes():
        cells, _ = protect_cube(cube, CATALOGUE)
        assert attack(seen(cells)) == []
