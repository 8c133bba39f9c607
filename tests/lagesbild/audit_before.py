"""The disclosure audit as it was before it carried proofs between rounds (long because it is
that module, kept whole: `tests/lagesbild/test_audit_equivalence.py` holds today's
`lagesbild.disclosure_audit` to the same verdicts).

Frozen as of commit 41e19a3 (the parent of the commit that added the shortcuts); not used by
the application. What follows is
its docstring.

Independent disclosure audit.

This module shares no code with the suppression heuristic (`lagesbild.disclosure`,
`lagesbild.cube`): it reads cells as published (their state and public reason) together
with their true counts, rebuilds every table and its additive relations from the cell keys
alone, and bounds every hidden quantity by linear programming (HiGHS). Publishing refuses
a wave whose audit fails; the recompute asks the suppression for more cover until it
passes. The threat model and the criterion are in ``docs/privacy.md``.

**Tables.** One table per indicator and geography, holding every TRY07-style place of the
indicator (the places of one multiple-choice question share their base n, which the
reader knows) and every breakdown at once: rows are the districts, an *unplaced* row and
the kommun; columns are the total, each breakdown value, and a *rest* column per
breakdown family. Relations, for n and for each place's yes count:

* kommun(c) = Σ districts(c) + unplaced(c) for every column c (unplaced ≥ 0; it is 0 for
  school geography, where every sheet has a school district);
* total(r) = Σ values(r, f) + rest_f(r) for every row r and family f (rest ≥ 0: pupils
  who skipped the gender question; 0 for grade bands, which come from the class).

**What the reader knows.** Every shown cell's exact n and yes (they can be recomputed from
share, interval and rounded n); a bound cell's exact n and that its yes (or no) is 0–4;
what a suppression reason says (``small_base``: n ≤ 9; ``few_yes``/``few_no``: n in
10..M with 0–4 yes or no, M the largest n no bound fits; ``complementary``: n ≥ 10, as
such a cell was shown or bound before); 0 ≤ yes ≤ n everywhere.

**Criterion.** A *protected quantity* is a suppressed cell, a bound cell, or a remainder
(an unplaced or rest cell: a total minus its published parts). With [lo, hi] the tightest
integer bounds the LP gives:

* any of them with n pinned to 0 is known to be empty and is not protected further;
* n pinned to 1..9 fails (suppressed cells and remainders);
* a suppressed cell fails when its yes or its no count is pinned (whatever its n);
* a bound cell fails when its protected count (yes for "<", no for ">") is pinned;
* a remainder fails when its yes or no count is pinned while its n can be 1..9 (this
  includes "provably all yes / all no"), or when its yes or no is pinned to 1..4.

A *group remainder* is a shown sum (a total, a band, the kommun) minus its shown parts,
when at least one part is shown and two or more are not (bound or suppressed cells, the
rest or the unplaced pupils): the parts not shown together, which a reader gets exactly
by subtraction. It is protected like a remainder (n of 1..9, or a yes or no count of
1..4, fails), so that hiding two small cells side by side does not publish their sum.
Being exact, it needs no LP. (The remainder of a sum that is not shown moves with that
sum, a protected quantity of its own: it is pinned only when the sum is.)

A remainder provably of 10 or more pupils may be derived exactly, like a shown cell.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

import highspy
import numpy as np

# Structural facts a reader knows (see the module docstring).
UNPLACED_IS_EMPTY_FOR = frozenset({"school"})  # geographies where every sheet has a district
EXACT_FAMILIES = frozenset({"grade_band"})  # breakdowns every sheet has a value of
KOMMUN_ROW = "KOMMUN"
UNPLACED_ROW = "(unplaced)"
TOTAL = ("total", "")
REST = "(rest)"

# LP values are floats; true counts are integers, so bounds are rounded inward with this
# tolerance (HiGHS's feasibility tolerance is 1e-7).
_EPS = 1e-6

Kind = Literal["suppressed", "bound", "remainder", "group"]
# indicator, place, geography, area, breakdown, breakdown value (IndicatorCell's natural key)
Key = tuple[str, str, str, str, str, str]
Column = tuple[str, str]  # (breakdown, value); (family, REST) for a rest column


@dataclass(frozen=True)
class AuditRules:
    """The public disclosure parameters the reader knows (from the published rules)."""

    min_n: int = 10
    protected_count: int = 4  # 0..4 yes (or no) is never shown exactly
    few_max_n: int = 17  # the largest n at which a few-yes/few-no cell is suppressed


@dataclass(frozen=True)
class PublishedCell:
    """A cell as published (state and reason) with its true counts."""

    n: int
    yes: int
    state: str  # "shown", "bound" or "suppressed"
    reason: str  # "" or the suppression/bound reason


@dataclass(frozen=True)
class Finding:
    """One protected quantity a reader can derive too much about."""

    indicator: str
    geography: str
    place: str
    row: str  # district code, KOMMUN_ROW or UNPLACED_ROW
    column: Column
    kind: Kind
    problem: str  # e.g. "n pinned to 3", "yes pinned to 0"
    # The tightest bounds of its n and yes (only with ``detail``: they cost four LPs).
    n_range: tuple[int, int] | None = None
    yes_range: tuple[int, int] | None = None
    # A "group" finding (a sum minus its shown parts): those shown parts, as (row,
    # column), one of which must be hidden too; ``row`` and ``column`` name the sum.
    shown_parts: tuple[tuple[str, Column], ...] = ()

    @property
    def table(self) -> str:
        return f"{self.indicator} ({self.geography})"

    def describe(self) -> str:
        breakdown, value = self.column
        where = f"{self.row} × {breakdown}{':' + value if value else ''}"
        place = f" place {self.place}" if self.place else ""
        return f"{self.table}{place}, {where} ({self.kind}): {self.problem}"

    @property
    def key(self) -> Key | None:
        """The cell's key, or None for a remainder (it is no published cell)."""
        if self.kind in ("remainder", "group"):
            return None
        return (self.indicator, self.place, self.geography, self.row, *self.column)


