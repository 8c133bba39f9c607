"""Disclosure control: the per-cell rules and complementary suppression."""

import dataclasses
from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lagesbild.disclosure import (
    BOUND,
    SHOWN,
    SUPPRESSED,
    Cell,
    CellEstimate,
    Group,
    RuleParams,
    _needs_more,
    _suppress_one_more,
    disclosed_members,
    estimate_cell,
    few_suppressed_max_n,
    protect,
    suppress_groups,
)
from lagesbild.statistics import round_count

P = RuleParams()


# --------------------------------------------------------------------------- one cell


def test_a_base_below_ten_is_suppressed() -> None:
    assert estimate_cell(9, 5) == CellEstimate(state=SUPPRESSED, reason="small_base")
    assert estimate_cell(0, 0).reason == "small_base"


def test_a_base_of_ten_with_five_yes_and_five_no_is_shown() -> None:
    cell = estimate_cell(10, 5)
    assert cell.state == SHOWN
    assert cell.n_shown == 10
    assert cell.share_pct == 50
    assert (cell.ci_low_pct, cell.ci_high_pct) == (24, 76)
    assert cell.unstable is True


@pytest.mark.parametrize("yes", [0, 1, 4])
def test_zero_to_four_yes_are_shown_as_the_same_bound(yes: int) -> None:
    cell = estimate_cell(100, yes)
    assert cell == CellEstimate(state=BOUND, reason="few_yes", n_shown=100, bound="< 5 %")


def test_five_yes_are_shown_exactly() -> None:
    cell = estimate_cell(100, 5)
    assert cell.state == SHOWN
    assert cell.share_pct == 5


@pytest.mark.parametrize("yes", [96, 99, 100])
def test_all_but_zero_to_four_are_shown_as_a_bound(yes: int) -> None:
    cell = estimate_cell(100, yes)
    assert cell == CellEstimate(state=BOUND, reason="few_no", n_shown=100, bound="> 95 %")


def test_all_but_five_are_shown_exactly() -> None:
    assert estimate_cell(100, 95).share_pct == 95


def test_three_yes_of_twelve_are_suppressed_because_no_bound_would_be_true() -> None:
    # 3/12 = 25 %, so "< 15 %" would be false; and no bound up to 30 % holds for every
    # count 0..4 at n = 10..12.
    assert estimate_cell(12, 3) == CellEstimate(state=SUPPRESSED, reason="few_yes")
    assert estimate_cell(12, 9) == CellEstimate(state=SUPPRESSED, reason="few_no")


def test_few_yes_cells_are_suppressed_up_to_seventeen_and_bound_from_eighteen() -> None:
    assert few_suppressed_max_n() == 17
    assert estimate_cell(17, 0).state == SUPPRESSED
    assert estimate_cell(18, 4) == CellEstimate(
        state=BOUND, reason="few_yes", n_shown=20, bound="< 25 %", unstable=True
    )


def test_the_bound_steps_down_the_ladder_as_n_grows() -> None:
    assert estimate_cell(27, 1).bound == "< 20 %"  # n_shown 25 could be n = 23
    assert estimate_cell(28, 1).bound == "< 15 %"  # n_shown 30 -> n >= 28, 4/28 = 14.3 %
    assert estimate_cell(200, 2).bound == "< 5 %"
    assert estimate_cell(402, 0).bound == "< 2 %"  # n_shown 400 could be n = 398
    assert estimate_cell(403, 0).bound == "< 1 %"


@given(st.integers(10, 600).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))))
def test_a_bound_is_always_true(n_yes: tuple[int, int]) -> None:
    n, yes = n_yes
    cell = estimate_cell(n, yes)
    if cell.state != BOUND:
        return
    sign, number, _ = cell.bound.split(" ")
    if sign == "<":
        assert 100 * yes < int(number) * n
    else:
        assert 100 * yes > int(number) * n


