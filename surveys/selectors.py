"""Reads of the survey app for pages: querysets and small frozen dataclasses."""

import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import BinaryField, Count, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from . import answer_vector, languages
from .flow import flow_for_id
from .models import (
    ANSWERED,
    AccessCode,
    AnswerSheet,
    ClassKey,
    District,
    Grade,
    GuessCounter,
    KommunHelpResource,
    School,
    SchoolClass,
    Wave,
)


@dataclass(frozen=True)
class Rate:
    """Pupils (seats), codes issued, sheets submitted and the response rate, sheets ÷
    pupils: counts only, never answers. A class of the wave that has no codes yet counts
    with its pupils and 0 sheets."""

    label: str
    seats: int
    issued: int
    submitted: int

    @property
    def rate_pct(self) -> int | None:
        return round(100 * self.submitted / self.seats) if self.seats else None


@dataclass(frozen=True)
class SchoolRates:
    school: Rate
    classes: tuple[Rate, ...]


def _sum(label: str, rates: list[Rate] | tuple[Rate, ...]) -> Rate:
    return Rate(
        label,
        sum(r.seats for r in rates),
        sum(r.issued for r in rates),
        sum(r.submitted for r in rates),
    )


def _class_rates(*, wave: Wave, schools: QuerySet[School]) -> list[tuple[SchoolClass, Rate]]:
    """Every class of `schools` in the wave (put in it, or given codes), in school and
    class order, with its counts.

    A code is answered when it is spent and its draft is gone (`models.ANSWERED`), so the
    codes count the class's submitted sheets without any link from a sheet to a class.
    """
    counts = {
        row["school_class_id"]: (row["issued"], row["submitted"])
        for row in AccessCode.objects.filter(wave=wave, school_class__school__in=schools)
        .values("school_class_id")
        .annotate(issued=Count("id"), submitted=Count("id", filter=ANSWERED))
    }
    classes = (
        SchoolClass.objects.filter(school__in=schools)
        .filter(Q(waves=wave) | Q(pk__in=list(counts)))
        .distinct()
        .select_related("school")
        .order_by("school__name", "name")
    )
    return [(c, Rate(c.name, c.expected_size, *counts.get(c.pk, (0, 0)))) for c in classes]


def response_rates(*, wave: Wave, schools: QuerySet[School]) -> list[SchoolRates]:
    """Per school and class of `schools`: pupils, codes issued and sheets submitted in
    `wave`, with every class of the wave listed (0 % where nothing has started)."""
    return _per_school(_class_rates(wave=wave, schools=schools))


def _per_school(class_rates: list[tuple[SchoolClass, Rate]]) -> list[SchoolRates]:
    by_school: dict[int, tuple[str, list[Rate]]] = {}
    for school_class, rate in class_rates:
        by_school.setdefault(school_class.school_id, (school_class.school.name, []))[1].append(rate)
    return [
        SchoolRates(school=_sum(name, rates), classes=tuple(rates))
        for name, rates in by_school.values()
    ]


@dataclass(frozen=True)
class ResponseProgress:
    """A wave's response progress: per school and class, per grade, and in total."""

    schools: list[SchoolRates]
    grades: tuple[Rate, ...]
    total: Rate


def response_progress(*, wave: Wave, schools: QuerySet[School]) -> ResponseProgress:
    """`response_rates`, with the same counts per grade and for all of `schools`.

    The only view of a wave's progress before publication: counts of pupils, codes and
    sheets, never an answer or an indicator value.
    """
    class_rates = _class_rates(wave=wave, schools=schools)
    labels = dict(Grade.choices)
    by_grade: dict[int, list[Rate]] = {}
    for school_class, rate in sorted(class_rates, key=lambda pair: pair[0].grade):
        by_grade.setdefault(school_class.grade, []).append(rate)
    grades = tuple(_sum(str(labels.get(grade, grade)), rates) for grade, rates in by_grade.items())
    return ResponseProgress(
        schools=_per_school(class_rates),
        grades=grades,
        total=_sum("", [rate for _, rate in class_rates]),
    )


def classes_visible(*, schools: QuerySet[School]) -> QuerySet[SchoolClass]:
    return SchoolClass.objects.filter(school__in=schools).select_related("school")


def waves_for_codes() -> QuerySet[Wave]:
    """Waves that can still take new codes: not yet closed."""
    return Wave.objects.filter(closes_at__gt=timezone.now()).order_by("opens_at")


@dataclass(frozen=True)
class GuessStorm:
    """A window in which wrong codes aimed at a school passed a guessing limit."""

    school: str
    window_start: datetime
    failures: int