@dataclass(frozen=True)
class AuditReport:
    tables: int
    checked: int  # protected quantities examined
    solves: int  # linear programs solved
    findings: tuple[Finding, ...] = field(default=())
    seconds: float = 0.0  # wall-clock time of the audit

    @property
    def passed(self) -> bool:
        return not self.findings

    @property
    def failing_tables(self) -> list[str]:
        return sorted({f.table for f in self.findings})


# --------------------------------------------------------------------------- the model


class _Table:
    """One indicator × geography: variables, relations and what the reader knows."""

    def __init__(
        self,
        indicator: str,
        geography: str,
        cells: Mapping[tuple[str, str, Column], PublishedCell],
        rules: AuditRules,
    ) -> None:
        self.indicator = indicator
        self.geography = geography
        self.rules = rules
        self.cells = cells  # (place, row, column) -> cell
        self.places = sorted({p for p, _, _ in cells})
        self.districts = sorted({r for _, r, _ in cells if r != KOMMUN_ROW})
        columns = sorted({c for _, _, c in cells if c != TOTAL})
        self.families: dict[str, list[Column]] = {}
        for column in columns:
            self.families.setdefault(column[0], []).append(column)
        self.columns: list[Column] = [TOTAL, *columns]
        self.columns += [(f, REST) for f in sorted(self.families) if f not in EXACT_FAMILIES]
        self.rows = [*self.districts, UNPLACED_ROW, KOMMUN_ROW]
        # Variable index: n per (row, column), yes per (place, row, column).
        self.n_var: dict[tuple[str, Column], int] = {}
        self.yes_var: dict[tuple[str, str, Column], int] = {}
        for row in self.rows:
            for column in self.columns:
                self.n_var[(row, column)] = len(self.n_var) + len(self.yes_var)
                for place in self.places:
                    self.yes_var[(place, row, column)] = len(self.n_var) + len(self.yes_var)
        self.size = len(self.n_var) + len(self.yes_var)
        self.truth = self._true_values()

    # ----------------------------------------------------------------- relations

    def equations(self) -> Iterator[list[tuple[int, float]]]:
        """Every additive relation as a list of (variable, coefficient) summing to 0."""
        for quantity in (None, *self.places):
            var = self._var_of(quantity)
            for column in self.columns:  # kommun = Σ districts + unplaced
                yield [
                    (var(KOMMUN_ROW, column), 1.0),
                    *((var(r, column), -1.0) for r in (*self.districts, UNPLACED_ROW)),
                ]
            for row in self.rows:  # total = Σ values of a family (+ rest)
                for parent, parts in self._sums():
                    yield [(var(row, parent), 1.0), *((var(row, c), -1.0) for c in parts)]

    def _sums(self) -> list[tuple[Column, list[Column]]]:
        """Each column that is the sum of others in every row, with its parts: the total
        over each family (with the family's rest)."""
        sums: list[tuple[Column, list[Column]]] = []
        for family, values in self.families.items():
            parts = list(values)
            if family not in EXACT_FAMILIES:
                parts.append((family, REST))
            sums.append((TOTAL, parts))
        return sums

    def _var_of(self, place: str | None) -> Callable[[str, Column], int]:
        if place is None:
            return lambda row, column: self.n_var[(row, column)]
        return lambda row, column: self.yes_var[(place, row, column)]

    def _true_values(self) -> np.ndarray:
        """The true value of every variable (a feasible point: the witness)."""
        x = np.full(self.size, np.nan)
        for (place, row, column), cell in self.cells.items():
            x[self.n_var[(row, column)]] = cell.n
            x[self.yes_var[(place, row, column)]] = cell.yes
        for quantity in (None, *self.places):
            var = self._var_of(quantity)
            for column in self.columns:
                if column[1] == REST:
                    continue
                placed = sum(x[var(r, column)] for r in self.districts)
                x[var(UNPLACED_ROW, column)] = x[var(KOMMUN_ROW, column)] - placed
            for row in self.rows:
                for family, values in self.families.items():
                    if family in EXACT_FAMILIES:
                        continue
                    parts = sum(x[var(row, c)] for c in values)
                    x[var(row, (family, REST))] = x[var(row, TOTAL)] - parts
        if np.isnan(x).any() or (x < 0).any():
            raise ValueError(
                f"{self.indicator} ({self.geography}): the cells do not form a complete table "
                "whose parts add up to no more than their totals"
            )
        return x

    # ----------------------------------------------------------------- knowledge

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Each variable's range from what is published (before any relation)."""
        lower = np.zeros(self.size)
        upper = np.full(self.size, highspy.kHighsInf)
        r = self.rules
        for (place, row, column), cell in self.cells.items():
            n, yes = self.n_var[(row, column)], self.yes_var[(place, row, column)]
            if cell.state in ("shown", "bound"):
                _narrow(lower, upper, n, cell.n, cell.n)
            if cell.state == "shown":
                _narrow(lower, upper, yes, cell.yes, cell.yes)
            elif cell.state == "bound" or cell.reason in ("few_yes", "few_no"):
                if cell.state == "suppressed":
                    _narrow(lower, upper, n, r.min_n, r.few_max_n)
                if cell.reason == "few_yes":
                    _narrow(lower, upper, yes, 0, r.protected_count)
                # few_no (no <= 4) is a relation between n and yes: see `rows`.
            elif cell.reason == "small_base":
                _narrow(lower, upper, n, 0, r.min_n - 1)
            elif cell.reason == "complementary":
                _narrow(lower, upper, n, r.min_n, highspy.kHighsInf)
        if self.geography in UNPLACED_IS_EMPTY_FOR:
            for column in self.columns:
                _narrow(lower, upper, self.n_var[(UNPLACED_ROW, column)], 0, 0)
        outside = np.flatnonzero((self.truth < lower) | (self.truth > upper))
        if len(outside):
            # The published states contradict the counts (a rule changed without the audit).
            raise ValueError(
                f"{self.indicator} ({self.geography}): the true counts break what the "
                f"published cells say about them (variables {outside[:5].tolist()})"
            )
        return lower, upper

    def inequalities(self) -> Iterator[tuple[list[tuple[int, float]], float, float]]:
        """Rows lo <= Σ coef·x <= hi besides the equations: no = n - yes within its range."""
        r = self.rules
        for (place, row, column), yes in self.yes_var.items():
            n = self.n_var[(row, column)]
            low, high = 0.0, highspy.kHighsInf
            cell = self.cells.get((place, row, column))
            if cell is not None and cell.reason == "few_no":
                high = float(r.protected_count)
            yield [(n, 1.0), (yes, -1.0)], low, high