@given(st.integers(10, 600), st.integers(0, 4), st.integers(0, 4))
def test_a_bound_tells_nothing_beyond_the_rounded_n(n: int, a: int, b: int) -> None:
    # Same rounded n and both counts in the protected zone: identical public values.
    other_n = n + 1 if round_count(n + 1) == round_count(n) else n
    assert estimate_cell(n, a) == estimate_cell(other_n, b)
    assert estimate_cell(n, n - a) == estimate_cell(other_n, other_n - b)


def test_shares_round_half_up_to_whole_percent() -> None:
    assert estimate_cell(40, 5).share_pct == 13  # 12.5 %
    assert estimate_cell(200, 25).share_pct == 13


def test_a_shown_share_is_never_zero_or_hundred() -> None:
    assert estimate_cell(1001, 5).share_pct == 1  # 0.4995 %
    assert estimate_cell(1001, 996).share_pct == 99


def test_unstable_below_thirty() -> None:
    assert estimate_cell(29, 5).unstable is True
    assert estimate_cell(30, 5).unstable is False  # half-width 13.2 pp


def test_unstable_when_the_interval_is_wider_than_fifteen_points() -> None:
    assert estimate_cell(35, 17).unstable is True  # n >= 30, half-width 15.7 pp
    assert estimate_cell(40, 20).unstable is False  # half-width 14.8 pp


def test_bound_cells_below_thirty_are_unstable() -> None:
    assert estimate_cell(25, 0).unstable is True
    assert estimate_cell(33, 0).unstable is False


FIELDS_WITH_NUMBERS = ("n_shown", "share_pct", "ci_low_pct", "ci_high_pct")


@given(st.integers(0, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))))
def test_a_suppressed_cell_carries_no_numbers(n_yes: tuple[int, int]) -> None:
    cell = estimate_cell(*n_yes)
    if cell.state == SUPPRESSED:
        assert all(getattr(cell, f) is None for f in FIELDS_WITH_NUMBERS)
        assert cell.bound == ""
        assert cell.unstable is False
        assert {f.name for f in dataclasses.fields(cell)} == {
            "state",
            "reason",
            "bound",
            "unstable",
            *FIELDS_WITH_NUMBERS,
        }


def test_a_suppressed_estimate_cannot_be_built_with_numbers() -> None:
    with pytest.raises(ValueError, match="no numbers"):
        CellEstimate(state=SUPPRESSED, reason="small_base", n_shown=10)


def test_rule_params_reject_overlapping_zones() -> None:
    with pytest.raises(ValueError, match="min_n"):
        RuleParams(min_n=8)
    with pytest.raises(ValueError, match="increasing"):
        RuleParams(bound_ladder_pct=(10, 5))


# --------------------------------------------------------------------------- groups


def states(cells: Mapping[str, Cell]) -> dict[str, str]:
    return {
        k: c.estimate.state + (":" + c.estimate.reason if c.estimate.reason else "")
        for k, c in cells.items()
    }


GENDER = Group("all", ("girl", "boy", "other"))


def test_a_lone_small_sibling_takes_the_next_smallest_with_it() -> None:
    cells = protect(
        {"all": (100, 50), "girl": (50, 25), "boy": (45, 22), "other": (5, 3)}, [GENDER]
    )
    assert states(cells) == {
        "all": "shown",
        "girl": "shown",
        "boy": "suppressed:complementary",
        "other": "suppressed:small_base",
    }


def test_a_lone_bound_sibling_counts_as_hidden() -> None:
    cells = protect(
        {"all": (100, 22), "girl": (60, 2), "boy": (40, 20)}, [Group("all", ("girl", "boy"))]
    )
    assert states(cells) == {
        "all": "shown",
        "girl": "bound:few_yes",
        "boy": "suppressed:complementary",
    }


