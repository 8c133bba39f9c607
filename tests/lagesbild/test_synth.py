"""Synthetic answer sheets: reproducible, and shaped like the survey."""

import random
from collections.abc import Callable

import pytest

from lagesbild.synth import SchoolSeat, synth_sheet
from lagesbild.synthetic import generate_sheets
from surveys.models import Wave

MakeWave = Callable[..., Wave]
CODES = ["SKI", "ARB", "FRO", "NOR", "DJU", "KVI"]


def sheets_in(district: str, count: int, seed: int) -> list[dict[str, str | list[str]]]:
    rng = random.Random(seed)
    seat = SchoolSeat(school_id=1, school_district=district, grade=8)
    out = []
    for _ in range(count):
        sheet = synth_sheet(rng, seat=seat, districts=[district], days=20)
        out.append(sheet.answers)
    return out


def share(sheets: list[dict[str, str | list[str]]], question: str, yes: set[str]) -> float:
    answered = [s[question] for s in sheets if question in s]
    return sum(1 for a in answered if a in yes) / len(answered)


def test_police_areas_report_more_drug_dealing_than_quiet_towns() -> None:
    exposed = share(sheets_in("SKI", 2000, 1), "EXP01", {"3", "4"})
    quiet = share(sheets_in("KVI", 2000, 1), "EXP01", {"3", "4"})
    assert exposed > quiet + 0.15


def test_some_questions_are_skipped() -> None:
    sheets = sheets_in("NOR", 500, 2)
    assert any("TRY01" not in s for s in sheets)
    assert all(isinstance(s.get("TRY07", []), list) for s in sheets)


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_sheets(make_wave: MakeWave) -> None:
    wave = make_wave(closed=False)
    first = generate_sheets(wave=wave, count=20, seed=5)
    second = generate_sheets(wave=wave, count=20, seed=5)
    assert [s.answers for s in first] == [s.answers for s in second]
    assert [s.submission_id for s in first] == [s.submission_id for s in second]
