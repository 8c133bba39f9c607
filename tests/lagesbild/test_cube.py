"""The cube's groups: complementary suppression over districts and breakdowns (pure)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from lagesbild.cube import BREAKDOWNS, KOMMUN, CellKey, cube_groups
from lagesbild.disclosure import disclosed_members, protect

DISTRICTS = ("ARB", "NOR", "SKI", "TOR")
counts = st.tuples(st.integers(0, 45), st.integers(0, 45)).map(lambda p: (p[0] + p[1], p[1]))


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
        for (breakdown, value), c in values.items():
            cube[("EXP02", "", "home", area, breakdown, value)] = c
            total = kommun.setdefault((breakdown, value), [0, 0])
            total[0] += c[0]
            total[1] += c[1]
    # Pupils who did not say where they live (in åk 7–9, gender skipped): kommun only.
    nowhere = draw(counts)
    for (breakdown, value), (n, yes) in kommun.items():
        extra = nowhere if (breakdown, value) in (("total", ""), ("grade_band", "AK79")) else (0, 0)
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
    # Per area: genders and grade bands under its total (5 × 2); per breakdown value:
    # the districts under the kommun (6).
    assert len(groups) == 16
    for group in groups:
        kinds = {m[4] for m in group.members}
        assert len(kinds) == 1
        assert group.total[4] in ("total", *kinds)
