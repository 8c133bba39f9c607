"""Disclosure control for cells (long because a privacy review reads the rules in one file).

A *cell* is one wave × indicator (× place) × area × breakdown value; its raw counts are the
base ``n`` (valid answers) and ``yes``. This module turns raw counts into the PUBLIC values of a
cell (`CellEstimate`) following docs/privacy.md, "Disclosure control", and protects groups of cells
against recovery by subtraction (`suppress_groups`, `cover`). Pure: no Django, no ORM.
The intervals and rounding it uses are in `lagesbild.statistics`; the independent check of
what a wave's published cells give away is `lagesbild.disclosure_audit`, which shares no
code with this module.

What the public values may reveal, and the choices made here (all conservative):

* ``n < min_n`` (10): suppressed, reason ``small_base``.
* Few yes or few no (a count below ``bound_count``, i.e. 0–4, or ``n - yes`` in 0–4): the
  exact share is never shown. **0 and n are treated like 1–4.** DOMAIN names 1–4; but if a
  published "0 %" were possible, every bound would tell the reader "at least one pupil", and
  together with a shown total a bound of "1–4" collapses to exactly 1 whenever the rest of
  the group adds up to one less than the total (common for rare events such as robbery).
  A "0 %" of a small group is also itself a statement about every pupil in it.
* The bound shown depends only on the rounded n (never on the yes count): it is the
  smallest "< L %" from ``bound_ladder_pct`` that is true for EVERY count 0–4 at the
  smallest n that rounds to ``n_shown``. So a bound says "0–4 pupils" and nothing finer;
  choosing the smallest bound true for the actual count would be a disguised exact count
  (at n = 10..12, "< 10 %" would mean exactly one pupil). If no ladder step fits (at
  n_shown <= 15 with the default ladder up to 30 %) the cell is suppressed, reason
  ``few_yes`` / ``few_no``. Few no is the mirror: "> (100 - L) %".
* Counts are rounded half up to a multiple of ``round_counts_to`` (5). With an odd step
  there are no ties among integers, so 10, 11, 12 -> 10 and 13..17 -> 15. Since n >= 10
  for every published cell, a rounded n is never below 10 and never hints at a
  suppressed size.
* Shares and interval ends are whole percent, rounded half up (exact rational arithmetic,
  so results do not depend on float quirks). A shown share is clamped to 1..99 %: a shown
  cell always has 5 <= yes <= n - 5, and a published "0 %" / "100 %" must keep meaning
  "none" / "all" (it never does here, as those are bounds).
* Unstable: n < ``unstable_n`` or the Wilson interval's half-width (high - low) / 2 is more
  than ``unstable_half_width_pp``. For a bound cell the flag is computed from the public
  rounded n only (worst case over counts 0–4 at the smallest possible n), so it reveals
  nothing finer than the bound.
* A suppressed cell carries no numbers at all: ``n_shown``, ``share_pct`` and the interval
  are None, ``bound`` is empty and ``unstable`` is False.

Over 400 lines: the one-cell rules, the group rules (`suppress_groups`, `cover`) and the
one-group interval check they call (`disclosed_members`) are one rule set whose parts
share the same thresholds; read it top to bottom.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from .statistics import check_counts, round_count, round_half_up, wilson_interval, z_value

State = Literal["shown", "bound", "suppressed"]
Reason = Literal["", "small_base", "few_yes", "few_no", "complementary", "withheld"]

SHOWN: State = "shown"
BOUND: State = "bound"
SUPPRESSED: State = "suppressed"


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class RuleParams:
    """Disclosure parameters (the defaults of docs/privacy.md; the catalogue YAML repeats them).

    ``bound_count`` = 5 means counts 0..4 (and n - yes in 0..4) are never shown exactly.
    ``bound_ladder_pct`` are the "< L %" steps a few-yes cell may be shown with (mirrored
    as "> (100 - L) %" for few no).
    """

    min_n: int = 10
    unstable_n: int = 30
    unstable_half_width_pp: float = 15.0
    bound_count: int = 5
    bound_ladder_pct: tuple[int, ...] = (1, 2, 5, 10, 15, 20, 25, 30)
    round_counts_to: int = 5
    confidence: float = 0.95

    def __post_init__(self) -> None:
        for name in ("min_n", "unstable_n", "bound_count", "round_counts_to"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        # The few-yes and few-no zones (yes <= b-1, yes >= n-b+1) must not overlap for a
        # cell that passed the base rule, or a cell would be both.
        if self.min_n < 2 * self.bound_count - 1:
            raise ValueError("min_n must be at least 2 * bound_count - 1")
        ladder = self.bound_ladder_pct
        if not ladder or any(isinstance(x, bool) or not isinstance(x, int) for x in ladder):
            raise ValueError("bound_ladder_pct must be a non-empty list of whole percents")
        if list(ladder) != sorted(set(ladder)) or ladder[0] < 1 or ladder[-1] >= 50:
            raise ValueError("bound_ladder_pct must be strictly increasing within 1..49")
        if not 0 < self.unstable_half_width_pp <= 100:
            raise ValueError("unstable_half_width_pp must be within (0, 100]")
        z_value(self.confidence)

    @property
    def max_protected(self) -> int:
        """The largest count that is never shown exactly (4 by default)."""
        return self.bound_count - 1

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> RuleParams:
        """Build from the catalogue's ``disclosure`` mapping; unknown keys are an error."""
        known = {
            "min_n",
            "unstable_n",
            "unstable_half_width_pp",
            "bound_count",
            "bound_ladder_pct",
            "round_counts_to",
            "confidence",
        }
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown disclosure parameter(s): {', '.join(unknown)}")
        kwargs: dict[str, Any] = dict(data)
        if "bound_ladder_pct" in kwargs:
            ladder = kwargs["bound_ladder_pct"]
            if not isinstance(ladder, list | tuple):
                raise ValueError("bound_ladder_pct must be a list")
            kwargs["bound_ladder_pct"] = tuple(ladder)
        if "unstable_half_width_pp" in kwargs:
            kwargs["unstable_half_width_pp"] = _number(kwargs["unstable_half_width_pp"])
        if "confidence" in kwargs:
            kwargs["confidence"] = _number(kwargs["confidence"])
        return cls(**kwargs)


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, got {value!r}")
    return float(value)