def guess_storms(*, schools: QuerySet[School], hours: int = 24) -> list[GuessStorm]:
    """Guess storms of the last `hours` (counters are kept one day) at `schools`, newest
    first: a class key or the whole school over its limit of wrong codes."""
    since = timezone.now() - timedelta(hours=hours)
    names = dict(schools.values_list("id", "name"))
    school_of_key = dict(
        ClassKey.objects.filter(school_class__school__in=schools).values_list(
            "key", "school_class__school_id"
        )
    )
    rows = GuessCounter.objects.filter(window_start__gte=since).filter(
        Q(
            scope=GuessCounter.Scope.SCHOOL,
            target__in=[str(pk) for pk in names],
            failures__gt=settings.CODE_GUESS_LIMIT_SCHOOL,
        )
        | Q(
            scope=GuessCounter.Scope.KEY,
            target__in=list(school_of_key),
            failures__gt=settings.CODE_GUESS_LIMIT_KEY,
        )
    )
    worst: dict[tuple[int, datetime], int] = {}
    for row in rows:
        school_id = (
            int(row.target)
            if row.scope == GuessCounter.Scope.SCHOOL
            else (school_of_key[row.target])
        )
        key = (school_id, row.window_start)
        worst[key] = max(worst.get(key, 0), row.failures)
    storms = [GuessStorm(names[school], start, n) for (school, start), n in worst.items()]
    return sorted(storms, key=lambda storm: storm.window_start, reverse=True)


def start_languages() -> list[str]:
    """Languages the start page offers: the checked interface languages and those of every
    open wave (the code that tells which wave is not typed yet), in the interface's order."""
    wanted = {code for code in languages.INTERFACE_LANGUAGES if languages.interface_checked(code)}
    for chosen, version_id in Wave.objects.open().values_list("languages", "questionnaire_id"):
        wanted.update(languages.offered(chosen, flow_for_id(version_id).questionnaire))
    return [code for code in languages.INTERFACE_LANGUAGES if code in wanted]


def sheets_disagreeing(*, wave_id: int | None = None) -> list[uuid.UUID]:
    """Ids of the sheets (of one wave, or all) whose stored answer vector is not, byte for
    byte, the packed encoding of their JSON answers (`surveys.answer_vector`): empty when
    the two forms agree, as every writer through `surveys.services.sheets_store` makes
    them."""
    sheets = (
        AnswerSheet.objects.all()
        if wave_id is None
        else AnswerSheet.objects.filter(wave_id=wave_id)
    )
    # The stored bytes as they are (the field would unpack them into a list).
    rows = sheets.annotate(stored=Cast("answer_vector", BinaryField())).values_list(
        "id", "questionnaire_id", "answers", "stored"
    )
    return [
        sheet_id
        for sheet_id, version, answers, stored in rows.iterator(chunk_size=5_000)
        if bytes(stored)
        != answer_vector.pack(answer_vector.encode(flow_for_id(version).vector_layout, answers))
    ]


# District names change only when an administrator edits geography; a minute of
# staleness is harmless for the pupil pages' list (and for the final check, which the
# submit's own lookup backs).
_DISTRICT_CHOICES: dict[int, tuple[float, list[tuple[str, str]]]] = {}
DISTRICT_CACHE_SECONDS = 60.0


def district_choices(municipality_id: int) -> list[tuple[str, str]]:
    """(code, name) of the kommun's districts by name, cached per process for a minute."""
    cached = _DISTRICT_CHOICES.get(municipality_id)
    if cached is None or time.monotonic() - cached[0] >= DISTRICT_CACHE_SECONDS:
        rows = District.objects.filter(municipality_id=municipality_id).order_by("name")
        cached = (time.monotonic(), list(rows.values_list("code", "name")))
        _DISTRICT_CHOICES[municipality_id] = cached
    return cached[1]


_KOMMUN_HELP: dict[int, tuple[float, list[tuple[str, str, str, str]]]] = {}


def kommun_help(municipality_id: int) -> list[tuple[str, str, str, str]]:
    """(name, text, phone, url) of the kommun's own help resources in their order, cached
    per process for a minute like the districts (a coordinator's edit shows within it)."""
    cached = _KOMMUN_HELP.get(municipality_id)
    if cached is None or time.monotonic() - cached[0] >= DISTRICT_CACHE_SECONDS:
        rows = KommunHelpResource.objects.filter(municipality_id=municipality_id)
        cached = (time.monotonic(), list(rows.values_list("name", "text", "phone", "url")))
        _KOMMUN_HELP[municipality_id] = cached
    return cached[1]


class WaveLookupError(ValueError):
    """No wave, or more than one, answers to a slug (and kommun)."""


def wave_named(*, slug: str, kommun: str = "") -> Wave:
    """The wave with ``slug`` in the kommun of SCB code ``kommun``; without a kommun, the
    one wave of that slug. A slug is unique only within its kommun, so a slug several
    kommuner use needs the kommun: the error names them."""
    waves = Wave.objects.filter(slug=slug).select_related("municipality")
    if kommun:
        wave = waves.filter(municipality__code=kommun).first()
        if wave is None:
            raise WaveLookupError(f"No wave with slug {slug!r} in kommun {kommun}.")
        return wave
    found = list(waves.order_by("municipality__code"))
    if not found:
        raise WaveLookupError(f"No wave with slug {slug!r}.")
    if len(found) > 1:
        kommuner = ", ".join(f"{w.municipality.code} {w.municipality.name}" for w in found)
        raise WaveLookupError(
            f"Wave slug {slug!r} is used by several kommuner ({kommuner}): "
            "name one with --kommun NNNN."
        )
    return found[0]
