"""Comparisons beside each cell: the kommun, the previous published wave, the trend.

Pure Python. Every comparison is made only between cells that are shown exactly (state
``shown``) in every wave and area involved: a difference or trend computed from a
suppressed or bounded cell's raw counts would reveal what the rules hide.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from .cube import KOMMUN, CellKey
from .disclosure import Cell
from .statistics import MIN_TREND_WAVES, difference, round_half_up, trend


@dataclass(frozen=True)
class Shown:
    """A cell as it was published: raw counts (server side only) and its public share."""

    yes: int
    n: int
    share_pct: int


@dataclass(frozen=True)
class Comparison:
    kommun_share_pct: int | None = None
    prev_wave_id: int | None = None
    prev_share_pct: int | None = None
    diff_pct: int | None = None
    diff_low_pct: int | None = None
    diff_high_pct: int | None = None
    diff_significant: bool | None = None
    trend: str = ""
    trend_waves: int | None = None


def shown(cell: Cell) -> Shown | None:
    share = cell.estimate.share_pct
    if not cell.estimate.exact or share is None:
        return None
    return Shown(cell.yes, cell.n, share)


def _whole(value: float) -> int:
    """Whole percentage points, halves away from zero (so -2.5 and 2.5 mirror)."""
    magnitude = round_half_up(Fraction(abs(value)))
    return magnitude if value >= 0 else -magnitude


def compare(
    current: Mapping[CellKey, Cell],
    history: Sequence[tuple[int, Mapping[CellKey, Shown]]],
) -> dict[CellKey, Comparison]:
    """Comparisons for every cell of ``current``.

    ``history`` holds the earlier published waves, oldest first, as (wave id, the cells
    shown in it). The previous wave is the last of them.
    """
    result: dict[CellKey, Comparison] = {}
    prev_id, prev_cells = history[-1] if history else (None, {})
    for key, cell in current.items():
        this = shown(cell)
        indicator, place, geography, area, breakdown, value = key
        kommun_share: int | None = None
        if area != KOMMUN:
            kommun = current.get((indicator, place, geography, KOMMUN, breakdown, value))
            kommun_shown = shown(kommun) if kommun else None
            kommun_share = kommun_shown.share_pct if kommun_shown else None
        comparison = Comparison(kommun_share_pct=kommun_share)
        if this is None:
            result[key] = comparison
            continue
        before = prev_cells.get(key)
        if prev_id is not None and before is not None:
            d = difference((this.yes, this.n), (before.yes, before.n))
            comparison = replace(
                comparison,
                prev_wave_id=prev_id,
                prev_share_pct=before.share_pct,
                diff_pct=_whole(d.diff_pp),
                diff_low_pct=_whole(d.low_pp),
                diff_high_pct=_whole(d.high_pp),
                diff_significant=d.significant,
            )
        # The run of consecutive waves, ending with this one, in which the cell is shown.
        run = [this]
        for _wave_id, cells in reversed(history):
            earlier = cells.get(key)
            if earlier is None:
                break
            run.append(earlier)
        if len(run) >= MIN_TREND_WAVES:
            t = trend([(s.yes, s.n) for s in reversed(run)])
            if t is not None:
                comparison = replace(comparison, trend=t.direction, trend_waves=len(run))
        result[key] = comparison
    return result