def _narrow(lower: np.ndarray, upper: np.ndarray, i: int, lo: float, hi: float) -> None:
    lower[i] = max(lower[i], lo)
    upper[i] = min(upper[i], hi)


# --------------------------------------------------------------------------- solving

_BANNER_LOCK = threading.Lock()
_banner_shown = False


def _new_highs() -> highspy.Highs:
    """A silent HiGHS instance. HiGHS prints a banner to the process's standard output on
    its first construction; that would corrupt a CSV written to stdout by a command."""
    global _banner_shown
    with _BANNER_LOCK:
        if _banner_shown:
            solver = highspy.Highs()  # type: ignore[no-untyped-call]
        else:
            sys.stdout.flush()
            saved = os.dup(1)
            try:
                with _devnull() as devnull:
                    os.dup2(devnull, 1)
                    solver = highspy.Highs()  # type: ignore[no-untyped-call]
            finally:
                os.dup2(saved, 1)
                os.close(saved)
            _banner_shown = True
    solver.setOptionValue("output_flag", False)
    # The same LP is solved again and again with a new objective: without presolve HiGHS
    # starts each solve from the previous basis, many times faster than from scratch.
    solver.setOptionValue("presolve", "off")
    # After a change of objective the last basis is still feasible: primal simplex goes on
    # from it (several times faster here than the default dual simplex).
    solver.setOptionValue("simplex_strategy", 4)
    return solver