DEFAULT_PARAMS = RuleParams()


# --------------------------------------------------------------------------- one cell


@dataclass(frozen=True)
class CellEstimate:
    """The public, disclosure-controlled values of one cell.

    ``state``: ``shown`` (share and interval), ``bound`` (only a bound text and rounded n)
    or ``suppressed`` (nothing). ``reason``: why a cell is not shown exactly, else "".
    """

    state: State
    reason: Reason = ""
    n_shown: int | None = None
    share_pct: int | None = None
    bound: str = ""
    ci_low_pct: int | None = None
    ci_high_pct: int | None = None
    unstable: bool = False

    def __post_init__(self) -> None:
        # Enforce the "a suppressed value appears nowhere" invariant structurally.
        if self.state == SUPPRESSED:
            if (
                self.n_shown is not None
                or self.share_pct is not None
                or self.bound
                or self.ci_low_pct is not None
                or self.ci_high_pct is not None
                or self.unstable
            ):
                raise ValueError("a suppressed cell must carry no numbers")
            if not self.reason:
                raise ValueError("a suppressed cell needs a reason")
        elif self.state == BOUND:
            if self.share_pct is not None or self.ci_low_pct is not None:
                raise ValueError("a bound cell must not carry a share or an interval")
            if not self.bound or self.n_shown is None:
                raise ValueError("a bound cell needs a bound text and a rounded n")
        elif self.state == SHOWN:
            if self.share_pct is None or self.n_shown is None or self.reason:
                raise ValueError("a shown cell needs a share and a rounded n, and no reason")
        else:
            raise ValueError(f"unknown state {self.state!r}")

    @classmethod
    def suppressed(cls, reason: Reason) -> CellEstimate:
        return cls(state=SUPPRESSED, reason=reason)

    @property
    def exact(self) -> bool:
        """True when the share is shown exactly (the only state that can be subtracted)."""
        return self.state == SHOWN


