"""The PDF report's content from the dashboards' pages, reads only (long because two kinds).

Kommun report: a summary of every indicator, one chart per indicator group of the
kommun's values (coloured by the change since the previous wave, with the previous value
as a tick), the districts × indicators table of each group with the position mark (↑/↓)
and the verdict word where a district stands out, the group's trend when there are at
least three published waves, the change table, the coordinator's analysis, the
åtgärdsplan's measures with their indicators across the waves, and the method appendix.
Every mark and verdict word comes from ``lagesbild.marks``.

District report: the same for one district, each value beside the kommun's (coloured by
the comparison with the kommun), and the district's history per indicator.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from django.utils import translation

from lagesbild import marks, numbers, public, selectors, verdicts
from lagesbild.catalogue import load_catalogue
from lagesbild.chart_model import Bar, Verdict
from lagesbild.collation import swedish
from lagesbild.pages.district import ProfileRow
from lagesbild.pages.indicator import IndicatorPage
from lagesbild.pages.measure_histories import MeasureHistory
from lagesbild.pages.overview import OverviewGroup
from lagesbild.snapshot import published_facts
from lagesbild.statistics import MIN_TREND_WAVES
from lagesbild.svg import TrendPoint, TrendSeries, bar_chart, trend_chart

from .appendix import appendix_from
from .key_messages import KeyMessage, district_messages, kommun_messages
from .pdf import (
    ChartBlock,
    DistrictMatrix,
    GroupSection,
    HistoryTable,
    MatrixRow,
    MeasureSection,
    MeasureValueTable,
    Report,
    StandOut,
    SummaryGroup,
    SummaryRow,
    TableRow,
)

TITLE = "Lägesbild: ungas trygghet"
Progress = Callable[[int, str], None]
VERDICTS: dict[str, Verdict] = {"worse": "worse", "better": "better", "similar": "similar"}


@dataclass(frozen=True)
class _Parts:
    """What differs between the kommun report and a district report."""

    area_name: str
    previous: public.WaveRef | None
    summary_intro: tuple[str, ...]
    messages: tuple[KeyMessage, ...]
    summary: tuple[SummaryGroup, ...]
    standouts: tuple[StandOut, ...]
    changes: tuple[SummaryRow, ...]
    groups: tuple[GroupSection, ...]
    cell_count: int


def _n(cell: public.PublicCell | None) -> str:
    """The rounded n with a no-break space between thousands (Swedish style)."""
    if cell is None or cell.n_shown is None:
        return "–"
    return numbers.count(cell.n_shown)


def _areas_count(areas: Sequence[public.AreaInfo]) -> str:
    if not areas:
        return "–"
    return "1 område" if len(areas) == 1 else f"{len(areas)} områden"


def _value(cell: public.PublicCell | None) -> str:
    return numbers.no_break(cell.text) if cell is not None else "–"


def _interval(cell: public.PublicCell | None) -> str:
    return numbers.no_break(cell.interval_text) if cell is not None else "–"


def _change(change: verdicts.Change | None) -> str:
    """Mark, size and verdict of a change: "↗ ökat 7 p.e. (tydlig försämring)"."""
    if change is None or change.change_pp is None:
        return ""
    return numbers.no_break(marks.change_text(change.change_pp, change.verdict))


def _change_size(change: verdicts.Change | None) -> str:
    """Mark and size only, for tables whose next column holds the verdict."""
    if change is None or change.change_pp is None:
        return ""
    return numbers.no_break(f"{change.icon} {change.text}".strip())


def _change_verdict(change: verdicts.Change | None) -> str:
    if change is None or change.change_pp is None:
        return marks.change_verdict_words("none")
    return marks.change_verdict_words(change.verdict)


def _shown(cell: public.PublicCell | None) -> bool:
    return cell is not None and cell.shown


def _summary_row(
    meta: public.IndicatorMeta,
    cell: public.PublicCell | None,
    change: str,
    worse: str,
    better: str = "",
) -> SummaryRow:
    """One indicator's row of the summary and the changes tables: its public value and
    interval; what the last three columns say is the caller's."""
    return SummaryRow(
        code=meta.code + (f":{meta.place}" if meta.place else ""),
        name=meta.title,
        value=_value(cell),
        interval=_interval(cell),
        unstable=bool(cell and cell.unstable),
        change=change,
        worse=worse,
        better=better,
    )


