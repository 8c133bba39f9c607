"""The SQL pass against the plain-Python reference evaluator, over the same random sheets.

Runs on the database the suite uses: SQLite by default, PostgreSQL when DATABASE_URL is
set (CI runs both), so both SQL dialects are held to the same reference.
"""

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest

from lagesbild.aggregation import Source, aggregate_wave
from lagesbild.catalogue import evaluate, load_catalogue
from lagesbild.cube import KOMMUN, specs_from_catalogue
from surveys.models import AnswerSheet
from surveys.services import sheet_vector

RowKey = tuple[str, str, str, str]
MakeWave = Callable[..., Any]
AddSheets = Callable[..., list[AnswerSheet]]


def reference_counts(sheets: list[AnswerSheet]) -> dict[RowKey, dict[str, tuple[int, int]]]:
    """Counts per (geography, area, breakdown, value), computed sheet by sheet in Python."""
    catalogue = load_catalogue()
    codes = {s.school_district_id: s.school_district.code for s in sheets}
    codes |= {s.home_district.pk: s.home_district.code for s in sheets if s.home_district}
    counts: dict[RowKey, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for sheet in sheets:
        areas = {"school": [codes[sheet.school_district_id], KOMMUN], "home": []}
        if sheet.home_district is not None:
            areas["home"].append(codes[sheet.home_district.pk])
        if sheet.home_answer != "ANNAN":
            areas["home"].append(KOMMUN)
        breakdowns = [
            ("total", ""),
            ("grade_band", "AK79" if sheet.grade <= 9 else "GY"),
            ("grade", str(sheet.grade)),
        ]
        if sheet.gender in ("1", "2", "3"):
            breakdowns.append(("gender", sheet.gender))
        for indicator in catalogue.indicators:
            for key, result in evaluate(indicator, sheet.answers):
                for area in areas[indicator.geography]:
                    for breakdown, value in breakdowns:
                        cell = counts[(indicator.geography, area, breakdown, value)][key]
                        cell[0] += result is not None
                        cell[1] += result is True
        for geography, geo_areas in areas.items():
            for area in geo_areas:
                for breakdown, value in breakdowns:
                    counts[(geography, area, breakdown, value)]  # a row even if nothing counts
    return {row: {k: (n, y) for k, (n, y) in cells.items()} for row, cells in counts.items()}


def sql_counts(wave_id: int, source: Source = "vector") -> dict[RowKey, dict[str, tuple[int, int]]]:
    specs = specs_from_catalogue(load_catalogue())
    return {
        (r.geography, r.area, r.breakdown, r.breakdown_value): dict(r.counts)
        for r in aggregate_wave(wave_id=wave_id, specs=specs, source=source)
    }


@pytest.mark.django_db
@pytest.mark.parametrize("source", ["vector", "sql", "json"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_counts_equal_the_reference_evaluator_over_random_sheets(
    make_wave: MakeWave, add_sheets: AddSheets, seed: int, source: Source
) -> None:
    """Every pass, the answer vectors' (numpy, and the counting statement) and the JSON
    answers', over sheets that include malformed answers (numbers, lists, unknown codes
    where a code belongs)."""
    wave = make_wave()
    add_sheets(wave, 250, seed)
    other = make_wave("other")
    add_sheets(other, 30, seed + 100)  # another wave's sheets must not count
    sheets = list(
        AnswerSheet.objects.filter(wave=wave).select_related("school_district", "home_district")
    )
    expected = reference_counts(sheets)
    got = sql_counts(wave.pk, source)
    assert got.keys() == expected.keys()
    for row, cells in expected.items():
        for key, value in cells.items():
            assert got[row][key] == value, (row, key)


@pytest.mark.django_db
def test_a_wave_without_sheets_has_no_counts(make_wave: MakeWave) -> None:
    assert sql_counts(make_wave().pk) == {}


@pytest.mark.django_db
def test_try07_counts_a_single_code_string_but_not_numbers(
    make_wave: MakeWave, add_sheets: AddSheets
) -> None:
    wave = make_wave()
    for sheet, value in zip(add_sheets(wave, 3, 7), ["3", [3], ["3", 4]], strict=True):
        vector = sheet_vector(questionnaire_id=wave.questionnaire_id, answers={"TRY07": value})
        AnswerSheet.objects.filter(pk=sheet.pk).update(
            answers={"TRY07": value}, answer_vector=vector, home_answer=""
        )
    kommun = sql_counts(wave.pk)[("home", KOMMUN, "total", "")]
    assert kommun["TRY07:3"] == (2, 2)  # "3" and ["3", 4]; [3] holds no code string
    assert kommun["TRY07:4"] == (2, 0)
