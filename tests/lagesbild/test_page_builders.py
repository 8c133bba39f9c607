"""The dashboards' page builders are pure: cells in, a page out, no database.

Each test hands a builder a few public cells made here and reads the verdicts the page
states. No test in this module touches the database (none is marked django_db, so any
query would fail).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from lagesbild.models import KOMMUN_AREA
from lagesbild.pages import district, indicator, map, measure_histories, overview
from lagesbild.public import AreaInfo, PublicCell, Scope, WaveRef, find_indicator

NOW = datetime(2026, 10, 1, tzinfo=UTC)
BEFORE = WaveRef(id=1, slug="ht2025", name="HT 2025", published_at=NOW, municipality_id=7)
WAVE = WaveRef(id=2, slug="ht2026", name="HT 2026", published_at=NOW, municipality_id=7)
NORTH = AreaInfo("N1", "Norrby", "district", False, "", True)
SOUTH = AreaInfo("S1", "Söderby", "district", True, "", True)
SCOPE = Scope(wave=WAVE, waves=(BEFORE, WAVE), areas={"N1": NORTH, "S1": SOUTH}, version="t")
# TRY01 (unsafe in one's own area in the evening): higher is worse, home geography.
TRY01 = find_indicator("TRY01", "")


def cell(
    area: str,
    share: int | None,
    low: int | None = None,
    high: int | None = None,
    *,
    code: str = "TRY01",
    breakdown: str = "total",
    value: str = "",
) -> PublicCell:
    shown = share is not None
    return PublicCell(
        indicator=code,
        place="",
        geography="home",
        area=area,
        breakdown=breakdown,
        breakdown_value=value,
        state="shown" if shown else "suppressed",
        reason="" if shown else "small_base",
        n_shown=200 if shown else None,
        share_pct=share,
        bound="",
        ci_low_pct=low if shown else None,
        ci_high_pct=high if shown else None,
        unstable=False,
    )


NOW_CELLS = [
    cell(KOMMUN_AREA, 20, 17, 23),
    cell("N1", 40, 32, 48),  # wholly above the kommun: worse
    cell("S1", None),  # suppressed: no verdict
]
BEFORE_CELLS = [cell(KOMMUN_AREA, 10, 8, 12), cell("N1", 38, 30, 46), cell("S1", 6, 3, 11)]


def test_the_overview_names_the_worse_district_and_the_clear_change() -> None:
    assert TRY01 is not None
    page = overview.build(
        SCOPE,
        previous=BEFORE,
        cells=NOW_CELLS,
        previous_cells=[c for c in BEFORE_CELLS if c.area == KOMMUN_AREA],
        breakdown="total",
        geography="",
        area=None,
    )
    row = next(r for g in page.groups for r in g.rows if r.meta.code == "TRY01")
    assert row.kommun is not None and row.kommun.share_pct == 20
    assert [a.code for a in row.worse] == ["N1"]
    assert row.better == ()
    assert row.change is not None
    assert (row.change.change_pp, row.change.verdict) == (10, "worse")
    # Indicators without cells are still listed, with nothing to say.
    empty = next(r for g in page.groups for r in g.rows if r.meta.code == "TRY02")
    assert (empty.kommun, empty.worse, empty.better) == (None, (), ())


def test_the_indicator_page_puts_each_district_against_the_kommun() -> None:
    assert TRY01 is not None
    page = indicator.build(
        SCOPE,
        TRY01,
        history=(BEFORE, WAVE),
        previous=BEFORE,
        cells=NOW_CELLS,
        previous_cells=BEFORE_CELLS,
        trend_cells={BEFORE.id: BEFORE_CELLS, WAVE.id: NOW_CELLS},
        questions=(),
        breakdown="total",
        geography="home",
        area=None,
    )
    verdicts = {r.area.code: r.verdict for r in page.rows}
    assert verdicts == {"N1": "worse", "S1": "none"}
    bars = {b.key: b for b in indicator.bars(page.rows)}
    assert bars["N1"].share == 40 and bars["N1"].marker == 38  # last wave's share
    assert bars["S1"].share is None and bars["S1"].text == "–"


def test_the_district_profile_reads_its_history_across_waves() -> None:
    profile = district.build(
        WAVE,
        NORTH,
        history=(BEFORE, WAVE),
        previous=BEFORE,
        cells_by_wave={BEFORE.id: BEFORE_CELLS, WAVE.id: NOW_CELLS},
        breakdown="total",
    )
    row = next(r for r in profile.rows if r.meta.code == "TRY01")
    assert row.verdict == "worse"
    assert row.cell is not None and row.cell.share_pct == 40
    assert row.change is not None and row.change.verdict == "similar"  # 38 → 40, overlapping
    assert len(row.history) == 2


def test_the_map_colours_only_shown_values_and_says_why_the_rest_are_hidden() -> None:
    assert TRY01 is not None
    square = (((16.5, 59.4), (16.6, 59.4), (16.6, 59.5), (16.5, 59.4)),)
    page = map.build(
        SCOPE,
        TRY01,
        previous=BEFORE,
        cells=NOW_CELLS,
        previous_cells=BEFORE_CELLS,
        rings={"N1": square, "S1": square},
        breakdown="total",
    )
    assert page.hidden == (("Söderby", "färre än 10 svar"),)
    assert page.missing_shapes == ()
    assert page.figure is not None
    unmapped = dataclasses.replace(SOUTH, has_geometry=False)
    without = map.build(
        dataclasses.replace(SCOPE, areas={"N1": NORTH, "S1": unmapped}),
        TRY01,
        previous=BEFORE,
        cells=NOW_CELLS,
        previous_cells=BEFORE_CELLS,
        rings={"N1": square},
        breakdown="total",
    )
    assert [a.code for a in without.missing_shapes] == ["S1"]
    assert without.hidden == ()  # a district without a shape is not on the map at all


def test_measure_histories_without_a_plan_are_empty() -> None:
    assert (
        measure_histories.build((), history=(BEFORE, WAVE), cells_by_wave={WAVE.id: NOW_CELLS})
        == ()
    )


def test_a_grade_is_shown_for_the_whole_kommun_only() -> None:
    """A district's grade is never published: the page has no district to compare."""
    assert TRY01 is not None
    grade = [cell(KOMMUN_AREA, 31, 26, 37, breakdown="grade", value="8")]
    page = indicator.build(
        SCOPE,
        TRY01,
        history=(WAVE,),
        previous=None,
        cells=[*grade, cell("N1", None, breakdown="grade", value="8")],
        previous_cells=[],
        trend_cells={WAVE.id: grade},
        questions=(),
        breakdown="ak8",
        geography="home",
        area=None,
    )
    assert page.kommun_only
    assert page.rows == ()
    assert page.kommun is not None and page.kommun.share_pct == 31