def _bar(
    label: str,
    cell: public.PublicCell | None,
    verdict: str,
    marker: int | None,
    marked: bool = False,
) -> Bar:
    shown = cell is not None and cell.shown
    return Bar(
        label=label,
        share=cell.share_pct if shown and cell else None,
        ci_low=cell.ci_low_pct if shown and cell else None,
        ci_high=cell.ci_high_pct if shown and cell else None,
        text=_value(cell) + (" (osäker)" if cell is not None and cell.unstable else ""),
        verdict=VERDICTS.get(verdict, "none"),
        marked=marked,
        marker=marker,
    )


def _previous_share(cell: public.PublicCell | None, change: verdicts.Change | None) -> int | None:
    if cell is None or change is None or change.change_pp is None or cell.share_pct is None:
        return None
    return cell.share_pct - change.change_pp


def _verdict(verdict: str, higher_is_better: bool) -> str:
    """Position against the kommun and the verdict: "↓ lägre än kommunen (sämre)"."""
    return marks.kommun_comparison(VERDICTS.get(verdict, "none"), higher_is_better)


def _meta_label(meta: public.IndicatorMeta) -> str:
    return meta.place_name if meta.place_name else meta.name


# --------------------------------------------------------------------------- kommun


def _kommun_blocks(group: OverviewGroup, previous: public.WaveRef | None) -> list[ChartBlock]:
    blocks = []
    parts = (
        ("", [r for r in group.rows if not r.meta.place]),
        ("platser", [r for r in group.rows if r.meta.place]),
    )
    for suffix, rows in parts:
        if not rows:
            continue
        title = (
            f"{group.name}: kommunen" if not suffix else f"{rows[0].meta.name}: kommunen, per plats"
        )
        bars = [
            _bar(
                _meta_label(r.meta),
                r.kommun,
                r.change.verdict if r.change else "none",
                _previous_share(r.kommun, r.change),
            )
            for r in rows
        ]
        shown = [b for b in bars if b.share is not None]
        summary = (
            f"{title}. "
            + "; ".join(f"{b.label} {b.text}" for b in bars)
            + ". Staplarnas färg visar förändringen sedan förra omgången: orange tydlig "
            "försämring, blå tydlig förbättring, grå ingen säker förändring. Strecket visar "
            "förra omgångens värde."
        )
        anchor = f"diagram-{group.key}{'-' + suffix if suffix else ''}"
        blocks.append(
            ChartBlock(
                anchor=anchor,
                title=title,
                svg=bar_chart(
                    bars,
                    title=title,
                    description=summary if shown else f"{title}: inga värden visas.",
                    marker_label=previous.name if previous else "",
                    ident=anchor,
                ),
                summary=summary,
                rows=tuple(
                    TableRow(
                        label=_meta_label(r.meta),
                        value=_value(r.kommun),
                        interval=_interval(r.kommun),
                        n=_n(r.kommun),
                        unstable=bool(r.kommun and r.kommun.unstable),
                        verdict=_change_verdict(r.change) if previous else "",
                        change=_change_size(r.change),
                        note=r.kommun.reason_text if r.kommun and not r.kommun.shown else "",
                    )
                    for r in rows
                ),
                table_caption=(
                    f"{title} (jämfört med {previous.name})"
                    if previous
                    else f"{title} (ingen tidigare omgång)"
                ),
                first_header="Plats" if suffix else "Indikator",
                verdict_header=f"Jämfört med {previous.name}" if previous else "Förändring",
            )
        )
    return blocks


def _matrix(
    wave: public.WaveRef, group: OverviewGroup
) -> tuple[DistrictMatrix | None, list[IndicatorPage]]:
    scope = selectors.scope_of(wave)
    pages = [
        selectors.indicator_page(
            scope, r.meta, breakdown="total", geography=r.meta.geography, area=None
        )
        for r in group.rows
        if not r.meta.place
    ]
    if not pages:
        return None, pages
    areas: dict[str, public.AreaInfo] = {}
    values: dict[tuple[str, str], str] = {}
    for page in pages:
        for row in page.rows:
            areas[row.area.code] = row.area
            # Position mark and verdict word: "43 % ↓ sämre" (lagesbild.marks).
            position = marks.kommun_position(row.verdict, page.meta.higher_is_better)
            mark = marks.position_mark(position)
            values[(row.area.code, page.meta.code)] = numbers.no_break(
                row.cell.text + (f" {mark} {marks.verdict_word(row.verdict)}" if mark else "")
            )
    columns = tuple((p.meta.code, p.meta.name) for p in pages)
    rows = tuple(
        MatrixRow(
            label=area.name,
            marked=area.police_area,
            values=tuple(values.get((area.code, code), "–") for code, _name in columns),
        )
        for area in sorted(areas.values(), key=lambda a: swedish(a.name))
    )
    return (
        DistrictMatrix(
            caption=(
                f"{group.name}: andel per område (bostadsområde eller skolans område "
                "enligt indikatorn)"
            ),
            columns=columns,
            kommun=tuple(_value(p.kommun) for p in pages),
            rows=rows,
        ),
        pages,
    )


