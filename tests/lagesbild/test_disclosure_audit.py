"""The audit's group remainders: a sum minus its shown parts is protected like a
remainder, whatever the number of cells hidden in it (pure: no database).

The case is the one a reader found in a published wave's open data: a district's total
and its girls were shown, its boys (15, 1 yes: "för få svarade ja") and its other gender
(1 pupil) were hidden one by one; together they are the total minus the girls, 16 pupils
of whom exactly 1 said yes.
"""

from lagesbild.cube import audit_rules
from lagesbild.disclosure import DEFAULT_PARAMS
from lagesbild.disclosure_audit import PublishedCell, audit

from .lp_attacker import Seen, attack

SHOWN = ("shown", "")
FEW_YES = ("suppressed", "few_yes")
SMALL = ("suppressed", "small_base")
COMPLEMENTARY = ("suppressed", "complementary")


def _cells(girls: tuple[str, str]) -> dict[tuple[str, str, str, str, str, str], PublishedCell]:
    """District VAL and the kommun (home geography: the kommun also holds pupils who gave
    no district). Values (n, yes) and published (state, reason)."""
    rows = {
        ("VAL", "total", ""): ((30, 8), SHOWN),
        ("VAL", "gender", "1"): ((14, 7), girls),
        ("VAL", "gender", "2"): ((15, 1), FEW_YES),
        ("VAL", "gender", "3"): ((1, 0), SMALL),
        ("KOMMUN", "total", ""): ((50, 13), SHOWN),
        ("KOMMUN", "gender", "1"): ((24, 9), COMPLEMENTARY),
        ("KOMMUN", "gender", "2"): ((24, 4), COMPLEMENTARY),
        ("KOMMUN", "gender", "3"): ((2, 0), SMALL),
    }
    return {
        ("UTS01", "", "home", area, breakdown, value): PublishedCell(n, yes, state, reason)
        for (area, breakdown, value), ((n, yes), (state, reason)) in rows.items()
    }


def test_the_hidden_members_of_a_shown_total_are_audited_together() -> None:
    report = audit(_cells(girls=SHOWN), audit_rules(DEFAULT_PARAMS))
    groups = [f for f in report.findings if f.kind == "group"]
    assert [(f.row, f.column) for f in groups] == [("VAL", ("total", ""))]
    (finding,) = groups
    assert "yes pinned to 1" in finding.problem
    assert finding.shown_parts == (("VAL", ("gender", "1")),)


def test_hiding_one_more_part_passes() -> None:
    report = audit(_cells(girls=COMPLEMENTARY), audit_rules(DEFAULT_PARAMS))
    assert report.passed, [f.describe() for f in report.findings]


def test_the_independent_lp_reader_wins_on_the_same_cells_and_loses_after_cover() -> None:
    def seen(girls: tuple[str, str]) -> dict[tuple[str, str, str, str, str, str], Seen]:
        return {k: Seen(c.n, c.yes, c.state, c.reason) for k, c in _cells(girls).items()}

    wins = [w for w in attack(seen(SHOWN)) if w.what != "shown"]
    assert [(w.row, w.column) for w in wins] == [("VAL", "total:/group")]
    assert [w for w in attack(seen(COMPLEMENTARY)) if w.what != "shown"] == []
