"""The one visual language for direction: marks and words, defined once (no ORM).

Three questions get three separate answers, so a mark can never be read as another:

- *position*: is the district's share higher or lower than the kommun's? Marks ↑ / ↓,
  words "högre än kommunen" / "lägre än kommunen". Stated only when the district's whole
  95 % interval lies on one side of the kommun's share.
- *verdict*: is that better or worse? A word only ("bättre" / "sämre" / "ingen säker
  skillnad"), never an arrow, because it depends on the indicator's polarity: a higher
  share of pupils who trust the police is better, a higher share offered drugs is worse.
- *change* since the previous published wave: marks ↗ / ↘, words "ökat" / "minskat"
  with the size in procentenheter, and the verdict of the change in words ("tydlig
  förbättring" / "tydlig försämring" / "ingen säker förändring").

Pages, figure hover texts, tables, the PDF report and the export notes take their marks
and words from here only; ``tests/lagesbild/test_direction_marks.py`` holds every page
and the report to it.
"""

from __future__ import annotations

from typing import Literal

from django.utils.translation import gettext as _

from .chart_model import Verdict as Verdict  # the one vocabulary, drawn and written

Position = Literal["higher", "lower", "similar", "none"]

# Position against the kommun (the share itself, whatever the polarity).
HIGHER_MARK = "↑"
LOWER_MARK = "↓"
# Change since the previous wave (the share itself, whatever the polarity).
INCREASE_MARK = "↗"
DECREASE_MARK = "↘"
MARKS = (HIGHER_MARK, LOWER_MARK, INCREASE_MARK, DECREASE_MARK)
# Marks of earlier versions that meant different things on different pages; no page,
# figure or report may use them any more.
RETIRED_MARKS = ("▲", "▼", "△", "▽", "●")


def kommun_position(verdict: Verdict, higher_is_better: bool) -> Position:
    """Where the share lies against the kommun, from the verdict and the polarity."""
    if verdict in ("similar", "none"):
        return verdict
    better = verdict == "better"
    return "higher" if better == higher_is_better else "lower"


def position_mark(position: Position) -> str:
    return {"higher": HIGHER_MARK, "lower": LOWER_MARK}.get(position, "")


def position_words(position: Position) -> str:
    return {
        "higher": _("högre än kommunen"),
        "lower": _("lägre än kommunen"),
        "similar": _("ingen säker skillnad mot kommunen"),
        "none": _("kan inte jämföras"),
    }[position]


def verdict_word(verdict: Verdict) -> str:
    """Better or worse, with the indicator's polarity already taken into account."""
    return {
        "worse": _("sämre"),
        "better": _("bättre"),
        "similar": _("ingen säker skillnad"),
        "none": _("kan inte jämföras"),
    }[verdict]


def verdict_text(verdict: Verdict) -> str:
    """The verdict against the kommun as a phrase (hover texts, summaries)."""
    return {
        "worse": _("sämre än kommunen"),
        "better": _("bättre än kommunen"),
        "similar": _("ingen säker skillnad mot kommunen"),
        "none": _("kan inte jämföras"),
    }[verdict]


def kommun_comparison(verdict: Verdict, higher_is_better: bool) -> str:
    """Position and verdict together: "↓ lägre än kommunen (sämre)"."""
    position = kommun_position(verdict, higher_is_better)
    mark = position_mark(position)
    if not mark:
        return position_words(position)
    return f"{mark} {position_words(position)} ({verdict_word(verdict)})"


def change_mark(change_pp: int | None) -> str:
    if not change_pp:
        return ""
    return INCREASE_MARK if change_pp > 0 else DECREASE_MARK


def change_words(change_pp: int | None) -> str:
    """The change in words with its size: "ökat 7 p.e.", "minskat 3 p.e.", "oförändrat"."""
    if change_pp is None:
        return "–"
    if change_pp == 0:
        return _("oförändrat")
    words = _("ökat %(pp)s p.e.") if change_pp > 0 else _("minskat %(pp)s p.e.")
    return words % {"pp": abs(change_pp)}


def change_verdict_words(verdict: Verdict) -> str:
    """Whether the change is clear, and if so whether it is for the better."""
    return {
        "worse": _("tydlig försämring"),
        "better": _("tydlig förbättring"),
        "similar": _("ingen säker förändring"),
        "none": _("kan inte jämföras"),
    }[verdict]


def change_text(change_pp: int | None, verdict: Verdict) -> str:
    """Mark, change and verdict together: "↗ ökat 7 p.e. (tydlig försämring)"."""
    if change_pp is None:
        return "–"
    mark = change_mark(change_pp)
    words = change_words(change_pp)
    return f"{mark} {words} ({change_verdict_words(verdict)})".strip()


def legend() -> tuple[tuple[str, str], ...]:
    """Every mark with its words, for the legends of pages and the report."""
    return (
        (HIGHER_MARK, position_words("higher")),
        (LOWER_MARK, position_words("lower")),
        (INCREASE_MARK, _("ökat sedan förra omgången")),
        (DECREASE_MARK, _("minskat sedan förra omgången")),
    )