def _measure_label(number: int) -> str:
    return f"Åtgärd {number}"


def _group_trend(
    group_name: str,
    pages: Sequence[IndicatorPage],
    anchor: str,
    histories: Sequence[MeasureHistory] = (),
) -> tuple[str, str]:
    with_trend = [p for p in pages if p.trend.figure is not None and p.trend.rows]
    if not with_trend:
        reason = next((p.trend.reason for p in pages if p.trend.reason), "")
        return "", reason
    waves = with_trend[0].trend.waves
    series = []
    for page in with_trend:
        _name, cells = page.trend.rows[0]  # the kommun's series
        if page.trend.waves != waves:
            continue
        series.append(
            TrendSeries(
                name=page.meta.name,
                points=tuple(
                    TrendPoint(
                        c.share_pct if _shown(c) and c else None,
                        c.ci_low_pct if _shown(c) and c else None,
                        c.ci_high_pct if _shown(c) and c else None,
                    )
                    for c in cells
                ),
            )
        )
    title = f"{group_name}: kommunen över tid"
    description = "; ".join(
        f"{p.meta.name}: " + ", ".join(_value(c) for c in p.trend.rows[0][1]) for p in with_trend
    )
    # The measures that target an indicator of the chart, numbered as in their chapter.
    codes = {p.meta.code for p in with_trend}
    marked = [
        (number, h)
        for number, h in enumerate(histories, 1)
        if h.position is not None and h.waves == waves and codes & set(h.measure.indicators)
    ]
    starts = [(h.position, _measure_label(n)) for n, h in marked if h.position is not None]
    if marked:
        description += ". " + "; ".join(
            f"Lodrät prickad linje, {_measure_label(n)}: {h.measure.title} {h.timing}"
            for n, h in marked
        )
    svg = trend_chart(
        series, waves=waves, title=title, description=description, ident=anchor, starts=starts
    )
    return svg, f"{title} (andel med intervall, per publicerad omgång). {description}."


