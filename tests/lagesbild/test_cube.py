"""The cube's groups: complementary suppression over districts and breakdowns (pure)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from lagesbild.catalogue import load_catalogue
from lagesbild.cube import (
    BAND_OF_GRADE,
    BREAKDOWNS,
    GRADES,
    KOMMUN,
    CellKey,
    cube_groups,
    protect_cube,
)
from lagesbild.disclosure import disclosed_members, protect

DISTRICTS = ("ARB", "NOR", "SKI", "TOR")
counts = st.tuples(st.integers(0, 45), st.integers(0, 45)).map(lambda p: (p[0] + p[1], p[1]))


@st.composite
def _split(draw: st.DrawFn, n: int, yes: int, parts: int) -> list[tuple[int, int]]:
    """(n, yes) cut into ``parts`` consistent pieces (each 0 <= yes <= n)."""
    pieces = []
    for _ in range(parts - 1):
        part_n = draw(st.integers(0, n))
        low, high = max(0, yes - (n - part_n)), min(yes, part_n)
        part_yes = draw(st.integers(low, high))
        pieces.append((part_n, part_yes))
        n, yes = n - part_n, yes - part_yes
    pieces.append((n, yes))
    return pieces


@st.composite
def cubes(draw: st.DrawFn) -> dict[CellKey, tuple[int, int]]:
    """One indicator's cube over districts × gender and grade band, with the residuals a
    real wave has (skipped gender, pupils in no district) and consistent totals."""
    cube: dict[CellKey, tuple[int, int]] = {}
    kommun: dict[tuple[str, str], list[int]] = {}
    for area in DISTRICTS:
        genders = {g: draw(counts) for g in BREAKDOWNS[1][1]}
        skipped = draw(counts)
        n = sum(c[0] for c in genders.values()) + skipped[0]
        yes = sum(c[1] for c in genders.values()) + skipped[1]
        young_n = draw(st.integers(0, n))
        young_yes = draw(st.integers(max(0, yes - (n - young_n)), min(yes, young_n)))
        values = {
            ("total", ""): (n, yes),
            **{("gender", g): c for g, c in genders.items()},
            ("grade_band", "AK79"): (young_n, young_yes),
            ("grade_band", "GY"): (n - young_n, yes - young_yes),
        }
        for band, (band_n, band_yes) in (
            ("AK79", (young_n, young_yes)),
            ("GY", (n - young_n, yes - young_yes)),
        ):
            grades = [g for g in GRADES if BAND_OF_GRADE[g] == band]
            for grade, part in zip(
                grades, draw(_split(band_n, band_yes, len(grades))), strict=True
            ):
                values[("grade", grade)] = part
        for (breakdown, value), c in values.items():
            cube[("EXP02", "", "home", area, breakdown, value)] = c
            total = kommun.setdefault((breakdown, value), [0, 0])
            total[0] += c[0]
            total[1] += c[1]
    # Pupils who did not say where they live (in åk 7, gender skipped): kommun only.
    nowhere = draw(counts)
    theirs = (("total", ""), ("grade_band", "AK79"), ("grade", "7"))
    for (breakdown, value), (n, yes) in kommun.items():
        extra = nowhere if (breakdown, value) in theirs else (0, 0)
        cube[("EXP02", "", "home", KOMMUN, breakdown, value)] = (n + extra[0], yes + extra[1])
    return cube


@settings(max_examples=150, deadline=None)
@given(cubes())
def test_no_hidden_cell_can_be_derived_from_a_shown_total_and_its_siblings(
    cube: dict[CellKey, tuple[int, int]],
) -> None:
    groups = cube_groups(cube)
    cells = protect(cube, groups)
    for group in groups:
        if not cells[group.total].estimate.exact:
            continue
        hidden = [m for m in group.members if not cells[m].estimate.exact]
        real = [m for m in hidden if cells[m].n > 0]
        rest_n = cells[group.total].n - sum(cells[m].n for m in group.members)
        if len(real) == 1:  # an empty cell is no cover...
            # ...but a rest a reader cannot know exactly, of ten or more, beside a cell
            # hidden as cover may be (tests/lagesbild/test_disclosure_rest.py).
            assert not group.rest_known
            assert rest_n >= 10
            assert cells[real[0]].estimate.reason == "complementary"
        assert disclosed_members(group, cells) == []


def test_groups_are_one_breakdown_at_a_time() -> None:
    cube = {
        ("EXP02", "", "home", area, breakdown, value): (20, 5)
        for area in (*DISTRICTS, KOMMUN)
        for breakdown, values in BREAKDOWNS
        for value in values
    }
    groups = cube_groups(cube)
    # Per area: genders and grade bands under its total, the grades of each band under
    # the band (5 × 4); per breakdown value: the districts under the kommun (12).
    assert len(groups) == 32
    for group in groups:
        kinds = {m[4] for m in group.members}
        assert len(kinds) == 1
        parent = {"gender": "total", "grade_band": "total", "grade": "grade_band"}
        assert group.total[4] in (parent.get(next(iter(kinds)), "total"), *kinds)
        if kinds == {"grade"} and group.total[4] == "grade_band":
            assert {BAND_OF_GRADE[m[5]] for m in group.members} == {group.total[5]}


@settings(max_examples=25, deadline=None)
@given(cubes())
def test_a_districts_grades_are_withheld_and_the_kommuns_follow_the_rules(
    cube: dict[CellKey, tuple[int, int]],
) -> None:
    """District × grade is never published (reason ``withheld``, which says nothing about
    the counts); the kommun's grades are estimated like any cell, and the wave passes the
    audit with them."""
    cells, report = protect_cube(cube, load_catalogue())
    assert report.passed
    for key, cell in cells.items():
        if key[4] == "grade" and key[3] != KOMMUN:
            assert (cell.estimate.state, cell.estimate.reason) == ("suppressed", "withheld")
        elif cell.estimate.reason == "withheld":
            raise AssertionError(f"{key} is withheld")
    grades = {k: c for k, c in cells.items() if k[4] == "grade" and k[3] == KOMMUN}
    assert len(grades) == len(GRADES)
    for (*_, value), cell in grades.items():
        n, yes = cube[("EXP02", "", "home", KOMMUN, "grade", value)]
        if n >= 30 and 10 <= yes <= n - 10:
            # Large enough for its own rules; hidden only when it covers another cell.
            assert cell.estimate.state == "shown" or cell.estimate.reason == "complementary"