def test_two_small_siblings_protect_each_other() -> None:
    cells = protect({"all": (97, 50), "girl": (80, 41), "boy": (8, 4), "other": (9, 5)}, [GENDER])
    assert states(cells)["girl"] == "shown"


def test_an_empty_sibling_needs_no_partner() -> None:
    # other has n = 0: a reader derives exactly that, which discloses nobody.
    cells = protect({"all": (70, 35), "girl": (60, 30), "boy": (10, 5), "other": (0, 0)}, [GENDER])
    assert states(cells) == {
        "all": "shown",
        "girl": "shown",
        "boy": "shown",
        "other": "suppressed:small_base",
    }


def test_an_empty_sibling_is_no_cover() -> None:
    # boy (n = 8) and the empty other are hidden: boy = all - girl, so girl must go too.
    cells = protect({"all": (70, 35), "girl": (62, 31), "boy": (8, 4), "other": (0, 0)}, [GENDER])
    assert states(cells)["girl"] == "suppressed:complementary"


def test_a_bound_and_a_small_sibling_need_a_third() -> None:
    # The bound cell's n is public (rounded), so with only these two hidden the small
    # cell's n would be total - shown - bound n: a third sibling is hidden.
    cells = protect({"all": (117, 52), "girl": (60, 3), "boy": (50, 45), "other": (7, 4)}, [GENDER])
    assert states(cells) == {
        "all": "shown",
        "girl": "bound:few_yes",
        "boy": "suppressed:complementary",
        "other": "suppressed:small_base",
    }


def test_the_hidden_members_together_are_protected_like_a_remainder() -> None:
    # Total (30, 8) and girls (14, 7) shown: boys (15, 1, few yes) and other (1, 0, small
    # base) are hidden one by one, but together they are the total minus the girls:
    # exactly 16 pupils of whom exactly 1 said yes (a count of 1-4 must never be
    # derivable). One more member must go.
    cells = protect({"all": (30, 8), "girl": (14, 7), "boy": (15, 1), "other": (1, 0)}, [GENDER])
    assert states(cells) == {
        "all": "shown",
        "girl": "suppressed:complementary",
        "boy": "suppressed:few_yes",
        "other": "suppressed:small_base",
    }


def test_hidden_members_fewer_than_ten_together_are_protected() -> None:
    # Boys (7) and other (2) hidden, girls shown: the 9 hidden pupils' yes count would be
    # exact (total minus girls), a group below ten with a known share.
    cells = protect({"all": (26, 11), "girl": (17, 5), "boy": (7, 5), "other": (2, 1)}, [GENDER])
    assert states(cells)["girl"] == "suppressed:complementary"


def test_no_complementary_suppression_when_the_total_is_not_shown() -> None:
    cells = protect(
        {"all": (24, 3), "girl": (8, 2), "boy": (16, 1)}, [Group("all", ("girl", "boy"))]
    )
    assert states(cells) == {
        "all": "bound:few_yes",
        "girl": "suppressed:small_base",
        "boy": "suppressed:few_yes",
    }


def test_a_group_of_one_loses_its_total() -> None:
    cells = protect({"all": (50, 20), "only": (9, 3)}, [Group("all", ("only",))])
    assert states(cells) == {"all": "suppressed:complementary", "only": "suppressed:small_base"}