@contextlib.contextmanager
def _devnull() -> Iterator[int]:
    fd = os.open(os.devnull, os.O_WRONLY)
    try:
        yield fd
    finally:
        os.close(fd)


class _Solver:
    """The reader's LP for one connected part of a table, re-solved with new objectives.

    Variables whose value is known (published, or implied exactly by one relation) are
    substituted by their values, and the remaining relations split into independent parts:
    each part is a much smaller LP than the whole table, and HiGHS re-solves it from the
    previous basis.
    """

    def __init__(
        self,
        table: _Table,
        variables: list[int],
        rows: list[tuple[dict[int, float], float, float]],
        lower: np.ndarray,
        upper: np.ndarray,
    ) -> None:
        self.table = table
        self.solves = 0
        self.column = {v: i for i, v in enumerate(variables)}
        self.h = _new_highs()
        self.h.addVars(len(variables), lower[variables], upper[variables])
        starts: list[int] = []
        index: list[int] = []
        value: list[float] = []
        for terms, _, _ in rows:
            starts.append(len(index))
            index += [self.column[v] for v in terms]
            value += list(terms.values())
        if rows:
            self.h.addRows(
                len(rows),
                np.array([lo for _, lo, _ in rows]),
                np.array([hi for _, _, hi in rows]),
                len(index),
                np.array(starts, dtype=np.int32),
                np.array(index, dtype=np.int32),
                np.array(value),
            )
        self.cost_index: np.ndarray = np.zeros(0, dtype=np.int32)
        # Every optimal vertex found so far: feasible points, so any of them whose value
        # differs from the truth by 1 or more proves a quantity is not pinned, for free.
        self._pool = np.zeros((8, len(variables)))
        self._points = 0

    def _keep(self, point: np.ndarray) -> None:
        if self._points == len(self._pool):  # grow by doubling: amortised O(1) a point
            self._pool = np.vstack([self._pool, np.zeros_like(self._pool)])
        self._pool[self._points] = point
        self._points += 1

    def moved(self, objective: Mapping[int, float], truth: float) -> tuple[bool, bool]:
        """Whether a known feasible point has the quantity >= truth + 1 (first) or
        <= truth - 1 (second)."""
        if not self._points:
            return False, False
        pool = self._pool[: self._points]
        values = pool[:, [self.column[v] for v in objective]] @ np.array(list(objective.values()))
        return bool((values >= truth + 1 - _EPS).any()), bool((values <= truth - 1 + _EPS).any())

    def optimum(self, objective: Mapping[int, float], maximize: bool) -> float:
        """Max or min of Σ coef·x (over this part's variables) within the reader's
        polytope (never empty: the truth is in it; unbounded gives infinity)."""
        h = self.h
        if len(self.cost_index):
            h.changeColsCost(len(self.cost_index), self.cost_index, np.zeros(len(self.cost_index)))
        self.cost_index = np.array([self.column[v] for v in objective], dtype=np.int32)
        h.changeColsCost(len(self.cost_index), self.cost_index, np.array(list(objective.values())))
        sense = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
        h.changeObjectiveSense(sense)
        h.run()
        self.solves += 1
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kUnbounded:
            return math.inf if maximize else -math.inf
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(
                f"{self.table.indicator}: the audit LP ended {h.modelStatusToString(status)}"
            )
        self._keep(np.asarray(h.getSolution().col_value))
        return float(h.getInfo().objective_function_value)


