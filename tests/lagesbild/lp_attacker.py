"""A reader who attacks published cells with linear programming (test helper).

Written apart from `lagesbild.disclosure_audit` on purpose: another formulation (the
whole table as one LP, one n variable per place tied by equalities, explicit remainder
variables, no substitution of known values and no splitting), no shortcuts (every bound
is a full min and max LP), and the criterion of docs/privacy.md ("The protection
criterion") read afresh. The tests require the two to agree, and this reader to win
against planted weakenings.

The LP of a table is handed to HiGHS once and re-solved for each objective from the
previous basis (it used to go through SciPy's `linprog`, which sets HiGHS up from scratch
for every solve: the same optima, about eight times slower).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse  # type: ignore[import-untyped]

Key = tuple[str, str, str, str, str, str]
# The published rules (docs/privacy.md); a test of weakened rules passes its own.
MIN_N = 10
FEW = 4  # 1..4 yes (or no) is never shown exactly
FEW_MAX_N = 17  # a few-yes/few-no cell is suppressed only up to this n


@dataclass(frozen=True)
class Seen:
    n: int
    yes: int
    state: str
    reason: str


@dataclass(frozen=True)
class Win:
    indicator: str
    geography: str
    place: str
    row: str  # area, "KOMMUN" or "UNPLACED"
    column: str  # "total:", "gender:1", "gender:REST", ...
    what: str


class _LP:
    def __init__(self) -> None:
        self.names: list[tuple[str, ...]] = []
        self.index: dict[tuple[str, ...], int] = {}
        self.lo: list[float] = []
        self.hi: list[float] = []
        self.eq: list[dict[int, float]] = []
        self.le: list[dict[int, float]] = []  # sum <= 0
        self.truth: list[float] = []

    def var(self, name: tuple[str, ...]) -> int:
        if name not in self.index:
            self.index[name] = len(self.names)
            self.names.append(name)
            self.lo.append(0.0)
            self.hi.append(math.inf)
            self.truth.append(math.nan)
        return self.index[name]

    def fix(self, i: int, lo: float, hi: float) -> None:
        self.lo[i] = max(self.lo[i], lo)
        self.hi[i] = min(self.hi[i], hi)

    def _solver(self) -> highspy.Highs:
        """HiGHS holding this LP, built once; each bound below only changes its objective."""
        if getattr(self, "_highs", None) is None:
            h = highspy.Highs()  # type: ignore[no-untyped-call]
            h.setOptionValue("output_flag", False)
            # Without presolve HiGHS starts each solve from the previous basis: the LP is
            # the same every time, only the objective changes.
            h.setOptionValue("presolve", "off")
            # The last basis stays feasible when the objective changes: primal simplex
            # goes on from it.
            h.setOptionValue("simplex_strategy", 4)
            size = len(self.names)
            h.addVars(
                size,
                np.array(self.lo),
                np.array([highspy.kHighsInf if math.isinf(x) else x for x in self.hi]),
            )
            for rows, lower in ((self.le, -highspy.kHighsInf), (self.eq, 0.0)):
                if not rows:
                    continue
                matrix = sparse.csr_array(
                    (
                        [x for row in rows for x in row.values()],
                        (
                            [i for i, row in enumerate(rows) for _ in row],
                            [j for row in rows for j in row],
                        ),
                    ),
                    shape=(len(rows), size),
                )
                h.addRows(
                    len(rows),
                    np.full(len(rows), lower),
                    np.zeros(len(rows)),
                    matrix.nnz,
                    matrix.indptr.astype(np.int32),
                    matrix.indices.astype(np.int32),
                    matrix.data.astype(np.float64),
                )
            self._highs = h
            self._costed: list[int] = []
        return self._highs

    def extreme(self, objective: dict[int, float], sign: float) -> float:
        """The min (sign 1) or max (sign -1) of the objective: a full LP solve."""
        h = self._solver()
        if self._costed:
            h.changeColsCost(
                len(self._costed),
                np.array(self._costed, dtype=np.int32),
                np.zeros(len(self._costed)),
            )
        self._costed = list(objective)
        h.changeColsCost(
            len(self._costed),
            np.array(self._costed, dtype=np.int32),
            np.array([sign * v for v in objective.values()]),
        )
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kUnbounded:
            return sign * math.inf
        assert status == highspy.HighsModelStatus.kOptimal, h.modelStatusToString(status)
        return float(sign * h.getInfo().objective_function_value)

    def span(self, objective: dict[int, float]) -> tuple[int, int]:
        hi = self.extreme(objective, -1.0)
        lo = self.extreme(objective, 1.0)
        return (
            math.ceil(lo - 1e-6),
            math.floor(hi + 1e-6) if math.isfinite(hi) else 10**9,
        )


def attack(
    cells: Mapping[Key, Seen], meaning: tuple[int, int, int] = (MIN_N, FEW, FEW_MAX_N)
) -> list[Win]:
    """Every protected quantity the reader pins, by the protection criterion of
    docs/privacy.md (plus disclosure rules 1–2 for what is shown). ``meaning``: what the
    published reasons say under the rules in force (minimum n, largest hidden count, largest
    n of a few-yes suppression)."""
    wins: list[Win] = []
    tables: dict[tuple[str, str], dict[Key, Seen]] = {}
    for key, seen in cells.items():
        tables.setdefault((key[0], key[2]), {})[key] = seen
        indicator, place, geography, area, breakdown, value = key
        if seen.state == "shown" and (seen.n < MIN_N or not FEW < seen.yes < seen.n - FEW):
            wins.append(Win(indicator, geography, place, area, f"{breakdown}:{value}", "shown"))
    for (indicator, geography), table in sorted(tables.items()):
        wins += _attack_table(indicator, geography, table, meaning)
    return wins


def _attack_table(
    indicator: str, geography: str, table: Mapping[Key, Seen], meaning: tuple[int, int, int]
) -> list[Win]:
    pub_min, pub_few, pub_max = meaning
    lp = _LP()
    places = sorted({k[1] for k in table})
    areas = sorted({k[3] for k in table} - {"KOMMUN"})
    columns = sorted({(k[4], k[5]) for k in table})
    families = sorted({b for b, _ in columns if b != "total"})
    rows = [*areas, "UNPLACED", "KOMMUN"]
    # Every pupil has a grade (from the class), so grade bands and grades have no rest.
    exact = {"grade_band", "grade"}
    all_columns = [f"{b}:{v}" for b, v in columns] + [
        f"{f}:REST" for f in families if f not in exact
    ]
    # The sums a reader knows, as (row, column, parts): the kommun over the districts and
    # the unplaced; the total over each family (with its rest); each grade band over its
    # grades (åk 7–9 = 7 + 8 + 9, gymnasiet = 10 + 11 + 12).
    sums: list[tuple[str, str, list[tuple[str, str]]]] = []
    for c in all_columns:
        sums.append(("KOMMUN", c, [(r, c) for r in (*areas, "UNPLACED")]))
    for r in rows:
        for f in families:
            if f == "grade":
                continue  # under their band, below
            parts = [(r, f"{b}:{v}") for b, v in columns if b == f]
            if f not in exact:
                parts.append((r, f"{f}:REST"))
            sums.append((r, "total:", parts))
        for band in ("AK79", "GY"):
            grades = [
                (r, f"grade:{v}")
                for b, v in columns
                if b == "grade" and (int(v) <= 9) == (band == "AK79")
            ]
            if grades and ("grade_band", band) in columns:
                sums.append((r, f"grade_band:{band}", grades))
    state = {(k[1], k[3], f"{k[4]}:{k[5]}"): s.state for k, s in table.items()}

    def n(p: str, r: str, c: str) -> int:
        return lp.var(("n", p, r, c))

    def y(p: str, r: str, c: str) -> int:
        return lp.var(("y", p, r, c))

    # place, row, column, kind, and the parts of a group (a sum minus its shown parts)
    targets: list[tuple[str, str, str, str, list[tuple[str, str]]]] = []
    for p in places:
        for r in rows:
            for c in all_columns:
                lp.le.append({y(p, r, c): 1.0, n(p, r, c): -1.0})  # yes <= n
                if r == "UNPLACED" or c.endswith(":REST"):
                    targets.append((p, r, c, "remainder", [(r, c)]))
                if p != places[0]:  # the places of a question share n
                    lp.eq.append({n(p, r, c): 1.0, n(places[0], r, c): -1.0})
            if geography == "school":
                for c in all_columns:
                    lp.fix(n(p, "UNPLACED", c), 0, 0)
        for q in ("n", "y"):
            var = n if q == "n" else y
            for r, c, parts in sums:
                row = {var(p, r, c): 1.0}
                for pr, pc in parts:
                    row[var(p, pr, pc)] = -1.0
                lp.eq.append(row)
        for r, c, parts in sums:
            if state.get((p, r, c)) != "shown":
                continue  # the rest of a hidden sum moves with the sum, itself a target
            shown = [part for part in parts if state.get((p, *part)) == "shown"]
            hidden = [part for part in parts if state.get((p, *part)) != "shown"]
            if shown and len(hidden) >= 2:
                targets.append((p, r, f"{c}/group", "remainder", hidden))
    for (_, p, _, area, b, v), seen in table.items():
        c = f"{b}:{v}"
        ni, yi = n(p, area, c), y(p, area, c)
        lp.truth[ni], lp.truth[yi] = seen.n, seen.yes
        if seen.state in ("shown", "bound"):
            lp.fix(ni, seen.n, seen.n)
        if seen.state == "shown":
            lp.fix(yi, seen.yes, seen.yes)
        elif seen.reason == "few_yes":
            lp.fix(yi, 0, pub_few)
        elif seen.reason == "few_no":
            lp.le.append({ni: 1.0, yi: -1.0, lp.var(("four",)): -1.0})
        if seen.state == "suppressed":
            if seen.reason == "small_base":
                lp.fix(ni, 0, pub_min - 1)
            elif seen.reason in ("few_yes", "few_no"):
                lp.fix(ni, pub_min, pub_max)
            elif seen.reason == "complementary":
                lp.fix(ni, pub_min, math.inf)
        if seen.state != "shown":
            targets.append((p, area, c, seen.state, [(area, c)]))
    four = lp.index.get(("four",))
    if four is not None:
        lp.fix(four, pub_few, pub_few)
    wins: list[Win] = []
    for p, r, c, kind, parts in targets:
        n_sum = {n(p, pr, pc): 1.0 for pr, pc in parts}
        y_sum = {y(p, pr, pc): 1.0 for pr, pc in parts}
        n_lo, n_hi = lp.span(n_sum)
        y_lo, y_hi = lp.span(y_sum)
        no_lo, no_hi = lp.span({**n_sum, **dict.fromkeys(y_sum, -1.0)})
        what = ""
        if n_lo == n_hi == 0:
            continue
        if n_lo == n_hi and 1 <= n_lo < MIN_N:
            what = f"n = {n_lo}"
        elif kind == "suppressed" and (y_lo == y_hi or no_lo == no_hi):
            what = f"yes in [{y_lo}, {y_hi}], no in [{no_lo}, {no_hi}]"
        elif kind == "bound" and (y_lo == y_hi if y_hi <= FEW else no_lo == no_hi):
            what = f"bound: yes in [{y_lo}, {y_hi}], no in [{no_lo}, {no_hi}]"
        elif kind == "remainder":
            small = n_lo < MIN_N
            if (y_lo == y_hi and (small or 1 <= y_lo <= FEW)) or (
                no_lo == no_hi and (small or 1 <= no_lo <= FEW)
            ):
                what = f"remainder: n in [{n_lo}, {n_hi}], yes in [{y_lo}, {y_hi}]"
        if what:
            wins.append(Win(indicator, geography, p, r, c, what))
    return wins
