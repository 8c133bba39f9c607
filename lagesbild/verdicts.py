"""The dashboards' verdicts: does a district stand out, is a change since the last wave clear.

Pure Python. The verdicts use public values only, so any reader can reproduce them:

* a district *stands out* when its 95 % interval lies entirely above or below the kommun's
  share; polarity decides whether that is "worse" or "better";
* a change since the previous wave is *clear* when the difference stored with the cell by
  the aggregation (`lagesbild.comparisons`) is significant; for cells without a stored
  comparison, when the two waves' intervals do not overlap (a conservative test).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import marks
from .marks import Verdict
from .public import PublicCell, WaveRef


@dataclass(frozen=True)
class Change:
    """The change of a share since the previous published wave."""

    previous_wave: str
    previous_text: str
    change_pp: int | None
    verdict: Verdict

    @property
    def text(self) -> str:
        """The change in words with its size, e.g. "ökat 7 p.e." (lagesbild.marks)."""
        return marks.change_words(self.change_pp)

    @property
    def icon(self) -> str:
        """↗ for an increase, ↘ for a decrease, whether or not the change is clear."""
        return marks.change_mark(self.change_pp)

    @property
    def verdict_text(self) -> str:
        """The verdict of the change: "tydlig försämring", "tydlig förbättring", …"""
        if self.change_pp is None:
            return ""
        return marks.change_verdict_words(self.verdict)


def compare_to_kommun(
    cell: PublicCell, kommun: PublicCell | None, higher_is_better: bool
) -> Verdict:
    """Stands out when the interval lies entirely above or below the kommun's share."""
    if (
        kommun is None
        or not kommun.shown
        or not cell.shown
        or cell.ci_low_pct is None
        or cell.ci_high_pct is None
    ):
        return "none"
    assert kommun.share_pct is not None  # noqa: S101 - guaranteed by .shown
    if cell.ci_low_pct > kommun.share_pct:
        return "better" if higher_is_better else "worse"
    if cell.ci_high_pct < kommun.share_pct:
        return "worse" if higher_is_better else "better"
    return "similar"


def change_since(
    cell: PublicCell | None,
    previous: PublicCell | None,
    previous_wave: WaveRef,
    higher_is_better: bool,
) -> Change:
    """Change in percentage points since the previous published wave.

    When the aggregation stored its comparison with the cell (a difference with a 95 %
    interval from the counts), that decides whether the change is clear. Otherwise it is
    clear only when the two waves' public intervals do not overlap (conservative).
    """
    previous_text = previous.text if previous else "–"
    if cell is None or previous is None or not cell.shown or not previous.shown:
        return Change(previous_wave.name, previous_text, None, "none")
    if cell.diff_pct is not None and cell.diff_significant is not None:
        stored: Verdict = "similar"
        if cell.diff_significant and cell.diff_pct != 0:
            stored = "better" if (cell.diff_pct > 0) == higher_is_better else "worse"
        return Change(previous_wave.name, previous_text, cell.diff_pct, stored)
    assert cell.share_pct is not None and previous.share_pct is not None  # noqa: S101
    diff = cell.share_pct - previous.share_pct
    verdict: Verdict = "similar"
    if (
        cell.ci_low_pct is not None
        and cell.ci_high_pct is not None
        and previous.ci_low_pct is not None
        and previous.ci_high_pct is not None
        and (cell.ci_low_pct > previous.ci_high_pct or cell.ci_high_pct < previous.ci_low_pct)
    ):
        up = diff > 0
        verdict = "better" if up == higher_is_better else "worse"
    return Change(previous_wave.name, previous_text, diff, verdict)