class _Reader:
    """Everything the reader can derive about one table: exact values and LP bounds."""

    def __init__(self, table: _Table) -> None:
        self.table = table
        lower, upper = table.bounds()
        self.known = _determined(table, lower, upper)
        self.value = table.truth
        lower = np.where(self.known, self.value, lower)
        upper = np.where(self.known, self.value, upper)
        # Relations over the unknown variables only, known terms moved to the bounds.
        rows: list[tuple[dict[int, float], float, float]] = []
        for terms, lo, hi in [
            *((eq, 0.0, 0.0) for eq in table.equations()),
            *table.inequalities(),
        ]:
            free = {i: c for i, c in terms if not self.known[i]}
            if not free:
                continue
            constant = sum(c * self.value[i] for i, c in terms if self.known[i])
            rows.append((free, lo - constant, hi - constant))
        # Connected parts (union-find over the relations).
        parent = list(range(table.size))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for free, _, _ in rows:
            first, *rest = free
            for other in rest:
                parent[find(other)] = find(first)
        self.part_of = {i: find(i) for i in range(table.size) if not self.known[i]}
        self.rows_of: dict[int, list[tuple[dict[int, float], float, float]]] = {}
        for row in rows:
            self.rows_of.setdefault(self.part_of[next(iter(row[0]))], []).append(row)
        self.lower, self.upper = lower, upper
        self.solvers: dict[int, _Solver] = {}

    @property
    def solves(self) -> int:
        return sum(s.solves for s in self.solvers.values())

    def _solver(self, objective: Mapping[int, float]) -> _Solver:
        part = self.part_of[next(iter(objective))]
        if part not in self.solvers:
            variables = sorted(i for i, p in self.part_of.items() if p == part)
            self.solvers[part] = _Solver(
                self.table, variables, self.rows_of.get(part, []), self.lower, self.upper
            )
        return self.solvers[part]

    def _optimum(self, objective: Mapping[int, float], maximize: bool) -> float:
        constant = float(sum(c * self.value[i] for i, c in objective.items() if self.known[i]))
        free = {i: c for i, c in objective.items() if not self.known[i]}
        if not free:
            return constant
        # The free variables of one quantity (its n and yes) are always in one part: they
        # are tied by no = n - yes.
        return constant + self._solver(free).optimum(free, maximize)

    def bounds_of(self, objective: Mapping[int, float]) -> tuple[int, int]:
        """Integer bounds of a linear quantity."""
        hi = self._optimum(objective, maximize=True)
        lo = self._optimum(objective, maximize=False)
        return _ceil(lo), _floor(hi)

    def pinned(self, objective: Mapping[int, float], truth: int) -> bool:
        """True when the quantity can take no other integer value than ``truth``.

        The truth is feasible, so one direction with room settles it: a vertex found by an
        earlier solve often already shows that room; else one or two solves.
        """
        free = {i: c for i, c in objective.items() if not self.known[i]}
        if not free:
            return True
        constant = sum(c * self.value[i] for i, c in objective.items() if self.known[i])
        up, down = self._solver(free).moved(free, truth - constant)
        if up or down:
            return False
        if _floor(self._optimum(objective, maximize=True)) > truth:
            return False
        return _ceil(self._optimum(objective, maximize=False)) >= truth

    def minimum(self, objective: Mapping[int, float]) -> int:
        return _ceil(self._optimum(objective, maximize=False))


