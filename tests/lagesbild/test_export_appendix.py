"""The report's method appendix: response counts per school kind and grade."""

from datetime import UTC, datetime

import pytest

from lagesbild.catalogue import load_catalogue
from lagesbild.disclosure import RuleParams
from lagesbild.exports.appendix import appendix, response_rows
from tests.lagesbild.dashboard_factories import make_publication, make_wave
from tests.surveys.factories import make_class

PARAMS = RuleParams()


def test_response_rate_is_shown_from_rounded_counts_per_kind_and_grade() -> None:
    rows = response_rows({("kommunal", 7): 52}, {("kommunal", 7): 41}, PARAMS)
    first = rows[0]
    assert first.label == "Kommunal, åk 7"
    assert (first.base, first.submitted, first.rate) == ("50", "40", "79\u00a0%")


def test_a_rate_from_fewer_pupils_than_the_minimum_is_not_shown() -> None:
    rows = response_rows({("fristaende", 9): 9}, {("fristaende", 9): 9}, PARAMS)
    assert (rows[0].base, rows[0].submitted, rows[0].rate) == ("–", "–", "–")


def test_the_minimum_comes_from_the_rule_parameters() -> None:
    rows = response_rows({("kommunal", 8): 12}, {("kommunal", 8): 6}, RuleParams(min_n=15))
    assert rows[0].rate == "–"


def test_subtotals_per_kind_and_a_total_follow_the_grades() -> None:
    issued = {("kommunal", 7): 30, ("kommunal", 8): 30, ("fristaende", 10): 40}
    submitted = {("kommunal", 7): 20, ("kommunal", 8): 25, ("fristaende", 10): 30}
    labels = [r.label for r in response_rows(issued, submitted, PARAMS)]
    assert labels == [
        "Fristående, gy 1",
        "Fristående, alla årskurser",
        "Kommunal, åk 7",
        "Kommunal, åk 8",
        "Kommunal, alla årskurser",
        "Alla skolor",
    ]


@pytest.mark.django_db
def test_appendix_quotes_every_indicator_and_its_reference_period() -> None:
    wave = make_wave(opens_at=datetime(2025, 10, 1, tzinfo=UTC))
    result = appendix(wave_id=wave.pk, catalogue=load_catalogue())
    assert [n.code for n in result.indicators] == list(load_catalogue().codes)
    assert all(n.questions for n in result.indicators)
    assert any(period == "Senaste 12 månaderna" for period, _codes in result.periods)
    assert result.response_rows[-1].label == "Alla skolor"


@pytest.mark.django_db
def test_the_rate_is_sheets_over_the_pupils_of_the_waves_classes() -> None:
    wave = make_wave(opens_at=datetime(2025, 10, 1, tzinfo=UTC), published_at=None)
    wave.classes.add(make_class(grade=8, expected_size=40))
    wave.published_at = datetime(2025, 11, 1, tzinfo=UTC)
    wave.save(update_fields=["published_at"])
    make_publication(wave)
    result = appendix(wave_id=wave.pk, catalogue=load_catalogue())
    assert result.response_base == "Elever"
    assert result.response_rows[-1].base == "40"  # no code was issued: pupils, not codes
    assert "antalet elever" in result.response_note
