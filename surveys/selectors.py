"""Reads of the survey app for pages: querysets and small frozen dataclasses."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from . import languages
from .flow import flow_for_id
from .models import AccessCode, ClassKey, Grade, GuessCounter, School, SchoolClass, Wave


@dataclass(frozen=True)
class Rate:
    """Codes issued, sheets submitted and the response rate: counts only, never answers."""

    label: str
    issued: int
    submitted: int

    @property
    def rate_pct(self) -> int | None:
        return round(100 * self.submitted / self.issued) if self.issued else None


@dataclass(frozen=True)
class SchoolRates:
    school: Rate
    classes: tuple[Rate, ...]


def response_rates(*, wave: Wave, schools: QuerySet[School]) -> list[SchoolRates]:
    """Per school and class of `schools`: codes issued and sheets submitted in `wave`.

    A code is spent in the same transaction that stores its sheet, so spent codes count
    the class's submitted sheets without any link from a sheet to a class.
    """
    rows = (
        AccessCode.objects.filter(wave=wave, school_class__school__in=schools)
        .values("school_class__school_id", "school_class__school__name", "school_class__name")
        .annotate(issued=Count("id"), submitted=Count("id", filter=Q(spent=True)))
        .order_by("school_class__school__name", "school_class__name")
    )
    result: list[SchoolRates] = []
    current: list[Rate] = []
    school_name: str | None = None
    school_id: int | None = None

    def close() -> None:
        if school_name is not None:
            result.append(
                SchoolRates(
                    school=Rate(
                        school_name,
                        sum(r.issued for r in current),
                        sum(r.submitted for r in current),
                    ),
                    classes=tuple(current),
                )
            )

    for row in rows:
        if row["school_class__school_id"] != school_id:
            close()
            school_id = row["school_class__school_id"]
            school_name = row["school_class__school__name"]
            current = []
        current.append(Rate(row["school_class__name"], row["issued"], row["submitted"]))
    close()
    return result


@dataclass(frozen=True)
class ResponseProgress:
    """A wave's response progress: per school and class, per grade, and in total."""

    schools: list[SchoolRates]
    grades: tuple[Rate, ...]
    total: Rate


def response_progress(*, wave: Wave, schools: QuerySet[School]) -> ResponseProgress:
    """`response_rates`, with the same counts per grade and for all of `schools`.

    The only view of a wave's progress before publication: counts of codes and sheets,
    never an answer or an indicator value.
    """
    by_grade = (
        AccessCode.objects.filter(wave=wave, school_class__school__in=schools)
        .values("school_class__grade")
        .annotate(issued=Count("id"), submitted=Count("id", filter=Q(spent=True)))
        .order_by("school_class__grade")
    )
    labels = dict(Grade.choices)
    grades = tuple(
        Rate(
            str(labels.get(row["school_class__grade"], row["school_class__grade"])),
            row["issued"],
            row["submitted"],
        )
        for row in by_grade
    )
    total = Rate("", sum(r.issued for r in grades), sum(r.submitted for r in grades))
    return ResponseProgress(
        schools=response_rates(wave=wave, schools=schools), grades=grades, total=total
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