def _floor(value: float) -> int:
    return math.floor(value + _EPS) if math.isfinite(value) else sys.maxsize


def _ceil(value: float) -> int:
    return math.ceil(value - _EPS) if math.isfinite(value) else -sys.maxsize


# --------------------------------------------------------------------------- the criterion


@dataclass(frozen=True)
class _Quantity:
    place: str
    row: str
    column: Column
    kind: Kind
    reason: str
    # A group remainder: the (row, column) of the parts not shown, and of those shown.
    hidden: tuple[tuple[str, Column], ...] = ()
    shown: tuple[tuple[str, Column], ...] = ()


def _protected(table: _Table) -> Iterator[_Quantity]:
    for (place, row, column), cell in sorted(table.cells.items()):
        if cell.state in ("suppressed", "bound"):
            kind: Kind = "suppressed" if cell.state == "suppressed" else "bound"
            yield _Quantity(place, row, column, kind, cell.reason)
    for place in table.places:
        for row in table.rows:
            for column in table.columns:
                if row == UNPLACED_ROW or column[1] == REST:
                    yield _Quantity(place, row, column, "remainder", "")
        yield from _group_remainders(table, place)


def _group_remainders(table: _Table, place: str) -> Iterator[_Quantity]:
    """Each shown sum minus its shown parts, where one part or more is shown and two or
    more are not (one alone is already a protected quantity of its own)."""

    def is_shown(row: str, column: Column) -> bool:
        cell = table.cells.get((place, row, column))
        return cell is not None and cell.state == "shown"

    sums: list[tuple[str, Column, list[tuple[str, Column]]]] = []
    for column in table.columns:  # kommun = Σ districts + unplaced
        parts = [(r, column) for r in (*table.districts, UNPLACED_ROW)]
        sums.append((KOMMUN_ROW, column, parts))
    for row in table.rows:  # total (or the band) = Σ a family's values (+ rest)
        for parent, columns in table._sums():
            sums.append((row, parent, [(row, c) for c in columns]))
    for row, column, parts in sums:
        if not is_shown(row, column):
            continue
        shown = tuple(p for p in parts if is_shown(*p))
        hidden = tuple(p for p in parts if not is_shown(*p))
        if shown and len(hidden) >= 2:
            yield _Quantity(place, row, column, "group", "", hidden, shown)


