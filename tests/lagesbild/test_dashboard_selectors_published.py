"""Dashboard selectors on published waves: public values only, overview, indicator and
district pages, trends, unpublished waves beside them, cache. The three published waves
are built once for the module (`module_published_waves`); the selectors that need no
published wave, or build their own, are in test_dashboard_selectors.py."""

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lagesbild import selectors
from lagesbild.models import KOMMUN_AREA, IndicatorCell
from surveys.models import District, Wave
from tests.lagesbild import published_fixtures
from tests.lagesbild.dashboard_factories import eskilstuna_id, make_cell, make_wave
from tests.lagesbild.test_dashboard_selectors import latest, meta

pytestmark = pytest.mark.django_db

# The module's fixtures over the waves built once (tests/lagesbild/published_fixtures.py).
_empty_cache = published_fixtures._empty_cache
districts = published_fixtures.districts
waves = published_fixtures.waves


def test_no_query_of_any_page_reads_the_raw_counts(waves: list[Wave]) -> None:
    with CaptureQueriesContext(connection) as queries:
        scope = latest(waves)
        selectors.overview(scope)
        selectors.indicator_page(
            scope, meta("EXP02"), breakdown="girls", geography="home", area="SKI"
        )
        area = selectors.find_area(scope, "SKI")
        assert area is not None
        selectors.district_profile(scope, area, breakdown="total")
        selectors.map_page(scope, meta("TRY01"), breakdown="total")
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "raw_n" not in sql
    assert "raw_yes" not in sql


def test_latest_published_wave_is_the_default(waves: list[Wave]) -> None:
    assert latest(waves).wave.slug == waves[-1].slug


def test_an_open_wave_is_never_offered(open_wave: Wave) -> None:
    slugs = [w.slug for w in selectors.dashboard_waves(eskilstuna_id())]
    assert open_wave.slug not in slugs


def test_an_open_wave_resolves_to_no_wave_of_its_own(open_wave: Wave) -> None:
    ref = selectors.resolve_wave(open_wave.slug, municipality_id=eskilstuna_id())
    assert ref is not None
    assert ref.id != open_wave.pk
    assert selectors.is_unpublished_wave(open_wave.slug, municipality_id=eskilstuna_id())


def test_an_unpublished_wave_has_no_cells_to_read(open_wave: Wave) -> None:
    ref = selectors.WaveRef(
        id=open_wave.pk, slug=open_wave.slug, name=open_wave.name, published_at=None
    )
    assert IndicatorCell.objects.filter(wave=open_wave).exists()
    assert selectors.wave_cells(ref) == []
    with pytest.raises(LookupError):
        selectors.scope_of(ref)


def test_overview_groups_indicators_in_catalogue_group_order(waves: list[Wave]) -> None:
    overview = selectors.overview(latest(waves))
    assert [g.key for g in overview.groups] == [
        "trygghet",
        "utsatthet",
        "exponering",
        "skydd",
        "fortroende",
    ]


def test_overview_shows_the_kommun_value_and_the_change_since_the_previous_wave(
    waves: list[Wave],
) -> None:
    overview = selectors.overview(latest(waves))
    row = next(r for g in overview.groups for r in g.rows if r.meta.code == "EXP02")
    kommun = IndicatorCell.objects.get(
        wave=waves[-1], indicator="EXP02", area=KOMMUN_AREA, breakdown="total"
    )
    before = IndicatorCell.objects.get(
        wave=waves[-2], indicator="EXP02", area=KOMMUN_AREA, breakdown="total"
    )
    assert row.kommun is not None
    assert row.kommun.share_pct == kommun.share_pct
    assert row.change is not None
    assert row.change.change_pp == kommun.share_pct - before.share_pct  # type: ignore[operator]


def test_indicator_page_rows_are_sorted_by_share_with_hidden_values_last(
    waves: list[Wave],
) -> None:
    page = selectors.indicator_page(
        latest(waves), meta("EXP02"), breakdown="girls", geography="home", area=None
    )
    shares = [r.cell.share_pct for r in page.rows]
    shown = [s for s in shares if s is not None]
    assert shown == sorted(shown, reverse=True)
    assert shares[: len(shown)] == shown


def test_indicator_page_for_girls_reads_the_girls_cells(waves: list[Wave]) -> None:
    page = selectors.indicator_page(
        latest(waves), meta("EXP02"), breakdown="girls", geography="home", area=None
    )
    assert {r.cell.breakdown_value for r in page.rows} == {"1"}
    assert page.breakdown_label == "Flickor"


