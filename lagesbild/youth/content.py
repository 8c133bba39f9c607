"""What the young people's page says: plain sentences built from published cells only.

Pure functions (no ORM): the view hands in the dashboards' own public values (an
`Overview`, the wave's `PublicCell`s, the districts) and gets back sentences in one
language. Nothing here can see a raw count, and a cell that is not shown, or shown only
as a bound, never becomes a number it does not already print on the dashboards:

* a shown share becomes "23 av 100" (the same whole percent);
* a bound ("< 5 %") becomes "färre än 5 av 100";
* a suppressed cell becomes no sentence at all.

The choice of "the most important" follows the report's first-page rules
(`lagesbild.exports.key_messages.choose`, documented in docs/dashboards.md), at kommun
level: clear changes since the previous wave, worse first, then the largest risk shares.
A district is named only where its whole 95 % interval lies above or below the kommun's
share (`verdicts.compare_to_kommun`, the dashboards' rule).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from babel.dates import format_date

from lagesbild import public, verdicts
from lagesbild.collation import swedish
from lagesbild.exports import key_messages
from lagesbild.models import KOMMUN_AREA, CellState
from lagesbild.pages.overview import Overview, OverviewRow

TEXTS_FILE = Path(__file__).with_name("texts.yaml")
RTL_LANGUAGES = frozenset({"ar"})
# The page shows a whole-kommun response count only to the nearest ten.
ANSWERED_ROUNDING = 10
_BOUND = re.compile(r"^\s*([<>])\s*(\d+)\s*%\s*$")


@dataclass(frozen=True)
class Texts:
    """One language's texts (texts.yaml)."""

    language: str
    draft: bool
    ui: Mapping[str, str]
    groups: Mapping[str, str]
    indicators: Mapping[str, str]

    @property
    def rtl(self) -> bool:
        return self.language in RTL_LANGUAGES

    def say(self, key: str, **values: object) -> str:
        return self.ui[key].format(**values)

    def filled(self, **values: object) -> dict[str, str]:
        """Every interface text with the page's names put in ({kommun}, {wave}, {url});
        a placeholder these do not fill is left as it is. An address is isolated as
        left-to-right text (U+2066 … U+2069), so that a right-to-left sentence does not
        turn it around."""
        if "url" in values:
            values = {**values, "url": f"\u2066{values['url']}\u2069"}
        keep = _Keep(values)
        return {key: text.format_map(keep) for key, text in self.ui.items()}


class _Keep(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@cache
def _all_texts() -> dict[str, Texts]:
    raw: dict[str, Any] = yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))
    return {
        code: Texts(
            language=code,
            draft=bool(entry.get("draft", False)),
            ui=dict(entry["ui"]),
            groups=dict(entry["groups"]),
            indicators=dict(entry["indicators"]),
        )
        for code, entry in raw.items()
    }


def languages() -> tuple[str, ...]:
    """Every language the young people's page has texts for, in the file's order."""
    return tuple(_all_texts())


def texts(language: str) -> Texts:
    return _all_texts()[language]


# --------------------------------------------------------------------------- numbers


def of_hundred(cell: public.PublicCell | None, t: Texts) -> str | None:
    """The value of ``cell`` as the page says it before "av 100", or None when the cell
    may not be said at all (suppressed, or missing)."""
    if cell is None:
        return None
    if cell.shown:
        return str(cell.share_pct)
    if cell.state == CellState.BOUND and cell.bound:
        match = _BOUND.match(cell.bound)
        if match is None:
            return None
        side, limit = match.groups()
        return t.say("fewer_than" if side == "<" else "more_than", n=limit)
    return None


def answered_text(total: int, t: Texts, *, number: Any) -> str:
    """ "Ungefär 1 230 elever svarade." (to the nearest ten; ``number`` formats it)."""
    rounded = max(ANSWERED_ROUNDING, round(total / ANSWERED_ROUNDING) * ANSWERED_ROUNDING)
    return t.say("answered", n=number(rounded))


def date_text(day: date, language: str) -> str:
    """A month and year as a young reader says it: "oktober 2026"."""
    return format_date(day, "LLLL y", locale=language)


# --------------------------------------------------------------------------- findings


def _uncertain(cell: public.PublicCell | None) -> bool:
    """A value the dashboards flag as unstable (fewer than 30 answers, or an interval
    wider than ±15 points) is not said to young readers as a plain fact."""
    return cell is None or cell.unstable


@dataclass(frozen=True)
class Finding:
    code: str
    group: str
    sentence: str
    change: str  # "Fler än förra gången." or "" when there is no clear change
    share: int | None  # the shown share for the page's bar; None for a bound


def _change_words(row: OverviewRow, t: Texts) -> str:
    change = row.change
    if change is None or change.change_pp is None:
        return ""
    if change.verdict in ("worse", "better") and change.change_pp:
        return t.say("more" if change.change_pp > 0 else "fewer")
    if change.verdict == "similar":
        return t.say("same")
    return ""


def _finding(row: OverviewRow, t: Texts) -> Finding | None:
    template = t.indicators.get(row.meta.code)
    value = of_hundred(row.kommun, t)
    if template is None or value is None or row.meta.place or _uncertain(row.kommun):
        return None
    return Finding(
        code=row.meta.code,
        group=row.meta.group,
        sentence=template.format(n=value),
        change=_change_words(row, t),
        share=row.kommun.share_pct if row.kommun is not None and row.kommun.shown else None,
    )