def test_the_overview_of_a_grade_says_it_is_for_the_whole_kommun_only() -> None:
    grade = [cell(KOMMUN_AREA, 31, 26, 37, breakdown="grade", value="11")]
    page = overview.build(
        SCOPE,
        previous=None,
        cells=grade,
        previous_cells=[],
        breakdown="gy2",
        geography="",
        area=None,
    )
    assert page.kommun_only
    totals = overview.build(
        SCOPE,
        previous=None,
        cells=NOW_CELLS,
        previous_cells=[],
        breakdown="total",
        geography="",
        area=None,
    )
    assert not totals.kommun_only


def test_the_district_and_map_pages_offer_no_kommun_only_breakdown() -> None:
    """Their pills leave the grades out: a district's grade is never shown."""
    from django.template import engines

    pills = engines["django"].from_string(
        "{% load lagesbild_tags %}{% for key in keys %}"
        "{% if not districts_only or not key|kommun_only %}{{ key }} {% endif %}{% endfor %}"
    )
    keys = ["total", "girls", "ak7-9", "ak8", "gy", "gy3"]
    assert pills.render({"keys": keys, "districts_only": True}).split() == [
        "total",
        "girls",
        "ak7-9",
        "gy",
    ]
    assert pills.render({"keys": keys}).split() == keys