def smallest_n_rounding_to(n_shown: int, params: RuleParams = DEFAULT_PARAMS) -> int:
    """The smallest base n (>= min_n) that a published rounded n may stand for."""
    return max(params.min_n, n_shown - params.round_counts_to // 2)


def _ladder_step(n_low: int, params: RuleParams) -> int | None:
    """Smallest ladder L with max_protected / n < L % for every n >= n_low, else None."""
    for step in params.bound_ladder_pct:
        if 100 * params.max_protected < step * n_low:
            return step
    return None


def _pct(value: float) -> int:
    """A proportion as whole percent, rounded half up exactly (no float rounding)."""
    numerator, denominator = value.as_integer_ratio()
    return (200 * numerator + denominator) // (2 * denominator)


def _half_width_pp(yes: int, n: int, confidence: float) -> float:
    low, high = wilson_interval(yes, n, confidence)
    return (high - low) / 2.0 * 100.0


def estimate_cell(n: int, yes: int, params: RuleParams = DEFAULT_PARAMS) -> CellEstimate:
    """Public values of one cell from its raw counts (see the module docstring)."""
    check_counts(yes, n)
    if n < params.min_n:
        return CellEstimate.suppressed("small_base")
    n_shown = round_count(n, params.round_counts_to)
    few = params.max_protected
    no = n - yes
    if yes <= few or no <= few:
        few_reason: Reason = "few_yes" if yes <= few else "few_no"
        # Everything below depends on n_shown only, never on the exact count.
        n_low = smallest_n_rounding_to(n_shown, params)
        step = _ladder_step(n_low, params)
        if step is None:
            return CellEstimate.suppressed(few_reason)
        text = f"< {step} %" if few_reason == "few_yes" else f"> {100 - step} %"
        unstable = n_low < params.unstable_n or any(
            _half_width_pp(k, n_low, params.confidence) > params.unstable_half_width_pp
            for k in range(few + 1)
        )
        return CellEstimate(
            state=BOUND, reason=few_reason, n_shown=n_shown, bound=text, unstable=unstable
        )
    low, high = wilson_interval(yes, n, params.confidence)
    share = min(99, max(1, round_half_up(Fraction(100 * yes, n))))
    unstable = n < params.unstable_n or (high - low) / 2.0 * 100.0 > (params.unstable_half_width_pp)
    return CellEstimate(
        state=SHOWN,
        n_shown=n_shown,
        share_pct=share,
        ci_low_pct=_pct(low),
        ci_high_pct=_pct(high),
        unstable=unstable,
    )


# --------------------------------------------------------------------------- groups


@dataclass(frozen=True)
class Cell:
    """A cell's private raw counts together with its public estimate.

    ``n`` and ``yes`` never leave the server; they are needed here to choose which sibling
    to suppress and to audit what a reader could derive.
    """

    n: int
    yes: int
    estimate: CellEstimate

    def __post_init__(self) -> None:
        check_counts(self.yes, self.n)


@dataclass(frozen=True)
class Group[K: Hashable]:
    """Sibling cells whose parent ``total`` is published alongside them.

    Which groups exist (one breakdown at a time, per wave, indicator cell and geography):

    * breakdown siblings under their area total: for one area, the gender cells
      (girl, boy, other) under the area's total; the grade bands (AK79, GY) under it; and
      the grades, 7-9 under the area's AK79 cell and 10-12 under its GY cell;
    * districts under the kommun, for one breakdown value (including the total): e.g. all
      district cells for girls under the kommun's girls cell;
    * any other published aggregate of areas (e.g. "police utsatta områden together")
      with its member districts.

    Not groups: different indicators or TRY07 places (multi-select, TRYIDX and derived
    indicators are not sums of anything published).

    Members need not add up to the total: the kommun includes pupils who live in another
    municipality or did not say (ANNAN / EJSVAR), and an area total includes pupils who
    skipped the gender question. That residual is not published as a cell, but it may
    be small or zero, and its size may be inferable (e.g. from response counts). To be
    conservative every group is treated as if a reader knew the residual exactly, i.e.
    as if the members did add up to the total, with one exception: ``rest_known`` False
    says the residual is one a reader knows only to be 0 or more (e.g. pupils who skipped
    gender, under an area's gender cells). Where such a residual holds
    ``min_n`` pupils or more, one member hidden as cover beside it is not the total
    minus the shown members, and is left for the audit to judge (`_needs_more`).
    """

    total: K
    members: tuple[K, ...]
    rest_known: bool = True

    def __post_init__(self) -> None:
        if len(set(self.members)) != len(self.members):
            raise ValueError("group members must be distinct")
        if self.total in self.members:
            raise ValueError("a group's total cannot be one of its members")
        if not self.members:
            raise ValueError("a group needs at least one member")


def protect[K: Hashable](
    counts: Mapping[K, tuple[int, int]],
    groups: Iterable[Group[K]],
    params: RuleParams = DEFAULT_PARAMS,
    withheld: Iterable[K] = (),
) -> dict[K, Cell]:
    """Estimate every cell from ``(n, yes)`` and apply complementary suppression.

    ``withheld`` cells are never published, whatever their counts (reason ``withheld``,
    which tells a reader nothing about them); they are protected like any hidden cell.
    """
    cells = {key: Cell(n, yes, estimate_cell(n, yes, params)) for key, (n, yes) in counts.items()}
    for key in withheld:
        old = cells[key]
        cells[key] = Cell(old.n, old.yes, CellEstimate.suppressed("withheld"))
    return suppress_groups(cells, groups, params)


def suppress_groups[K: Hashable](
    cells: Mapping[K, Cell],
    groups: Iterable[Group[K]],
    params: RuleParams = DEFAULT_PARAMS,
) -> dict[K, Cell]:
    """Complementary suppression, to a fixed point over all groups.

    For every group whose total is shown exactly (``state == shown``):

    1. If exactly one member is not shown exactly (suppressed, or shown only as a bound),
       its counts equal the total minus the shown members: suppress one more member.
    2. Even with two or more hidden members, subtraction plus what each hidden member's
       public state implies (a bound means a count in 0..4; ``small_base`` means n <= 9;
       a ``complementary`` cell was shown, so n >= 10 and yes, no >= 5) can pin a value
       down, e.g. an empty (n = 0) suppressed cell gives no cover to its partner. An
       interval audit (`disclosed_members`) finds such cases; then suppress one more.

    "One more" is the shown member with the smallest raw n (ties: first in the group's
    member order), as it costs the least information; if no member is shown any more,
    the group's total is suppressed instead, which removes the group's equation. Its
    reason is ``complementary``. Every step turns one shown cell into a suppressed one,
    so the loop ends; one group's step may break another group, hence the fixed point.

    Both the yes count and n are protected: with the residual assumed known, the hidden
    members' n and yes are known only as sums, and the audit rejects any member hidden
    for its own sake whose n, yes or no (suppressed) or protected count (1-4 yes or no,
    bound) becomes exact. A derived 0 ("none of them") is accepted, as is n = 0 of an
    empty cell; a complementary cell's own values are not protected (it was fit to be
    shown). Published counts are rounded to 5, which the audit ignores: it treats shown
    cells, and the n of bound cells, as exact, because the same pupils' n is usually
    shown exactly enough by another indicator of the same area and breakdown.

    Limits: the audit looks at one group's equation at a time, with interval reasoning.
    Combining several equations of a two-way table (district × gender with both margins)
    can in principle narrow a hidden value further than any single equation; the
    two-hidden-per-group rule in both directions is the usual defence against that, not
    a proof.
    """
    group_list = list(groups)
    current: dict[K, Cell] = dict(cells)
    for group in group_list:
        for key in (group.total, *group.members):
            if key not in current:
                raise KeyError(f"group refers to unknown cell {key!r}")
        parent = current[group.total]
        if (
            sum(current[m].n for m in group.members) > parent.n
            or sum(current[m].yes for m in group.members) > parent.yes
            or sum(current[m].n - current[m].yes for m in group.members) > (parent.n - parent.yes)
        ):
            raise ValueError(f"members of {group.total!r} add up to more than its total")

    # A group found safe stays safe until one of its cells changes: only those groups are
    # audited again (the same passes in the same order, so the same result, with a
    # fraction of the audits).
    groups_of = _groups_of(group_list)
    safe: set[int] = set()
    changed = True
    while changed:
        changed = False
        for index, group in enumerate(group_list):
            if index in safe:
                continue
            if _needs_more(group, current, params):
                target = _suppress_one_more(group, current)
                safe.difference_update(groups_of[target])
                changed = True
            else:
                safe.add(index)
    return current


def _needs_more[K: Hashable](group: Group[K], cells: Mapping[K, Cell], params: RuleParams) -> bool:
    """Whether a group gives a hidden member (or its unpublished rest) away."""
    total = cells[group.total]
    if total.estimate.state == SUPPRESSED:
        return False
    members = [cells[m] for m in group.members]
    rest_n = total.n - sum(c.n for c in members)
    # The n of a shown or bound cell is public: with nothing left over (grade bands
    # always), one suppressed member has n = total - the others, which must not be a
    # small n (a hidden cell of 10 or more may have its n known).
    n_hidden = [c for c in members if c.estimate.state == SUPPRESSED and c.n > 0]
    small = [c for c in n_hidden if c.n < params.min_n]
    if rest_n == 0 and len(n_hidden) == 1 and small:
        return True
    if not total.estimate.exact:
        return False
    # The total minus its shown members is derived exactly: every member not shown
    # exactly and the rest (pupils in no member) together. That group is protected like
    # any remainder: not fewer than ten, and no yes or no count of 1-4 (everything
    # published: it is the rest alone).
    shown = [c for c in members if c.estimate.exact]
    remainder_n = total.n - sum(c.n for c in shown)
    remainder_yes = total.yes - sum(c.yes for c in shown)
    remainder_no = remainder_n - remainder_yes
    few = params.max_protected
    if 0 < remainder_n < params.min_n or 0 < remainder_yes <= few or 0 < remainder_no <= few:
        return True
    # An empty cell (n = 0) is no cover: beside one real hidden member it leaves that
    # member equal to the total minus the shown ones.
    real = [c for c in members if not c.estimate.exact and c.n > 0]
    if not real:
        return False
    if len(real) == 1 and not _rest_covers(group, real[0], rest_n, params):
        return True
    return bool(disclosed_members(group, cells, params))


def _rest_covers[K: Hashable](
    group: Group[K], hidden: Cell, rest_n: int, params: RuleParams
) -> bool:
    """Whether a group's unpublished rest keeps its one hidden member from being the
    total minus the shown members.

    Only when a reader cannot know the rest exactly (``rest_known`` False: they know it
    is 0 or more), the member was hidden as cover (all its reason says is n >= 10; a cell
    hidden for its own sake keeps a partner, in case the rest's size is inferable from
    elsewhere), and the rest holds ``min_n`` pupils or more. The last condition makes
    the pattern itself safe: a reader who knows this rule learns from a lone hidden
    member only that the rest is ten or more, which the criterion lets a remainder be.
    The member together with the rest is the remainder checked before this (ten or more,
    no 1–4 yes or no); whether the LP over the whole table pins anything more is the
    independent audit's question, and the recompute adds cover where it does.
    """
    return (
        not group.rest_known
        and hidden.estimate.reason == "complementary"
        and rest_n >= params.min_n
    )


def cover[K: Hashable](
    cells: Mapping[K, Cell],
    seeds: Iterable[tuple[tuple[K, ...], bool]],
    groups: Iterable[Group[K]],
    params: RuleParams = DEFAULT_PARAMS,
    *,
    spread: Callable[[K], Iterable[K]] = lambda key: (key,),
) -> tuple[dict[K, Cell], set[K]]:
    """More cover where an audit found a disclosure, then the group rules again.

    A ``complementary`` cell made here may have been a bound cell (0–4 yes or no), so
    that reason tells a reader no more than n >= 10.

    Each seed is a tuple of keys that stand for one cell (e.g. one cell in every place of
    a multiple-choice question, which share their n) or for the totals around a remainder,
    and whether those keys are the protected cell (never its own cover) or not.
    For each seed, the cheapest shown cell (smallest n > 0; an empty cell covers nothing)
    in any group that holds the seed is suppressed; for a seed of several keys, so are
    the keys ``spread`` gives for it (the same cell in the other places); if no member is
    left, a total of those groups is. A group already given cover in this round is
    skipped, so one disclosure is not answered twice. Returns the new cells and the keys
    suppressed (empty: no cover was left to add).
    """
    current: dict[K, Cell] = dict(cells)
    group_list = list(groups)
    groups_of = _groups_of(group_list)
    used: set[int] = set()
    added: set[K] = set()
    for seed, is_cell in seeds:
        exclude = set(seed) if is_cell else set()
        frontier = set(seed)
        visited: set[int] = set()
        target: K | None = None
        # Nearest first: the groups that hold the seed, then the groups that hold any cell
        # of those, and so on, until a cell that can still be hidden is found.
        while target is None:
            indexes = sorted({i for key in frontier for i in groups_of.get(key, [])} - visited)
            if not indexes:
                break
            visited.update(indexes)
            fresh = [i for i in indexes if i not in used]
            if not fresh:
                break  # cover was added near here in this round already; audit first
            # Bound cells are candidates too: their rounded n is public, and the audit
            # takes it as exact, so a bound sibling can pin a suppressed cell's n.
            members = [
                m
                for i in fresh
                for m in group_list[i].members
                if m not in exclude and current[m].estimate.state != SUPPRESSED and current[m].n > 0
            ]
            totals = [
                group_list[i].total
                for i in fresh
                if group_list[i].total not in exclude
                and current[group_list[i].total].estimate.state != SUPPRESSED
            ]
            candidates = members or totals
            if candidates:
                target = min(candidates, key=lambda m: current[m].n)
                used.update(fresh)
            frontier = {k for i in indexes for k in (group_list[i].total, *group_list[i].members)}
        if target is None:
            continue
        added |= _mark_complementary(current, spread(target) if len(seed) > 1 else (target,))
    return _regroup(current, added, group_list, groups_of, params), added


def hide[K: Hashable](
    cells: Mapping[K, Cell],
    keys: Iterable[K],
    groups: Iterable[Group[K]],
    params: RuleParams = DEFAULT_PARAMS,
) -> tuple[dict[K, Cell], set[K]]:
    """Suppress ``keys`` (reason ``complementary``) where the audit named exactly which
    cells must go, then the group rules again. Returns the new cells and the keys that
    were newly suppressed."""
    current: dict[K, Cell] = dict(cells)
    group_list = list(groups)
    groups_of = _groups_of(group_list)
    added = _mark_complementary(current, keys)
    return _regroup(current, added, group_list, groups_of, params), added


def _groups_of[K: Hashable](group_list: Sequence[Group[K]]) -> dict[K, list[int]]:
    """For each cell key, the indexes of the groups it is the total or a member of."""
    groups_of: dict[K, list[int]] = {}
    for index, group in enumerate(group_list):
        for key in (group.total, *group.members):
            groups_of.setdefault(key, []).append(index)
    return groups_of


def _mark_complementary[K: Hashable](cells: dict[K, Cell], keys: Iterable[K]) -> set[K]:
    """Suppress ``keys`` in place (reason ``complementary``); returns those that were not
    suppressed already."""
    added: set[K] = set()
    for key in keys:
        old = cells[key]
        if old.estimate.state != SUPPRESSED:
            cells[key] = Cell(old.n, old.yes, CellEstimate.suppressed("complementary"))
            added.add(key)
    return added


def _regroup[K: Hashable](
    cells: dict[K, Cell],
    added: set[K],
    group_list: list[Group[K]],
    groups_of: Mapping[K, list[int]],
    params: RuleParams,
) -> dict[K, Cell]:
    """The group rules again, over the groups connected to a new suppression (the others
    cannot change)."""
    if not added:
        return cells
    reach: set[int] = set()
    edge: set[K] = set(added)
    while edge:
        new = {i for key in edge for i in groups_of.get(key, [])} - reach
        reach |= new
        edge = {k for i in new for k in (group_list[i].total, *group_list[i].members)}
    return suppress_groups(cells, [group_list[i] for i in sorted(reach)], params)


def _suppress_one_more[K: Hashable](group: Group[K], cells: dict[K, Cell]) -> K:
    """Suppress the group's cheapest member that is still published with pupils in it
    (shown or bound), else its total; returns that key."""
    left = [m for m in group.members if cells[m].estimate.state != SUPPRESSED and cells[m].n > 0]
    # min() keeps the first of equal n, i.e. the group's member order breaks ties.
    target = min(left, key=lambda m: cells[m].n) if left else group.total
    old = cells[target]
    cells[target] = Cell(old.n, old.yes, CellEstimate.suppressed("complementary"))
    return target


# --------------------------------------------------------------------------- audit


@dataclass
class _Range:
    lo: int
    hi: int

    @property
    def single(self) -> bool:
        return self.lo == self.hi


@dataclass
class _Unknown:
    n: _Range
    yes: _Range
    no: _Range
    state: State
    reason: Reason


@functools.cache  # a pure function of the (frozen, hashable) rule parameters
def few_suppressed_max_n(params: RuleParams = DEFAULT_PARAMS) -> int:
    """The largest n at which a few-yes / few-no cell is suppressed (no bound fits)."""
    n = params.min_n
    while (
        _ladder_step(smallest_n_rounding_to(round_count(n, params.round_counts_to), params), params)
        is None
    ):
        n += 1
    return n - 1


def _public_ranges(cell: Cell, cap: int, params: RuleParams) -> _Unknown:
    """What a reader knows about a hidden member's n, yes and no, from its state alone.

    Conservative: a bound cell's n is taken as known exactly (its rounded n is public).
    """
    est = cell.estimate
    few = params.max_protected
    if est.state == BOUND:
        n = _Range(cell.n, cell.n)
        if est.reason == "few_yes":
            yes, no = _Range(0, min(few, cell.n)), _Range(max(0, cell.n - few), cell.n)
        else:
            yes, no = _Range(max(0, cell.n - few), cell.n), _Range(0, min(few, cell.n))
        return _Unknown(n, yes, no, est.state, est.reason)
    if est.reason == "small_base":
        n = _Range(0, min(cap, params.min_n - 1))
        return _Unknown(n, _Range(0, n.hi), _Range(0, n.hi), est.state, est.reason)
    if est.reason in ("few_yes", "few_no"):
        n = _Range(params.min_n, min(cap, few_suppressed_max_n(params)))
        small, big = _Range(0, few), _Range(params.min_n - few, n.hi)
        if est.reason == "few_yes":
            return _Unknown(n, small, big, est.state, est.reason)
        return _Unknown(n, big, small, est.state, est.reason)
    if est.reason == "withheld":  # never published: nothing is public about it
        return _Unknown(_Range(0, cap), _Range(0, cap), _Range(0, cap), est.state, est.reason)
    # complementary: it was shown or bound before, so n >= min_n (and no more is public).
    n = _Range(params.min_n, cap)
    return _Unknown(n, _Range(0, cap), _Range(0, cap), est.state, est.reason)


def _tighten_sum(ranges: list[_Range], total: int) -> bool:
    """Tighten each range given that the values sum to ``total``; True if anything moved."""
    moved = False
    sum_lo = sum(r.lo for r in ranges)
    sum_hi = sum(r.hi for r in ranges)
    for r in ranges:
        lo = max(r.lo, total - (sum_hi - r.hi))
        hi = min(r.hi, total - (sum_lo - r.lo))
        if (lo, hi) != (r.lo, r.hi):
            r.lo, r.hi = lo, hi
            moved = True
    return moved


def _tighten_pair(u: _Unknown) -> bool:
    """Tighten n = yes + no within one member; True if anything moved."""
    before = (u.n.lo, u.n.hi, u.yes.lo, u.yes.hi, u.no.lo, u.no.hi)
    u.n.lo = max(u.n.lo, u.yes.lo + u.no.lo)
    u.n.hi = min(u.n.hi, u.yes.hi + u.no.hi)
    u.yes.lo = max(u.yes.lo, u.n.lo - u.no.hi)
    u.yes.hi = min(u.yes.hi, u.n.hi - u.no.lo)
    u.no.lo = max(u.no.lo, u.n.lo - u.yes.hi)
    u.no.hi = min(u.no.hi, u.n.hi - u.yes.lo)
    return before != (u.n.lo, u.n.hi, u.yes.lo, u.yes.hi, u.no.lo, u.no.hi)


def disclosed_members[K: Hashable](
    group: Group[K], cells: Mapping[K, Cell], params: RuleParams = DEFAULT_PARAMS
) -> list[K]:
    """Hidden members of a group whose protected values a reader could derive exactly.

    The reader is assumed to know the total and every shown member exactly, the residual
    (total minus all members) exactly, and each hidden member's public state and reason
    (see `_public_ranges`). Interval propagation over the three equations
    (sum of n, of yes, of no) and n = yes + no per member gives each hidden member's
    possible n, yes and no. A member is disclosed when:

    * suppressed for its own sake (small_base, few_yes, few_no): its n, yes or no is a
      single value other than 0 (a derived 0 says "none", the one thing an empty or
      all-no cell has to say, and n = 0 is an empty cell);
    * bound: its protected count (yes for "<", no for ">") is a single value in 1..4.

    A ``complementary`` cell is never itself disclosed: it was fit to be shown, and is
    hidden only to widen the others' ranges.
    """
    total = cells[group.total]
    hidden = [m for m in group.members if not cells[m].estimate.exact]
    known_n = sum(cells[m].n for m in group.members if cells[m].estimate.exact)
    known_yes = sum(cells[m].yes for m in group.members if cells[m].estimate.exact)
    residual_n = total.n - sum(cells[m].n for m in group.members)
    residual_yes = total.yes - sum(cells[m].yes for m in group.members)
    sum_n = total.n - known_n - residual_n
    sum_yes = total.yes - known_yes - residual_yes
    sum_no = sum_n - sum_yes
    unknowns: list[_Unknown] = []
    for key in hidden:
        unknowns.append(_public_ranges(cells[key], sum_n, params))
    for _ in range(1000):  # converges in a few rounds; the bound only guards against bugs
        moved = _tighten_sum([u.n for u in unknowns], sum_n)
        moved |= _tighten_sum([u.yes for u in unknowns], sum_yes)
        moved |= _tighten_sum([u.no for u in unknowns], sum_no)
        for u in unknowns:
            moved |= _tighten_pair(u)
        if not moved:
            break
    few = params.max_protected
    out: list[K] = []
    for key, u in zip(hidden, unknowns, strict=True):
        if any(r.lo > r.hi for r in (u.n, u.yes, u.no)):
            # Impossible with true counts (every range is sound); fail loudly.
            raise AssertionError(f"inconsistent audit ranges for {key!r}")
        if u.reason == "complementary":
            # It could have been shown: its own values need no protection, only the
            # cover it gives to the others (which their own ranges measure).
            continue
        if u.state == SUPPRESSED:
            pinned = any(r.single and r.lo != 0 for r in (u.n, u.yes, u.no))
        else:
            protected = u.yes if u.reason == "few_yes" else u.no
            pinned = protected.single and 1 <= protected.lo <= few
        if pinned:
            out.append(key)
    return out
