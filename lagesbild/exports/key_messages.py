"""The report's first page: the three to five messages that matter most, chosen by rules.

Pure functions over the dashboards' public values (no ORM, no suppressed value can enter:
a cell that is not shown is never a candidate). The rules, also in docs/dashboards.md:

1. **Candidates.**
   - *change*: an indicator whose share changed clearly since the previous published
     wave (the same test as the change columns: the 95 % interval of the difference
     excludes 0, or the two waves' intervals do not overlap). Size: the change in p.e.
   - *district* (kommun report): an indicator where at least one district's whole 95 %
     interval lies above or below the kommun's share. One candidate per indicator and
     direction (worse or better): the district farthest from the kommun's share; the
     others on the same side are counted in its message. Size: the distance in p.e.
   - *district* (district report): an indicator where the district's whole interval lies
     above or below the kommun's share. Size: the distance in p.e.
   Places (per-place detail of an indicator) are not candidates: their indicator is.
2. **Order.** Worse before better (the report is read to decide what to do), then the
   larger size, then the catalogue's order.
3. **Pick** in that order, at most three of each kind and at most five in all.
4. **Fewer than three?** Add the largest shares of risk indicators (a higher share is
   worse), largest first, as statements of level, until there are three. When nothing is
   shown at all, there are no messages and the page says so.

Every message gives the values with their 95 % intervals and its direction with the
marks and words of ``lagesbild.marks``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from lagesbild import marks, public, verdicts
from lagesbild.collation import swedish
from lagesbild.pages.district import ProfileRow
from lagesbild.pages.indicator import IndicatorPage
from lagesbild.pages.overview import OverviewRow

Kind = Literal["change", "district", "level"]

# The rules above in the report's words (its method appendix).
RULES = (
    "Första sidans budskap väljs med fasta regler ur de publicerade värdena, inte för "
    "hand. Kandidater är indikatorer som har förändrats tydligt sedan förra omgången "
    "(skillnadens 95-procentiga intervall omfattar inte noll) och indikatorer där ett "
    "område skiljer sig tydligt från kommunen (hela områdets intervall ligger över eller "
    "under kommunens andel; det område som ligger längst ifrån nämns, övriga räknas).",
    "Kandidaterna ordnas med ”sämre” före ”bättre”, sedan efter skillnadens storlek i "
    "procentenheter. Högst tre budskap av varje slag och högst fem totalt väljs. Finns "
    "färre än tre, fylls sidan på med de högsta andelarna bland riskindikatorerna, som "
    "beskriver nivån och inte en skillnad.",
)
MAX_MESSAGES = 5
MAX_PER_KIND = 3
MIN_MESSAGES = 3


@dataclass(frozen=True)
class KeyMessage:
    kind: Kind
    verdict: marks.Verdict
    lead: str  # a few words in bold before the sentence: "Tydlig försämring"
    text: str
    size: int  # p.e. (change and district) or the share (level); for ordering only
    order: int  # the indicator's position in the catalogue


def _shown(cell: public.PublicCell | None) -> bool:
    return cell is not None and cell.shown


def _with_interval(cell: public.PublicCell) -> str:
    return f"{cell.text} ({cell.interval_text})"


def _change_message(
    order: int,
    meta: public.IndicatorMeta,
    cell: public.PublicCell | None,
    change: verdicts.Change | None,
    where: str,
) -> KeyMessage | None:
    if (
        not _shown(cell)
        or cell is None
        or change is None
        or change.change_pp is None
        or change.verdict not in ("worse", "better")
    ):
        return None
    lead = marks.change_verdict_words(change.verdict)
    text = (
        f"{where}: {meta.title} {_with_interval(cell)}, "
        f"{marks.change_mark(change.change_pp)} {marks.change_words(change.change_pp)} "
        f"sedan {change.previous_wave} ({change.previous_text})."
    )
    return KeyMessage(
        "change", change.verdict, lead[:1].upper() + lead[1:], text, abs(change.change_pp), order
    )


def _distance(cell: public.PublicCell, kommun: public.PublicCell) -> int:
    assert cell.share_pct is not None and kommun.share_pct is not None  # noqa: S101
    return abs(cell.share_pct - kommun.share_pct)


def _district_message(
    order: int,
    meta: public.IndicatorMeta,
    verdict: marks.Verdict,
    area: str,
    cell: public.PublicCell,
    kommun: public.PublicCell,
    others: int,
) -> KeyMessage:
    position = marks.kommun_position(verdict, meta.higher_is_better)
    text = (
        f"{area}: {meta.title} {_with_interval(cell)}, "
        f"{marks.position_mark(position)} {marks.position_words(position)} ({kommun.text})."
    )
    if others:
        side = marks.position_words(position)
        text += (
            f" Ytterligare {others} område ligger tydligt {side}."
            if others == 1
            else f" Ytterligare {others} områden ligger tydligt {side}."
        )
    lead = f"{marks.verdict_text(verdict)[:1].upper()}{marks.verdict_text(verdict)[1:]}"
    return KeyMessage("district", verdict, lead, text, _distance(cell, kommun), order)


def _level_message(
    order: int, meta: public.IndicatorMeta, cell: public.PublicCell, where: str
) -> KeyMessage:
    assert cell.share_pct is not None  # noqa: S101 - only shown cells get here
    return KeyMessage(
        "level",
        "none",
        "Nivå",
        f"{where}: {meta.title} {_with_interval(cell)}.",
        cell.share_pct,
        order,
    )


def _rank(message: KeyMessage) -> tuple[int, int, int]:
    return (0 if message.verdict == "worse" else 1, -message.size, message.order)


def choose(
    candidates: Sequence[KeyMessage], levels: Sequence[KeyMessage]
) -> tuple[KeyMessage, ...]:
    """Rules 2 to 4: order, pick at most three a kind and five in all, fill with levels."""
    picked: list[KeyMessage] = []
    per_kind: dict[Kind, int] = {}
    for message in sorted(candidates, key=_rank):
        if len(picked) == MAX_MESSAGES:
            break
        if per_kind.get(message.kind, 0) == MAX_PER_KIND:
            continue
        picked.append(message)
        per_kind[message.kind] = per_kind.get(message.kind, 0) + 1
    for message in sorted(levels, key=lambda m: (-m.size, m.order)):
        if len(picked) >= MIN_MESSAGES:
            break
        picked.append(message)
    return tuple(picked)


def _levels(
    rows: Sequence[tuple[int, public.IndicatorMeta, public.PublicCell | None]], where: str
) -> list[KeyMessage]:
    return [
        _level_message(order, meta, cell, where)
        for order, meta, cell in rows
        if cell is not None and cell.shown and not meta.higher_is_better and not meta.place
    ]


def kommun_messages(
    rows: Sequence[OverviewRow], pages: Sequence[IndicatorPage]
) -> tuple[KeyMessage, ...]:
    """The kommun report's messages, from the overview's rows and the indicators' pages."""
    order = {(r.meta.code, r.meta.place): i for i, r in enumerate(rows)}
    candidates: list[KeyMessage] = []
    for index, row in enumerate(rows):
        if row.meta.place:
            continue
        message = _change_message(index, row.meta, row.kommun, row.change, "Kommunen")
        if message is not None:
            candidates.append(message)
    sides: tuple[marks.Verdict, ...] = ("worse", "better")
    for page in pages:
        kommun = page.kommun
        if page.meta.place or kommun is None or not kommun.shown:
            continue
        for verdict in sides:
            standing = [r for r in page.rows if r.verdict == verdict and r.cell.shown]
            if not standing:
                continue
            far = min(standing, key=lambda r: (-_distance(r.cell, kommun), swedish(r.area.name)))
            candidates.append(
                _district_message(
                    order.get((page.meta.code, ""), len(order)),
                    page.meta,
                    verdict,
                    far.area.name,
                    far.cell,
                    kommun,
                    len(standing) - 1,
                )
            )
    levels = _levels([(i, r.meta, r.kommun) for i, r in enumerate(rows)], "Kommunen")
    return choose(candidates, levels)


def district_messages(area: str, rows: Sequence[ProfileRow]) -> tuple[KeyMessage, ...]:
    """A district report's messages: where it differs from the kommun, how it changed."""
    candidates: list[KeyMessage] = []
    for index, row in enumerate(rows):
        if row.meta.place:
            continue
        message = _change_message(index, row.meta, row.cell, row.change, area)
        if message is not None:
            candidates.append(message)
        if (
            row.verdict in ("worse", "better")
            and row.cell is not None
            and row.cell.shown
            and row.kommun is not None
            and row.kommun.shown
        ):
            candidates.append(
                _district_message(index, row.meta, row.verdict, area, row.cell, row.kommun, 0)
            )
    levels = _levels([(i, r.meta, r.cell) for i, r in enumerate(rows)], area)
    return choose(candidates, levels)