def _kommun_report(
    wave: public.WaveRef,
    progress: Progress,
    histories: Sequence[MeasureHistory] = (),
) -> _Parts:
    ov = selectors.overview(selectors.scope_of(wave))
    progress(10, "overview")
    summary = tuple(
        SummaryGroup(
            group.name,
            tuple(
                _summary_row(
                    r.meta,
                    r.kommun,
                    _change(r.change),
                    _areas_count(r.worse),
                    _areas_count(r.better),
                )
                for r in group.rows
            ),
        )
        for group in ov.groups
    )
    groups = []
    all_pages: list[IndicatorPage] = []
    count = max(1, len(ov.groups))
    for index, group in enumerate(ov.groups):
        matrix, pages = _matrix(wave, group)
        all_pages.extend(pages)
        trend_svg, trend_caption = _group_trend(group.name, pages, f"trend-{group.key}", histories)
        groups.append(
            GroupSection(
                anchor=f"grupp-{group.key}",
                title=group.name,
                blocks=tuple(_kommun_blocks(group, ov.previous)),
                matrix=matrix,
                trend_svg=trend_svg,
                trend_caption=trend_caption,
            )
        )
        progress(10 + 20 * (index + 1) // count, "groups")
    rows = [r for g in ov.groups for r in g.rows]
    standouts = tuple(
        StandOut(
            r.meta.title,
            ", ".join(a.name for a in r.worse),
            ", ".join(a.name for a in r.better),
        )
        for r in rows
        if r.worse or r.better
    )
    changes = tuple(
        _summary_row(r.meta, r.kommun, _change_size(r.change), _change_verdict(r.change))
        for r in rows
    )
    worse = [r for r in rows if r.change and r.change.verdict == "worse"]
    better = [r for r in rows if r.change and r.change.verdict == "better"]
    intro = [
        f"Rapporten visar {len(rows)} indikatorer för hela kommunen och dess områden i "
        f"{wave.name}. Alla värden är andelar av de elever som gav ett giltigt svar.",
    ]
    if ov.previous:
        intro.append(
            f"Jämfört med {ov.previous.name} visar {len(worse)} indikatorer en tydlig "
            f"försämring och {len(better)} en tydlig förbättring; övriga har ingen säker "
            "förändring eller kan inte jämföras."
        )
    else:
        intro.append(
            "Det finns ingen tidigare publicerad omgång, så rapporten visar inga förändringar."
        )
    intro.append(f"{len(standouts)} indikatorer har minst ett område som sticker ut från kommunen.")
    return _Parts(
        area_name="",
        previous=ov.previous,
        summary_intro=tuple(intro),
        messages=kommun_messages(rows, all_pages),
        summary=summary,
        standouts=standouts,
        changes=changes,
        groups=tuple(groups),
        cell_count=sum(len(b.rows) for g in groups for b in g.blocks)
        + sum(len(g.matrix.rows) * len(g.matrix.columns) for g in groups if g.matrix),
    )


# --------------------------------------------------------------------------- district


def _district_report(wave: public.WaveRef, area: public.AreaInfo, progress: Progress) -> _Parts:
    profile = selectors.district_profile(selectors.scope_of(wave), area, breakdown="total")
    progress(20, "profile")
    by_group: dict[str, list[ProfileRow]] = {}
    for row in (*profile.rows, *profile.places):
        by_group.setdefault(row.meta.group, []).append(row)
    group_names = {m.group: m.group_name for m in (r.meta for r in profile.rows)}
    groups = []
    summary = []
    for key, rows in by_group.items():
        name = group_names.get(key, rows[0].meta.group_name)
        plain = [r for r in rows if not r.meta.place]
        places = [r for r in rows if r.meta.place]
        blocks = []
        for suffix, items in (("", plain), ("platser", places)):
            if not items:
                continue
            title = (
                f"{name}: {area.name} och kommunen"
                if not suffix
                else f"{items[0].meta.name}: {area.name}, per plats"
            )
            anchor = f"diagram-{key}{'-' + suffix if suffix else ''}"
            bars = [
                _bar(
                    _meta_label(r.meta),
                    r.cell,
                    r.verdict,
                    r.kommun.share_pct if _shown(r.kommun) and r.kommun else None,
                )
                for r in items
            ]
            description = (
                f"{title}. "
                + "; ".join(
                    f"{_meta_label(r.meta)} {_value(r.cell)} (kommunen {_value(r.kommun)})"
                    for r in items
                )
                + ". Orange: sämre än kommunen, blå: bättre än kommunen, grå: ingen säker "
                "skillnad mot kommunen. Strecket visar kommunens värde."
            )
            blocks.append(
                ChartBlock(
                    anchor=anchor,
                    title=title,
                    svg=bar_chart(
                        bars,
                        title=title,
                        description=description,
                        marker_label="Kommunen",
                        ident=anchor,
                    ),
                    summary=description,
                    rows=tuple(
                        TableRow(
                            label=_meta_label(r.meta),
                            value=_value(r.cell),
                            interval=_interval(r.cell),
                            n=_n(r.cell),
                            unstable=bool(r.cell and r.cell.unstable),
                            kommun=_value(r.kommun),
                            verdict=_verdict(r.verdict, r.meta.higher_is_better),
                            change=_change(r.change),
                            note=r.cell.reason_text if r.cell and not r.cell.shown else "",
                        )
                        for r in items
                    ),
                    table_caption=f"{title} ({wave.name})",
                    first_header="Plats" if suffix else "Indikator",
                    show_kommun=True,
                )
            )
        history = None
        if len(profile.history_waves) >= 2:
            history = HistoryTable(
                caption=f"{name}: {area.name} per publicerad omgång",
                waves=profile.history_waves,
                rows=tuple(
                    (r.meta.title, tuple(numbers.no_break(t) for t in r.history)) for r in rows
                ),
            )
        trend_note = (
            ""
            if len(profile.history_waves) >= MIN_TREND_WAVES
            else "Trender kräver minst tre publicerade omgångar."
        )
        groups.append(
            GroupSection(
                anchor=f"grupp-{key}",
                title=name,
                blocks=tuple(blocks),
                history=history,
                trend_caption=trend_note,
            )
        )
        summary.append(
            SummaryGroup(
                name,
                tuple(
                    _summary_row(
                        r.meta,
                        r.cell,
                        _change(r.change),
                        _verdict(r.verdict, r.meta.higher_is_better),
                    )
                    for r in rows
                ),
            )
        )
    all_rows = [*profile.rows, *profile.places]
    worse = [r for r in profile.rows if r.verdict == "worse"]
    better = [r for r in profile.rows if r.verdict == "better"]
    intro = (
        f"Rapporten visar {len(all_rows)} indikatorer för {area.name} i {wave.name}, "
        "jämförda med hela kommunen."
        + (" Området är klassat av polisen som utsatt område." if area.police_area else ""),
        f"{len(worse)} indikatorer är tydligt sämre och {len(better)} tydligt bättre än "
        "kommunen (hela intervallet över eller under kommunens andel).",
        profile.summary,
    )
    changes = tuple(
        _summary_row(r.meta, r.cell, _change_size(r.change), _change_verdict(r.change))
        for r in all_rows
    )
    return _Parts(
        area_name=area.name,
        previous=profile.previous,
        summary_intro=intro,
        messages=district_messages(area.name, profile.rows),
        summary=tuple(summary),
        standouts=(),
        changes=changes,
        groups=tuple(groups),
        cell_count=2 * len(all_rows),
    )


# --------------------------------------------------------------------------- åtgärdsplan


def _history_value(cell: public.PublicCell | None) -> str:
    """A published value, or "–" / a bound with the reason it is not shown exactly."""
    if cell is None:
        return "–"
    if cell.shown or not cell.reason_text:
        return _value(cell)
    return f"{_value(cell)} ({cell.reason_text})"


def _measure_sections(
    histories: Sequence[MeasureHistory],
) -> tuple[MeasureSection, ...]:
    """Each measure with its indicators' published values per wave, oldest start first."""
    return tuple(
        MeasureSection(
            anchor=f"atgard-{h.measure.id}",
            label=_measure_label(number),
            title=h.measure.title,
            description=h.measure.description,
            parties=h.measure.parties_text,
            districts=h.measure.districts_text,
            started_on=h.measure.started_on,
            timing=h.timing,
            status=h.measure.status_text,
            follow_up=h.measure.follow_up,
            tables=tuple(
                MeasureValueTable(
                    caption=f"{table.meta.title}: andel per publicerad omgång",
                    waves=h.waves,
                    rows=tuple(
                        (name, tuple(_history_value(c) for c in cells))
                        for name, cells in table.rows
                    ),
                )
                for table in h.tables
            ),
        )
        for number, h in enumerate(histories, 1)
    )


# --------------------------------------------------------------------------- entry


def _silent(_percent: int, _step: str) -> None:
    return None


def build_report(
    *,
    wave: public.WaveRef,
    area: public.AreaInfo | None,
    today: date,
    progress: Progress = _silent,
) -> Report:
    """The report's content for the kommun (``area`` None) or one district."""
    with translation.override("sv"):
        # The kommun's measures (a district report: those that target the district).
        histories = selectors.measure_histories(
            selectors.scope_of(wave), area=area.code if area else None
        )
        parts = (
            _kommun_report(wave, progress, histories)
            if area is None
            else _district_report(wave, area, progress)
        )
        # What the report prints besides the cells, as frozen at publication.
        facts = published_facts(wave_id=wave.id)
        catalogue = load_catalogue(facts.catalogue_version)
        return Report(
            title=TITLE,
            subtitle=(
                f"Resultat från trygghetsenkäten i {facts.municipality}: hur unga i "
                "årskurs 7 till gymnasiet upplever sin trygghet, vad de utsätts för och vilka "
                "skyddsfaktorer som finns."
            ),
            municipality=facts.municipality,
            wave_name=facts.wave_name,
            wave_slug=facts.wave_slug,
            published_on=wave.published_at.date() if wave.published_at else None,
            generated_on=today,
            area_name=parts.area_name,
            previous_name=parts.previous.name if parts.previous else "",
            summary_intro=parts.summary_intro,
            messages=tuple(
                KeyMessage(m.kind, m.verdict, m.lead, numbers.no_break(m.text), m.size, m.order)
                for m in parts.messages
            ),
            summary=parts.summary,
            standouts=parts.standouts,
            changes=parts.changes,
            trend_note="",
            analysis=facts.analysis_paragraphs,
            groups=parts.groups,
            appendix=appendix_from(facts, catalogue=catalogue),
            cell_count=parts.cell_count,
            measures=_measure_sections(histories),
        )