def test_suppression_propagates_across_groups_to_a_fixed_point() -> None:
    # District × gender. A-other (n 5) hides A-girl (60 < 65) in row A; the girls'
    # column then has one hidden cell, so B-girl goes; B-other (n 0) already hides
    # B-boy (70 < 100) in row B, and the boys' column then takes A-boy.
    counts = {
        "K": (300, 150),
        "A": (130, 65),
        "B": (170, 85),
        "K-girl": (160, 80),
        "K-boy": (135, 67),
        "K-other": (5, 3),
        "A-girl": (60, 30),
        "A-boy": (65, 32),
        "A-other": (5, 3),
        "B-girl": (100, 50),
        "B-boy": (70, 35),
        "B-other": (0, 0),
    }
    groups = [
        Group("A", ("A-girl", "A-boy", "A-other")),
        Group("B", ("B-girl", "B-boy", "B-other")),
        Group("K", ("A", "B")),
        Group("K-girl", ("A-girl", "B-girl")),
        Group("K-boy", ("A-boy", "B-boy")),
        Group("K-other", ("A-other", "B-other")),
    ]
    result = states(protect(counts, groups))
    assert result == {
        "K": "shown",
        "A": "shown",
        "B": "shown",
        "K-girl": "shown",
        "K-boy": "shown",
        "K-other": "suppressed:small_base",
        "A-girl": "suppressed:complementary",
        "A-boy": "suppressed:complementary",
        "A-other": "suppressed:small_base",
        "B-girl": "suppressed:complementary",
        "B-boy": "suppressed:complementary",
        "B-other": "suppressed:small_base",
    }
    assert all(len(hidden(g, result)) != 1 for g in groups if result[g.total] == "shown")


def hidden(group: Group[str], result: Mapping[str, str]) -> list[str]:
    return [m for m in group.members if result[m] != "shown"]


def test_members_larger_than_the_total_are_rejected() -> None:
    with pytest.raises(ValueError, match="add up to more"):
        protect({"all": (10, 5), "a": (8, 4), "b": (8, 4)}, [Group("all", ("a", "b"))])


# ----------------------------------------------- independent check of what can be derived


def _smear(mask: int, width: int) -> int:
    """OR of mask << j for j in 0..width."""
    out, span, shift = mask, 1, 1
    while span <= width:
        step = min(shift, width + 1 - span)
        out |= out << step
        span += step
        shift *= 2
    return out


def _candidates(cell: Cell, cap: int) -> list[tuple[int, int, int]]:
    """(n, lowest yes, highest yes) a reader thinks possible for a hidden cell."""
    est, few = cell.estimate, P.max_protected
    if est.state == BOUND:
        if est.reason == "few_yes":
            return [(cell.n, 0, min(few, cell.n))]
        return [(cell.n, max(0, cell.n - few), cell.n)]
    if est.reason == "small_base":
        return [(n, 0, n) for n in range(min(cap, P.min_n - 1) + 1)]
    if est.reason == "few_yes":
        return [(n, 0, few) for n in range(P.min_n, min(cap, few_suppressed_max_n()) + 1)]
    if est.reason == "few_no":
        return [(n, n - few, n) for n in range(P.min_n, min(cap, few_suppressed_max_n()) + 1)]
    # complementary: it was shown or bound before; a reader knows n >= min_n, no more.
    return [(n, 0, n) for n in range(P.min_n, cap + 1)]


def brute_force_possible(
    group: Group[str], cells: Mapping[str, Cell]
) -> dict[str, set[tuple[int, int]]]:
    """Every (n, yes) of each hidden member consistent with the shown total, the shown
    members, the residual (assumed known) and the members' public states."""
    members = [cells[m] for m in group.members]
    hidden_keys = [m for m in group.members if not cells[m].estimate.exact]
    sum_n = sum(cells[m].n for m in hidden_keys)
    sum_yes = sum(cells[m].yes for m in hidden_keys)
    assert sum(c.n for c in members) <= cells[group.total].n
    full = (1 << (sum_yes + 1)) - 1
    cands = {k: _candidates(cells[k], sum_n) for k in hidden_keys}
    out: dict[str, set[tuple[int, int]]] = {}
    for key in hidden_keys:
        reach = [0] * (sum_n + 1)  # reach[total n] = bitmask of reachable total yes
        reach[0] = 1
        for other in hidden_keys:
            if other == key:
                continue
            new = [0] * (sum_n + 1)
            for s, mask in enumerate(reach):
                if not mask:
                    continue
                for n, lo, hi in cands[other]:
                    if s + n <= sum_n and lo <= hi:
                        new[s + n] |= (_smear(mask, hi - lo) << lo) & full
            reach = new
        out[key] = {
            (n, y)
            for n, lo, hi in cands[key]
            if n <= sum_n
            for y in range(lo, hi + 1)
            if y <= sum_yes and (reach[sum_n - n] >> (sum_yes - y)) & 1
        }
        assert (cells[key].n, cells[key].yes) in out[key]
    return out


