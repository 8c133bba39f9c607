"""Today's disclosure audit reaches the verdicts of the audit it replaced.

`lagesbild.disclosure_audit` solves far fewer LPs than before: it looks for feasible points
far from the truth first (`_Reader.spread`), and carries what one audit proved to the next
audit of the same table (`AuditMemory`: feasible points, checked again, and dual bounds,
evaluated again). None of that may change a verdict. The audit as it was is kept whole in
`tests/lagesbild/audit_before.py`; here both judge the same cells: random cubes before and
after cover, under weakened rules, with a memory carried from an unrelated state, and the
whole "audit, add cover" loop of `protect_cube`, round by round. The demo's waves are
compared in `tests/core/test_demo.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from lagesbild import cube as cube_module
from lagesbild.cube import CellKey, audit_rules, cube_groups, protect_cube
from lagesbild.disclosure import DEFAULT_PARAMS, Cell, RuleParams, estimate_cell, protect
from lagesbild.disclosure_audit import (
    AuditMemory,
    AuditReport,
    AuditRules,
    Finding,
    PublishedCell,
    audit,
)

from . import audit_before as before
from .test_disclosure_attack import (
    CATALOGUE,
    EXAMPLES,
    Sheet,
    _empty_cover_allowed,
    _no_complementary_step,
    _skewed_cubes,
    make_cube,
    sheets,
)

Verdicts = tuple[tuple[Any, ...], ...]


def published(cells: Mapping[CellKey, Cell]) -> dict[CellKey, PublishedCell]:
    return {
        k: PublishedCell(c.n, c.yes, c.estimate.state, c.estimate.reason) for k, c in cells.items()
    }


def verdicts(findings: tuple[Any, ...]) -> Verdicts:
    """Every field of every finding, in order (old and new findings are distinct types)."""
    return tuple(
        (
            f.indicator,
            f.geography,
            f.place,
            f.row,
            f.column,
            f.kind,
            f.problem,
            f.n_range,
            f.yes_range,
            f.shown_parts,
        )
        for f in findings
    )


def audit_before(
    cells: Mapping[CellKey, PublishedCell], rules: AuditRules, **options: Any
) -> before.AuditReport:
    options.pop("memory", None)
    old = {k: before.PublishedCell(c.n, c.yes, c.state, c.reason) for k, c in cells.items()}
    old_rules = before.AuditRules(rules.min_n, rules.protected_count, rules.few_max_n)
    return before.audit(old, old_rules, **options)


def assert_same_verdicts(
    cells: Mapping[CellKey, Cell],
    params: RuleParams = DEFAULT_PARAMS,
    details: tuple[bool, ...] = (False, True),
    remembered: bool = True,
) -> None:
    """Both audits find the same, with and without each finding's bounds (``details``),
    and so does today's after a memory of another state of the same tables
    (``remembered``)."""
    rules = audit_rules(params)
    shown = published(cells)
    for detail in details:
        old = audit_before(shown, rules, detail=detail)
        new = audit(shown, rules, detail=detail)
        assert verdicts(new.findings) == verdicts(old.findings)
        assert new.checked == old.checked
    if not remembered:
        return
    # A memory of another state of the same tables (here: every cell shown, a smaller
    # polytope; its points mostly do not fit) changes no verdict.
    memory = AuditMemory()
    audit(published(_everything_shown(cells)), rules, memory=memory)
    again = audit(shown, rules, memory=memory)
    assert verdicts(again.findings) == verdicts(audit(shown, rules).findings)


def _everything_shown(cells: Mapping[CellKey, Cell]) -> dict[CellKey, Cell]:
    """Each cell as the one-cell rules alone would publish it (no cover)."""
    return {k: Cell(c.n, c.yes, estimate_cell(c.n, c.yes)) for k, c in cells.items()}


def rounds_of(
    cube: Mapping[CellKey, tuple[int, int]],
    audit_function: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[dict[CellKey, Cell], list[Verdicts], str]:
    """`protect_cube` with the given audit: its cells, every round's findings, and the
    error when it gives up."""
    seen: list[Verdicts] = []

    def recording(
        cells: Mapping[CellKey, PublishedCell], rules: AuditRules, **options: Any
    ) -> AuditReport:
        report = audit_function(cells, rules, **options)
        seen.append(verdicts(report.findings))
        findings = tuple(Finding(*v) for v in verdicts(report.findings))
        return AuditReport(report.tables, report.checked, report.solves, findings)

    with monkeypatch.context() as patch:
        patch.setattr(cube_module, "audit", recording)
        try:
            cells, _ = protect_cube(cube, CATALOGUE)
        except cube_module.DisclosureError as error:
            return {}, seen, str(error)
    return cells, seen, ""


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=sheets())
def test_random_cubes_get_the_same_findings_before_and_after_cover(
    data: list[Sheet], monkeypatch: pytest.MonkeyPatch
) -> None:
    cube = make_cube(data, grades=False)
    assert_same_verdicts(protect(cube, cube_groups(cube), DEFAULT_PARAMS))
    assert_same_verdicts(_no_complementary_step(cube))
    old_cells, old_rounds, old_error = rounds_of(cube, audit_before, monkeypatch)
    new_cells, new_rounds, new_error = rounds_of(cube, audit, monkeypatch)
    assert new_rounds == old_rounds
    assert new_cells == old_cells
    assert new_error == old_error


def test_skewed_cubes_and_weakened_rules_get_the_same_findings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for cube in _skewed_cubes(grades=False):
        assert_same_verdicts(_no_complementary_step(cube))
        assert_same_verdicts(_empty_cover_allowed(cube))
        assert rounds_of(cube, audit, monkeypatch) == rounds_of(cube, audit_before, monkeypatch)


def test_the_new_audit_solves_fewer_lps_on_the_same_cubes() -> None:
    """Not a timing: the count of LPs, which the shortcuts exist to cut."""
    old = new = 0
    rules = audit_rules(DEFAULT_PARAMS)
    for cube in _skewed_cubes(grades=False):
        shown = published(_no_complementary_step(cube))
        old += audit_before(shown, rules).solves
        new += audit(shown, rules).solves
    assert new < old
