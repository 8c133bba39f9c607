"""The report's method appendix: who was asked, response counts, wordings.

Everything here is read from the publication's snapshot (`lagesbild.snapshot`), taken
when the wave was published, never from the survey tables: a late sheet or a retention
purge of codes and sheets must not change a published report. The counts follow the
disclosure rules of the cells: they are rounded, and a rate whose base is below the
minimum n is not shown.
"""

from __future__ import annotations

from fractions import Fraction

from lagesbild import numbers
from lagesbild.catalogue import Catalogue
from lagesbild.disclosure import RuleParams
from lagesbild.snapshot import PublishedFacts, published_facts
from lagesbild.statistics import round_count, round_half_up
from surveys.models import Grade, School

from .key_messages import RULES as MESSAGE_RULES
from .notes import LIMITS, rule_paragraphs
from .pdf import Appendix, IndicatorNote, ResponseRow

GEOGRAPHY_TEXT = {"home": "elevens bostadsområde", "school": "skolans område"}


def response_rows(
    base: dict[tuple[str, int], int], submitted: dict[tuple[str, int], int], params: RuleParams
) -> tuple[ResponseRow, ...]:
    """Rows per school kind and grade, a subtotal per kind and a total (pure): the base
    (pupils), sheets submitted and the rate, submitted ÷ base."""
    kinds = dict(School.Kind.choices)
    grades = dict(Grade.choices)

    def row(label: str, asked: int, answered: int) -> ResponseRow:
        if asked < params.min_n:
            return ResponseRow(label, "–", "–", "–")
        rate = min(100, round_half_up(Fraction(100 * answered, asked)))
        return ResponseRow(
            label,
            numbers.count(round_count(asked, params.round_counts_to)),
            numbers.count(round_count(answered, params.round_counts_to)),
            f"{rate}\u00a0%",
        )

    keys = sorted(set(base) | set(submitted), key=lambda k: (k[0], k[1]))
    rows: list[ResponseRow] = []
    for kind in sorted({k for k, _ in keys}):
        kind_keys = [k for k in keys if k[0] == kind]
        kind_name = str(kinds.get(kind, kind)).capitalize()
        for key in kind_keys:
            rows.append(
                row(
                    f"{kind_name}, {grades.get(key[1], key[1])}",
                    base.get(key, 0),
                    submitted.get(key, 0),
                )
            )
        rows.append(
            row(
                f"{kind_name}, alla årskurser",
                sum(base.get(k, 0) for k in kind_keys),
                sum(submitted.get(k, 0) for k in kind_keys),
            )
        )
    rows.append(row("Alla skolor", sum(base.values()), sum(submitted.values())))
    return tuple(rows)


def appendix(*, wave_id: int, catalogue: Catalogue) -> Appendix:
    """The appendix of a published wave, from its snapshot (LookupError if unpublished)."""
    return appendix_from(published_facts(wave_id=wave_id), catalogue=catalogue)


def appendix_from(facts: PublishedFacts, *, catalogue: Catalogue) -> Appendix:
    params = catalogue.rule_params
    how = (
        f"Enkäten ”{facts.questionnaire_title}” (version {facts.questionnaire_version}) "
        f"besvarades av elever i årskurs 7–9 och gymnasiets årskurs 1–3 i "
        f"{facts.municipality} under lektionstid, på skolans dator eller på mobilen, "
        f"mellan {facts.opens_text} och {facts.closes_text}.",
        f"{facts.schools} skolor och {facts.classes} klasser deltog. Varje elev fick en "
        "engångskod av sin lärare. Koden visar bara att eleven går i klassen; den sparas "
        "aldrig tillsammans med svaren, och inga namn, IP-adresser eller klockslag lagras.",
        "Det var frivilligt att svara och varje fråga gick att hoppa över. Eleverna kunde "
        "svara på svenska eller på ett annat språk; svenska är originaltexten.",
        "Årskursen kommer från klassen. Kön och bostadsområde är elevens egna svar. "
        "Indikatorer om närmiljön redovisas per bostadsområde, indikatorer om skolan per "
        "skolans område.",
    )
    periods: dict[str, list[str]] = {}
    notes: list[IndicatorNote] = []
    for indicator in catalogue.indicators:
        periods.setdefault(indicator.period.sv, []).append(indicator.name.sv)
        notes.append(
            IndicatorNote(
                code=indicator.code,
                name=indicator.name.sv,
                description=indicator.description.sv,
                period=indicator.period.sv,
                geography=GEOGRAPHY_TEXT[indicator.geography],
                questions=facts.wordings.get(indicator.code, ()),
            )
        )
    return Appendix(
        how=how,
        response_rows=response_rows(facts.seats or facts.issued, facts.submitted, params),
        response_base="Elever" if facts.seats else "Utdelade koder",
        response_note=(
            f"Antal avrundas till närmaste multipel av {params.round_counts_to}. "
            + (
                f"Svarsfrekvensen är inskickade svar delat med antalet elever i omgångens "
                f"klasser; den visas inte (–) när klasserna har färre än {params.min_n} elever."
                if facts.seats
                else f"Svarsfrekvensen visas inte (–) när färre än {params.min_n} koder "
                "delades ut. Utdelade koder är det antal elever som fick möjlighet att svara."
            )
        ),
        indicators=tuple(notes),
        periods=tuple((period, ", ".join(names)) for period, names in periods.items()),
        rules=facts.rules or rule_paragraphs(params),
        limits=facts.limits or LIMITS,
        message_rules=MESSAGE_RULES,
    )