def _determined(table: _Table, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Variables whose value follows exactly from known ones by single equations.

    A cheap pre-pass: a quantity determined this way is pinned to its true value, and a
    table whose protected quantities are all determined needs no LP at all.
    """
    known: np.ndarray = lower == upper
    equations = [[i for i, _ in eq] for eq in table.equations()]
    changed = True
    while changed:
        changed = False
        for eq in equations:
            unknown = [i for i in eq if not known[i]]
            if len(unknown) == 1:
                known[unknown[0]] = True
                changed = True
    return known


def _check(
    q: _Quantity, table: _Table, reader: _Reader, detail: bool
) -> tuple[str, tuple[int, int] | None, tuple[int, int] | None] | None:
    """The problem with one protected quantity, or None when it is safe."""
    parts = q.hidden or ((q.row, q.column),)
    n_vars = [table.n_var[p] for p in parts]
    y_vars = [table.yes_var[(q.place, *p)] for p in parts]
    n0 = round(sum(float(table.truth[i]) for i in n_vars))
    y0 = round(sum(float(table.truth[i]) for i in y_vars))
    no0 = n0 - y0
    n_obj = dict.fromkeys(n_vars, 1.0)
    y_obj = dict.fromkeys(y_vars, 1.0)
    no_obj = {**n_obj, **dict.fromkeys(y_vars, -1.0)}

    def report(problem: str) -> tuple[str, tuple[int, int] | None, tuple[int, int] | None]:
        if not detail:
            return problem, None, None
        return problem, reader.bounds_of(n_obj), reader.bounds_of(y_obj)

    small_n = table.rules.min_n - 1  # 9: "n pinned to 1..9"
    few = table.rules.protected_count  # 4: "yes pinned to 1..4"
    if q.kind == "group":  # a shown sum minus shown parts: known exactly, by subtraction
        if n0 == 0:
            return None
        if n0 <= small_n:
            return report(f"n pinned to {n0}")
        if 1 <= y0 <= few:
            return report(f"yes pinned to {y0}")
        if 1 <= no0 <= few:
            return report(f"no pinned to {no0}")
        return None
    if n0 <= small_n and reader.pinned(n_obj, n0):
        if n0 == 0:
            return None  # known to be empty: nobody to protect
        return report(f"n pinned to {n0}")

    def yes_pinned() -> bool:
        return reader.pinned(y_obj, y0)

    def no_pinned() -> bool:
        return reader.pinned(no_obj, no0)

    if q.kind == "suppressed":
        if yes_pinned():
            return report(f"yes pinned to {y0}")
        if no_pinned():
            return report(f"no pinned to {no0}")
        return None
    if q.kind == "bound":
        if q.reason == "few_no":
            return report(f"no pinned to {no0}") if no_pinned() else None
        return report(f"yes pinned to {y0}") if yes_pinned() else None
    small = n0 <= small_n or reader.minimum(n_obj) <= small_n
    while_small = f" while n can be below {small_n + 1}" if small else ""
    if (small or 1 <= y0 <= few) and yes_pinned():
        return report(f"yes pinned to {y0}{while_small}")
    if (small or 1 <= no0 <= few) and no_pinned():
        return report(f"no pinned to {no0}{while_small}")
    return None


def audit_table(
    indicator: str,
    geography: str,
    cells: Mapping[tuple[str, str, Column], PublishedCell],
    rules: AuditRules,
    detail: bool = False,
) -> tuple[list[Finding], int, int]:
    """Findings, quantities checked and LPs solved for one table."""
    table = _Table(indicator, geography, cells, rules)
    reader = _Reader(table)
    quantities = list(_protected(table))
    findings: list[Finding] = []
    for q in quantities:
        problem = _check(q, table, reader, detail)
        if problem is not None:
            text, n_range, yes_range = problem
            if q.kind == "group":
                text = f"the {len(q.hidden)} parts not shown together: {text}"
            findings.append(
                Finding(
                    indicator,
                    geography,
                    q.place,
                    q.row,
                    q.column,
                    q.kind,
                    text,
                    n_range,
                    yes_range,
                    shown_parts=q.shown,
                )
            )
    return findings, len(quantities), reader.solves


def audit(
    cells: Mapping[Key, PublishedCell],
    rules: AuditRules,
    *,
    tables: Iterable[tuple[str, str]] | None = None,
    detail: bool = False,
) -> AuditReport:
    """Audit a wave's cells (keys as IndicatorCell's natural key): every table, or only
    the (indicator, geography) tables named. ``detail`` adds each finding's bounds."""
    by_table: dict[tuple[str, str], dict[tuple[str, str, Column], PublishedCell]] = {}
    for (indicator, place, geography, area, breakdown, value), cell in cells.items():
        by_table.setdefault((indicator, geography), {})[(place, area, (breakdown, value))] = cell
    started = time.perf_counter()
    wanted = set(by_table) if tables is None else set(tables) & set(by_table)
    findings: list[Finding] = []
    checked = solves = 0
    for indicator, geography in sorted(wanted):
        found, quantities, lps = audit_table(
            indicator, geography, by_table[(indicator, geography)], rules, detail
        )
        findings += found
        checked += quantities
        solves += lps
    elapsed = time.perf_counter() - started
    return AuditReport(len(wanted), checked, solves, tuple(findings), elapsed)


def audit_rows(
    rows: Iterable[tuple[Key, int, int, str, str]], rules: AuditRules, *, detail: bool = False
) -> AuditReport:
    """`audit` over (key, n, yes, state, reason) rows, e.g. a wave's stored cells."""
    cells = {key: PublishedCell(n, yes, state, reason) for key, n, yes, state, reason in rows}
    return audit(cells, rules, detail=detail)