@dataclass(frozen=True)
class FindingGroup:
    key: str
    title: str
    findings: tuple[Finding, ...]


def kommun_findings(overview: Overview, t: Texts) -> tuple[FindingGroup, ...]:
    """Every indicator the page speaks of, at kommun level, in the catalogue's groups."""
    groups = []
    for group in overview.groups:
        found = tuple(f for f in (_finding(row, t) for row in group.rows) if f is not None)
        if found:
            groups.append(FindingGroup(group.key, t.groups[group.key], found))
    return tuple(groups)


def important(overview: Overview, t: Texts) -> tuple[Finding, ...]:
    """The three to five findings that matter most, by the report's first-page rules."""
    rows = [row for group in overview.groups for row in group.rows]
    by_text: dict[str, Finding] = {}
    candidates: list[key_messages.KeyMessage] = []
    levels: list[key_messages.KeyMessage] = []
    for order, row in enumerate(rows):
        finding = _finding(row, t)
        if finding is None or row.kommun is None or not row.kommun.shown:
            continue
        by_text[finding.sentence] = finding
        change = row.change
        if (
            change is not None
            and change.change_pp is not None
            and change.verdict in ("worse", "better")
        ):
            candidates.append(
                key_messages.KeyMessage(
                    "change", change.verdict, "", finding.sentence, abs(change.change_pp), order
                )
            )
        if not row.meta.higher_is_better:
            assert row.kommun.share_pct is not None  # noqa: S101 - shown
            levels.append(
                key_messages.KeyMessage(
                    "level", "none", "", finding.sentence, row.kommun.share_pct, order
                )
            )
    return tuple(by_text[m.text] for m in key_messages.choose(candidates, levels))


# --------------------------------------------------------------------------- districts


@dataclass(frozen=True)
class DistrictFinding:
    sentence: str
    comparison: str


@dataclass(frozen=True)
class DistrictView:
    code: str
    name: str
    findings: tuple[DistrictFinding, ...]


def district_findings(
    metas: Sequence[public.IndicatorMeta],
    cells: Iterable[public.PublicCell],
    areas: Mapping[str, public.AreaInfo],
    t: Texts,
) -> tuple[DistrictView, ...]:
    """Per district, the indicators where it stands out clearly from the kommun.

    ``cells`` are the wave's published cells of the whole population (breakdown total);
    each indicator is read in its own geography. Only shown cells can stand out.
    """
    geography = {m.code: m.geography for m in metas if not m.place}
    by_key = {
        (c.area, c.indicator): c
        for c in cells
        if not c.place and c.geography == geography.get(c.indicator)
    }
    views = []
    for area in sorted(areas.values(), key=lambda a: swedish(a.name)):
        found = []
        for meta in metas:
            template = t.indicators.get(meta.code)
            cell = by_key.get((area.code, meta.code))
            kommun = by_key.get((KOMMUN_AREA, meta.code))
            if template is None or meta.place or cell is None or kommun is None:
                continue
            if _uncertain(cell) or _uncertain(kommun):
                continue
            verdict = verdicts.compare_to_kommun(cell, kommun, meta.higher_is_better)
            if verdict not in ("worse", "better"):
                continue
            assert cell.share_pct is not None and kommun.share_pct is not None  # noqa: S101
            key = "district_more" if cell.share_pct > kommun.share_pct else "district_fewer"
            found.append(
                DistrictFinding(
                    sentence=template.format(n=cell.share_pct),
                    comparison=t.say(key, k=kommun.share_pct),
                )
            )
        views.append(DistrictView(area.code, area.name, tuple(found)))
    return tuple(views)


# --------------------------------------------------------------------------- measures


@dataclass(frozen=True)
class MeasureInput:
    """The public parts of one published measure (`lagesbild.models.Measure`)."""

    title: str
    text: str
    indicators: tuple[str, ...]
    started_on: date
    status: str


@dataclass(frozen=True)
class MeasureView:
    title: str
    text: str
    you_said: tuple[str, ...]
    started: str
    status: str


def measure_views(
    measures: Iterable[MeasureInput], groups: Sequence[FindingGroup], t: Texts, *, today: date
) -> tuple[MeasureView, ...]:
    """ "Ni sa … – vi gör …": each measure with the kommun findings of its indicators.
    A measure whose indicators have no finding on this page still says what is done."""
    by_code = {f.code: f.sentence for group in groups for f in group.findings}
    views = []
    for m in measures:
        when = date_text(m.started_on, t.language)
        if m.status != "planned":
            started, status = t.say("started", date=when), t.say(f"status_{m.status}")
        elif m.started_on > today:  # a planned measure has not started: when it is to
            started, status = t.say("planned_start", date=when), ""
        else:  # planned, and its date has passed without a start: no date is promised
            started, status = "", t.say("status_planned")
        views.append(
            MeasureView(
                title=m.title,
                text=m.text,
                you_said=tuple(by_code[code] for code in m.indicators if code in by_code),
                started=started,
                status=status,
            )
        )
    return tuple(views)
