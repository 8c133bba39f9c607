"""Reads for the report's method appendix: who was asked, response counts, wordings.

Response rates are counted from the survey tables (codes issued and sheets submitted per
school kind and grade), never from answers. The counts follow the disclosure rules of the
cells: they are rounded, and a rate whose base is below the minimum n is not shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from fractions import Fraction
from typing import Any

from django.db.models import Count
from django.utils import timezone, translation
from django.utils.formats import date_format

from lagesbild.catalogue import Catalogue
from lagesbild.estimation import RuleParams, round_count, round_half_up
from surveys.models import AccessCode, AnswerSheet, Grade, School, Wave
from surveys.questionnaire import Questionnaire, load_questionnaire

from .notes import LIMITS, indicator_questions, rule_paragraphs
from .pdf import Appendix, IndicatorNote, ResponseRow

GEOGRAPHY_TEXT = {"home": "elevens bostadsområde", "school": "skolans område"}


def _day(moment: datetime) -> str:
    """A date in Swedish, e.g. "1 oktober 2025"."""
    with translation.override("sv"):
        return date_format(timezone.localtime(moment), "j F Y")


def _fmt_count(value: int) -> str:
    # Swedish thousands separator: a no-break space.
    return f"{value:,}".replace(",", "\u00a0")


def response_rows(
    issued: dict[tuple[str, int], int], submitted: dict[tuple[str, int], int], params: RuleParams
) -> tuple[ResponseRow, ...]:
    """Rows per school kind and grade, a subtotal per kind and a total (pure)."""
    kinds = dict(School.Kind.choices)
    grades = dict(Grade.choices)

    def row(label: str, asked: int, answered: int) -> ResponseRow:
        if asked < params.min_n:
            return ResponseRow(label, "–", "–", "–")
        rate = min(100, round_half_up(Fraction(100 * answered, asked)))
        return ResponseRow(
            label,
            _fmt_count(round_count(asked, params.round_counts_to)),
            _fmt_count(round_count(answered, params.round_counts_to)),
            f"{rate}\u00a0%",
        )

    keys = sorted(set(issued) | set(submitted), key=lambda k: (k[0], k[1]))
    rows: list[ResponseRow] = []
    for kind in sorted({k for k, _ in keys}):
        kind_keys = [k for k in keys if k[0] == kind]
        kind_name = str(kinds.get(kind, kind)).capitalize()
        for key in kind_keys:
            rows.append(
                row(
                    f"{kind_name}, {grades.get(key[1], key[1])}",
                    issued.get(key, 0),
                    submitted.get(key, 0),
                )
            )
        rows.append(
            row(
                f"{kind_name}, alla årskurser",
                sum(issued.get(k, 0) for k in kind_keys),
                sum(submitted.get(k, 0) for k in kind_keys),
            )
        )
    rows.append(row("Alla skolor", sum(issued.values()), sum(submitted.values())))
    return tuple(rows)


def _counts(rows: Iterable[Mapping[str, Any]], kind: str, grade: str) -> dict[tuple[str, int], int]:
    out: dict[tuple[str, int], int] = defaultdict(int)
    for item in rows:
        out[(str(item[kind]), int(str(item[grade])))] += int(str(item["n"]))
    return dict(out)


def wave_questionnaire(wave: Wave) -> Questionnaire:
    return load_questionnaire(wave.questionnaire.definition)


def appendix(*, wave_id: int, catalogue: Catalogue) -> Appendix:
    wave = Wave.objects.select_related("questionnaire", "municipality").get(pk=wave_id)
    params = catalogue.rule_params
    issued = _counts(
        AccessCode.objects.filter(wave_id=wave_id)
        .values("school_class__school__kind", "school_class__grade")
        .annotate(n=Count("id")),
        "school_class__school__kind",
        "school_class__grade",
    )
    submitted = _counts(
        AnswerSheet.objects.filter(wave_id=wave_id)
        .values("school__kind", "grade")
        .annotate(n=Count("id")),
        "school__kind",
        "grade",
    )
    schools = wave.classes.values("school_id").distinct().count()
    classes = wave.classes.count()
    questionnaire = wave_questionnaire(wave)
    how = (
        f"Enkäten ”{questionnaire.title.get('sv', '')}” (version {questionnaire.version}) "
        f"besvarades av elever i årskurs 7–9 och gymnasiets årskurs 1–3 i "
        f"{wave.municipality.name} under lektionstid, på skolans dator eller på mobilen, "
        f"mellan {_day(wave.opens_at)} och {_day(wave.closes_at)}.",
        f"{schools} skolor och {classes} klasser deltog. Varje elev fick en engångskod av sin "
        "lärare. Koden visar bara att eleven går i klassen; den sparas aldrig tillsammans "
        "med svaren, och inga namn, IP-adresser eller klockslag lagras.",
        "Det var frivilligt att svara och varje fråga gick att hoppa över. Eleverna kunde "
        "svara på svenska eller på ett annat språk; svenska är originaltexten.",
        "Årskursen kommer från klassen. Kön och bostadsområde är elevens egna svar. "
        "Indikatorer om närmiljön redovisas per bostadsområde, indikatorer om skolan per "
        "skolans område.",
    )
    periods: dict[str, list[str]] = {}
    notes: list[IndicatorNote] = []
    for indicator in catalogue.indicators:
        periods.setdefault(indicator.period.sv, []).append(indicator.code)
        notes.append(
            IndicatorNote(
                code=indicator.code,
                name=indicator.name.sv,
                description=indicator.description.sv,
                period=indicator.period.sv,
                geography=GEOGRAPHY_TEXT[indicator.geography],
                questions=indicator_questions(questionnaire, indicator),
            )
        )
    return Appendix(
        how=how,
        response_rows=response_rows(issued, submitted, params),
        response_note=(
            f"Antal avrundas till närmaste multipel av {params.round_counts_to}. "
            f"Svarsfrekvensen visas inte (–) när färre än {params.min_n} koder delades ut. "
            "Utdelade koder är det antal elever som fick möjlighet att svara."
        ),
        indicators=tuple(notes),
        periods=tuple((period, ", ".join(codes)) for period, codes in periods.items()),
        rules=rule_paragraphs(params),
        limits=LIMITS,
    )
