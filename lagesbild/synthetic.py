"""Writing synthetic answer sheets into the database (the model is in `lagesbild.synth`).

Stored through `surveys.services.sheets_store` like every sheet (PostgreSQL gets them
through COPY: about 100,000 sheets in seconds).
"""

import random
import uuid
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from surveys.models import AnswerSheet, District, SchoolClass, Wave
from surveys.services import WaveClosedError, answers_digest, sheets_store, wave_sheets_accept

from .synth import SchoolSeat, SynthSheet, synth_sheet

BATCH = 5_000


def _seats(wave: Wave) -> tuple[list[SchoolSeat], list[float]]:
    classes = wave.classes.all()
    if not classes.exists():
        classes = SchoolClass.objects.filter(school__district__municipality=wave.municipality)
    seats: list[SchoolSeat] = []
    weights: list[float] = []
    for cls in classes.select_related("school__district").order_by("pk"):
        seats.append(SchoolSeat(cls.school_id, cls.school.district.code, cls.grade))
        weights.append(float(cls.expected_size))
    if not seats:
        raise ValueError(f"wave {wave.slug} has no classes and its municipality has none")
    return seats, weights


def generate_sheets(
    *,
    wave: Wave,
    count: int,
    seed: int | None = None,
    drift: float = 0.0,
    last_day: date | None = None,
) -> list[AnswerSheet]:
    """``count`` unsaved synthetic sheets for ``wave``; the same seed gives the same sheets.

    Sheets are dated from the wave's first day to ``last_day`` (default: the wave's last
    day or today, whichever is earlier: no sheet is dated in the future).
    """
    rng = random.Random(seed)  # noqa: S311 - invented data, not a secret
    seats, weights = _seats(wave)
    district_ids = dict(
        District.objects.filter(municipality=wave.municipality).values_list("code", "pk")
    )
    codes = sorted(district_ids)
    first_day = wave.opens_at.date()
    if last_day is None:
        last_day = min(wave.closes_at.date(), timezone.localdate())
    days = max((last_day - first_day).days, 1)
    chosen = rng.choices(seats, weights, k=count)
    sheets: list[AnswerSheet] = []
    for seat in chosen:
        s: SynthSheet = synth_sheet(rng, seat=seat, districts=codes, days=days, drift=drift)
        sheets.append(
            AnswerSheet(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                submission_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                wave_id=wave.pk,
                questionnaire_id=wave.questionnaire_id,
                school_id=s.school_id,
                school_district_id=district_ids[s.school_district],
                home_district_id=district_ids[s.home_district] if s.home_district else None,
                home_answer=s.home_answer,
                grade=s.grade,
                gender=s.gender,
                language=s.language,
                submitted_on=first_day + timedelta(days=s.day),
                answers=s.answers,
                answers_digest=answers_digest(s.answers),
            )
        )
    return sheets


def sheets_insert(
    *,
    wave: Wave,
    count: int,
    seed: int | None = None,
    drift: float = 0.0,
    last_day: date | None = None,
) -> int:
    """Insert ``count`` synthetic sheets into ``wave`` and mark its indicators dirty.

    Like a pupil's sheet, only into an open, unpublished wave: raises WaveClosedError
    otherwise (checked before any work, and again by the guard that ends the transaction).
    """
    if not (wave.is_open and not wave.is_published):
        raise WaveClosedError(f"wave {wave.slug} is not open; it takes no answer sheets")
    done = 0
    with transaction.atomic():
        while done < count:
            size = min(BATCH, count - done)
            batch_seed = None if seed is None else seed * 1_000_003 + done
            sheets = generate_sheets(
                wave=wave, count=size, seed=batch_seed, drift=drift, last_day=last_day
            )
            sheets_store(sheets=sheets)
            done += size
        wave_sheets_accept(wave_id=wave.pk)
    return done