def test_trend_is_drawn_with_three_published_waves(waves: list[Wave]) -> None:
    page = selectors.indicator_page(
        latest(waves), meta("EXP02"), breakdown="total", geography="home", area="SKI"
    )
    assert page.trend.figure is not None
    assert [s["name"] for s in page.trend.figure["data"]] == ["Kommunen", "Skiftinge"]
    assert page.trend.waves == tuple(w.name for w in waves)


def test_indicator_page_quotes_the_exact_question_and_marks_the_yes_options(
    waves: list[Wave],
) -> None:
    page = selectors.indicator_page(
        latest(waves), meta("EXP02"), breakdown="total", geography="home", area=None
    )
    (question,) = page.questions
    assert question.text.startswith("Har någon erbjudit dig narkotika")
    assert [(text, yes) for _code, text, yes in question.options] == [("Ja", True), ("Nej", False)]


def test_district_profile_has_every_indicator_and_the_place_profile(waves: list[Wave]) -> None:
    scope = latest(waves)
    area = selectors.find_area(scope, "SKI")
    assert area is not None
    profile = selectors.district_profile(scope, area, breakdown="total")
    assert area.police_area
    assert len(profile.places) == 8
    assert profile.places_figure is not None
    assert {r.meta.code for r in profile.rows} >= {"EXP02", "TRY01", "SKY01"}
    assert len(profile.rows[0].history) == 3


def test_map_without_boundaries_has_no_figure(waves: list[Wave]) -> None:
    page = selectors.map_page(latest(waves), meta("EXP02"), breakdown="total")
    assert page.figure is None
    assert len(page.missing_shapes) == 22


def test_a_second_request_is_served_from_the_cache(waves: list[Wave]) -> None:
    scope = latest(waves)
    selectors.overview(scope)
    with CaptureQueriesContext(connection) as queries:
        selectors.overview(scope)
    assert not any("lagesbild_indicatorcell" in q["sql"] for q in queries.captured_queries)


def test_publishing_a_wave_changes_what_the_cached_overview_shows(
    waves: list[Wave], districts: list[District]
) -> None:
    selectors.overview(latest(waves))
    new = make_wave(published_at=None)
    make_cell(wave=new, n=1000, yes=777, frozen=True)
    Wave.objects.filter(pk=new.pk).update(published_at=timezone.now())
    scope = latest()
    assert scope.wave.slug == new.slug
    row = next(
        r for g in selectors.overview(scope).groups for r in g.rows if r.meta.code == "EXP02"
    )
    assert row.kommun is not None and row.kommun.share_pct == 78


def test_pages_are_built_from_the_database_when_the_cache_is_down(
    waves: list[Wave], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "set", broken)
    overview = selectors.overview(latest(waves))
    assert overview.groups


def test_overview_takes_the_breakdown_and_a_district_like_the_indicator_page(
    waves: list[Wave],
) -> None:
    scope = latest(waves)
    overview = selectors.overview(scope, breakdown="girls", area="SKI")
    assert overview.breakdown_label == selectors.breakdown_label("girls")
    assert overview.area is not None and overview.area.code == "SKI"
    row = next(r for g in overview.groups for r in g.rows if r.meta.code == "EXP02")
    girls = IndicatorCell.objects.get(
        wave=waves[-1], indicator="EXP02", area=KOMMUN_AREA, breakdown="gender", breakdown_value="1"
    )
    assert row.kommun is not None and row.kommun.share_pct == girls.share_pct
    # The district beside the kommun is the same cell (and verdict) as on the indicator page.
    page = selectors.indicator_page(
        scope, meta("EXP02"), breakdown="girls", geography="home", area=None
    )
    ski = next(r for r in page.rows if r.area.code == "SKI")
    assert row.area_cell == ski.cell and row.area_verdict == ski.verdict
    # The total and the girls' overview are cached apart.
    total = selectors.overview(scope)
    total_row = next(r for g in total.groups for r in g.rows if r.meta.code == "EXP02")
    assert total_row.kommun is not None and total_row.area_cell is None


def test_the_trend_texts_follow_the_district_the_reader_added(waves: list[Wave]) -> None:
    IndicatorCell.objects.filter(wave=waves[-1], indicator="EXP02", breakdown="total").update(
        trend="up", trend_waves=3
    )
    cache.clear()
    scope = latest(waves)
    plain = selectors.indicator_page(
        scope, meta("EXP02"), breakdown="total", geography="home", area=None
    )
    assert [name for name, _text in plain.trend_texts] == ["Kommunen"]
    chosen = selectors.indicator_page(
        scope, meta("EXP02"), breakdown="total", geography="home", area="SKI"
    )
    names = [name for name, _text in chosen.trend_texts]
    assert names == ["Kommunen", chosen.area.name if chosen.area else ""]
    assert all("över 3 omgångar" in text for _name, text in chosen.trend_texts)