def assert_nothing_derivable(groups: list[Group[str]], cells: Mapping[str, Cell]) -> None:
    few = P.max_protected
    for group in groups:
        if not cells[group.total].estimate.exact:
            continue
        hidden_keys = [m for m in group.members if not cells[m].estimate.exact]
        real = [m for m in hidden_keys if cells[m].n > 0]  # an empty cell is no cover
        assert len(real) != 1, (group, states(cells))
        for key, possible in brute_force_possible(group, cells).items():
            est = cells[key].estimate
            if est.reason == "complementary":
                continue  # fit to be shown; hidden only as cover for the others
            ns = {n for n, _ in possible}
            yeses = {y for _, y in possible}
            nos = {n - y for n, y in possible}
            if est.state == SUPPRESSED:
                for values in (ns, yeses, nos):
                    assert len(values) > 1 or values == {0}, (key, group, states(cells))
            else:
                protected = yeses if est.reason == "few_yes" else nos
                assert len(protected) > 1 or not 1 <= min(protected) <= few, (key, group)
        assert disclosed_members(group, cells) == []


small_counts = st.integers(0, 40).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n)))


@settings(max_examples=300, deadline=None)
@given(st.lists(small_counts, min_size=2, max_size=6), small_counts)
def test_nothing_hidden_can_be_derived_from_a_total_and_its_siblings(
    siblings: list[tuple[int, int]], residual: tuple[int, int]
) -> None:
    keys = [f"m{i}" for i in range(len(siblings))]
    total = (sum(n for n, _ in siblings) + residual[0], sum(y for _, y in siblings) + residual[1])
    counts = {"total": total, **dict(zip(keys, siblings, strict=True))}
    group = Group("total", tuple(keys))
    cells = protect(counts, [group])
    assert_nothing_derivable([group], cells)
    for cell in cells.values():
        if cell.estimate.state == SUPPRESSED:
            assert all(getattr(cell.estimate, f) is None for f in FIELDS_WITH_NUMBERS)


@settings(max_examples=150, deadline=None)
@given(st.integers(2, 4), st.integers(2, 3), st.data())
def test_nothing_hidden_can_be_derived_in_a_district_by_gender_table(
    rows: int, cols: int, data: st.DataObject
) -> None:
    table = {(r, c): data.draw(small_counts) for r in range(rows) for c in range(cols)}
    counts: dict[str, tuple[int, int]] = {}
    for (r, c), value in table.items():
        counts[f"{r}-{c}"] = value
    for r in range(rows):
        row = [table[r, c] for c in range(cols)]
        counts[f"{r}-all"] = (sum(n for n, _ in row), sum(y for _, y in row))
    for c in range(cols):
        col = [table[r, c] for r in range(rows)]
        counts[f"K-{c}"] = (sum(n for n, _ in col), sum(y for _, y in col))
    counts["K-all"] = (sum(n for n, _ in table.values()), sum(y for _, y in table.values()))
    groups = [Group(f"{r}-all", tuple(f"{r}-{c}" for c in range(cols))) for r in range(rows)]
    groups += [Group(f"K-{c}", tuple(f"{r}-{c}" for r in range(rows))) for c in range(cols)]
    groups.append(Group("K-all", tuple(f"{r}-all" for r in range(rows))))
    groups.append(Group("K-all", tuple(f"K-{c}" for c in range(cols))))
    cells = protect(counts, groups)
    assert_nothing_derivable(groups, cells)


