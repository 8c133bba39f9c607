"""Dashboard selectors without the shared published waves: public values only,
comparisons and changes, districts that stand out and trends on waves a test builds itself.
The selectors of the shared published waves are in test_dashboard_selectors_published.py."""

from dataclasses import fields, replace

import pytest
from django.core.cache import cache

from lagesbild import selectors
from surveys.models import District, Wave
from tests.lagesbild.dashboard_factories import eskilstuna_id, make_cell, make_wave

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def latest(waves: list[Wave] | None = None, slug: str | None = None) -> selectors.Scope:
    scope = selectors.dashboard_scope(slug, municipality_id=eskilstuna_id())
    assert scope is not None
    return scope


def meta(code: str, place: str = "") -> selectors.IndicatorMeta:
    found = selectors.find_indicator(code, place)
    assert found is not None
    return found


def test_public_cells_have_no_raw_count_fields() -> None:
    names = {f.name for f in fields(selectors.PublicCell)}
    assert not names & {"raw_n", "raw_yes"}


def test_a_district_whose_interval_lies_above_the_kommun_stands_out_as_worse() -> None:
    kommun = cell(share=20, low=18, high=22)
    assert selectors.compare_to_kommun(cell(share=30, low=25, high=35), kommun, False) == "worse"


def test_for_a_protective_factor_a_higher_district_stands_out_as_better() -> None:
    kommun = cell(share=20, low=18, high=22)
    assert selectors.compare_to_kommun(cell(share=30, low=25, high=35), kommun, True) == "better"


def test_an_interval_that_covers_the_kommun_value_does_not_stand_out() -> None:
    kommun = cell(share=20, low=18, high=22)
    assert selectors.compare_to_kommun(cell(share=24, low=15, high=33), kommun, False) == "similar"


def test_a_value_shown_only_as_a_bound_is_never_compared() -> None:
    kommun = cell(share=20, low=18, high=22)
    bound = cell(share=None, low=None, high=None, state="bound", bound="< 15 %")
    assert selectors.compare_to_kommun(bound, kommun, False) == "none"


def test_a_change_is_clear_only_when_the_intervals_do_not_overlap() -> None:
    previous = selectors.WaveRef(1, "a", "HT 2024", None, False)
    clear = selectors.change_since(
        cell(share=30, low=27, high=33), cell(share=20, low=17, high=23), previous, False
    )
    unclear = selectors.change_since(
        cell(share=24, low=19, high=29), cell(share=20, low=16, high=25), previous, False
    )
    assert (clear.change_pp, clear.verdict, clear.text) == (10, "worse", "ökat 10 p.e.")
    assert (clear.icon, clear.verdict_text) == ("↗", "tydlig försämring")
    assert (unclear.change_pp, unclear.verdict) == (4, "similar")


def test_the_stored_comparison_decides_whether_a_change_is_clear() -> None:
    previous = selectors.WaveRef(1, "a", "HT 2024", None, False)
    now = replace(cell(share=24, low=19, high=29), diff_pct=4, diff_significant=True)
    change = selectors.change_since(now, cell(share=20, low=16, high=25), previous, False)
    assert (change.change_pp, change.verdict) == (4, "worse")


def test_overview_lists_a_district_that_stands_out(districts: list[District]) -> None:
    wave = make_wave()
    make_cell(wave=wave, n=1000, yes=200)
    make_cell(wave=wave, area="SKI", n=400, yes=200)
    make_cell(wave=wave, area="NOR", n=400, yes=84)
    row = next(
        r
        for g in selectors.overview(latest(slug=wave.slug)).groups
        for r in g.rows
        if r.meta.code == "EXP02"
    )
    assert [a.code for a in row.worse] == ["SKI"]
    assert row.better == ()


def test_trend_needs_three_published_waves(districts: list[District]) -> None:
    waves = [make_wave(), make_wave()]
    for wave in waves:
        make_cell(wave=wave)
    page = selectors.indicator_page(
        latest(), meta("EXP02"), breakdown="total", geography="home", area=None
    )
    assert page.trend.figure is None
    assert "minst tre" in page.trend.reason
    assert "hittills finns den i 2" in page.trend.reason


def cell(
    *,
    share: int | None,
    low: int | None,
    high: int | None,
    state: str = "shown",
    bound: str = "",
) -> selectors.PublicCell:
    return selectors.PublicCell(
        indicator="EXP02",
        place="",
        geography="home",
        area="SKI",
        breakdown="total",
        breakdown_value="",
        state=state,
        reason="" if state == "shown" else "few_yes",
        n_shown=100,
        share_pct=share,
        bound=bound,
        ci_low_pct=low,
        ci_high_pct=high,
        unstable=False,
    )


def test_a_wave_offers_the_grades_only_when_it_has_grade_cells() -> None:
    """A wave published before grades were counted has no grade cells (published cells are
    frozen): its pills offer the bands only; a wave with grade cells offers each grade
    after its band."""
    before = make_wave()
    make_cell(wave=before, n=400, yes=80)
    make_cell(wave=before, n=200, yes=40, breakdown="grade_band", breakdown_value="AK79")
    keys = [key for key, _label in selectors.breakdown_choices(latest(slug=before.slug))]
    assert "ak7-9" in keys
    assert "ak7" not in keys
    after = make_wave()
    make_cell(wave=after, n=400, yes=80)
    make_cell(wave=after, n=200, yes=40, breakdown="grade_band", breakdown_value="AK79")
    make_cell(wave=after, n=70, yes=14, breakdown="grade", breakdown_value="7")
    choices = selectors.breakdown_choices(latest(slug=after.slug))
    keys = [key for key, _label in choices]
    assert keys.index("ak7-9") < keys.index("ak7") < keys.index("ak9") < keys.index("gy")
    labels = dict(choices)
    assert labels["ak7"] == "Åk 7"
    assert labels["gy3"] == "Gy 3"