def test_suppress_groups_keeps_raw_counts_for_the_server_only() -> None:
    cells = {
        "all": Cell(30, 15, estimate_cell(30, 15)),
        "a": Cell(25, 12, estimate_cell(25, 12)),
        "b": Cell(5, 3, estimate_cell(5, 3)),
    }
    out = suppress_groups(cells, [Group("all", ("a", "b"))])
    assert out["a"] == Cell(25, 12, CellEstimate.suppressed("complementary"))
    assert cells["a"].estimate.state == SHOWN  # the input is not mutated


# ------------------------------------- the fixed point audits only the groups that changed


def _naive_fixed_point(cells: dict[str, Cell], groups: list[Group[str]]) -> dict[str, Cell]:
    """The plain fixed point: every group audited again on every pass."""
    current = dict(cells)
    changed = True
    while changed:
        changed = False
        for group in groups:
            # The same rule and the same choice of cover; only the bookkeeping differs.
            if _needs_more(group, current, P):
                _suppress_one_more(group, current)
                changed = True
    return current


@st.composite
def _two_way_tables(draw: st.DrawFn) -> tuple[dict[str, tuple[int, int]], list[Group[str]]]:
    """Areas × genders with both margins and a kommun total; small counts on purpose."""
    areas = [f"A{i}" for i in range(draw(st.integers(2, 5)))]
    genders = ["g1", "g2", "g3"]
    counts: dict[str, tuple[int, int]] = {}
    for area in areas:
        for gender in genders:
            n = draw(st.integers(0, 40))
            counts[f"{area}-{gender}"] = (n, draw(st.integers(0, n)))
    for area in areas:
        members = [counts[f"{area}-{g}"] for g in genders]
        counts[area] = (sum(m[0] for m in members), sum(m[1] for m in members))
    for gender in genders:
        members = [counts[f"{a}-{gender}"] for a in areas]
        counts[f"K-{gender}"] = (sum(m[0] for m in members), sum(m[1] for m in members))
    counts["K"] = (sum(counts[a][0] for a in areas), sum(counts[a][1] for a in areas))
    groups = [Group(a, tuple(f"{a}-{g}" for g in genders)) for a in areas]
    groups += [Group(f"K-{g}", tuple(f"{a}-{g}" for a in areas)) for g in genders]
    groups += [Group("K", tuple(areas)), Group("K", tuple(f"K-{g}" for g in genders))]
    return counts, groups


@given(_two_way_tables())
def test_auditing_only_changed_groups_reaches_the_same_fixed_point(
    table: tuple[dict[str, tuple[int, int]], list[Group[str]]],
) -> None:
    counts, groups = table
    cells = {k: Cell(n, yes, estimate_cell(n, yes)) for k, (n, yes) in counts.items()}
    assert suppress_groups(cells, groups) == _naive_fixed_point(cells, groups)


@pytest.mark.parametrize(
    "params",
    [
        P,
        RuleParams(min_n=5, bound_count=3, unstable_n=5),
        RuleParams(min_n=15, bound_count=5, round_counts_to=10),
        RuleParams(bound_ladder_pct=(5, 10, 20)),
    ],
)
def test_what_the_audit_is_told_of_few_cells_is_what_estimate_cell_does(
    params: RuleParams,
) -> None:
    """The audit models the reader with `few_suppressed_max_n` (the largest n of a hidden
    few-yes or few-no cell). Read off the published rule itself, cell by cell: it may not
    be larger than what `estimate_cell` does (a reader would then know more than the
    audit assumes), nor smaller (the audit's model would be false)."""
    hidden = [
        n
        for n in range(params.min_n, 400)
        for yes in range(params.bound_count)
        for counts in ((n, yes), (n, n - yes))
        if estimate_cell(*counts, params).state == SUPPRESSED
    ]
    assert max(hidden, default=params.min_n - 1) == few_suppressed_max_n(params)
