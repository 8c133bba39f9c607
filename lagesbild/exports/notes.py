"""Method notes for exports and the report's appendix (pure: no ORM, Swedish text).

Every number in the rules is read from the catalogue's `RuleParams`, never restated by
hand, so the notes cannot drift from what the aggregation did. The question wordings are
read from the wave's questionnaire version.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from lagesbild import numbers
from lagesbild.catalogue import AnyOfRule, Catalogue, Indicator, PlacesRule, SimpleRule
from lagesbild.disclosure import RuleParams, few_suppressed_max_n
from surveys.questionnaire import MASTER_LANGUAGE, Question, Questionnaire

NoteValue = str | int | float


@dataclass(frozen=True)
class NoteSection:
    title: str
    paragraphs: tuple[str, ...] = ()
    rows: tuple[tuple[str, NoteValue], ...] = field(default=())


@dataclass(frozen=True)
class OptionWording:
    code: str
    text: str
    counted: bool  # counted as "yes"
    excluded: bool  # not a valid answer: left out of n


@dataclass(frozen=True)
class QuestionWording:
    code: str
    text: str
    options: tuple[OptionWording, ...]


def _sv(texts: Mapping[str, str]) -> str:
    return texts.get(MASTER_LANGUAGE, "")


def _find(questionnaire: Questionnaire, code: str) -> tuple[Question, str] | None:
    """The item answering ``code`` and its full wording (a matrix lead-in + statement)."""
    for _page, item in questionnaire.items():
        if item.code == code and item.type != "matrix":
            return item, _sv(item.text)
        for statement in item.statements:
            if statement.code == code:
                lead = _sv(item.text).strip()
                joiner = " " if lead.endswith(("?", ":", ".")) else ": "
                return item, f"{lead}{joiner}”{_sv(statement.text)}”"
    return None


def indicator_questions(
    questionnaire: Questionnaire, indicator: Indicator
) -> tuple[QuestionWording, ...]:
    """The exact Swedish wording of each question behind ``indicator``, with its options."""
    rule = indicator.rule
    parts: Sequence[SimpleRule | PlacesRule] = (
        rule.components if isinstance(rule, AnyOfRule) else (rule,)
    )
    out: list[QuestionWording] = []
    for part in parts:
        found = _find(questionnaire, part.question)
        if found is None:
            continue
        item, text = found
        if isinstance(part, PlacesRule):
            counted = set(part.place_codes)
            excluded: set[str] = set()
        else:
            counted, excluded = set(part.yes), set(part.exclude)
        options = tuple(
            OptionWording(o.code, _sv(o.text), o.code in counted, o.code in excluded)
            for o in item.options
        )
        out.append(QuestionWording(part.question, text, options))
    return tuple(out)


def rule_paragraphs(params: RuleParams) -> tuple[str, ...]:
    """The disclosure and interval rules in plain Swedish, numbers from ``params``."""
    few = params.max_protected
    ladder = ", ".join(f"{step}\u00a0%" for step in params.bound_ladder_pct)
    return (
        f"En cell (omgång × indikator × område × grupp) undertrycks och visas som ”–” när "
        f"färre än {params.min_n} elever har gett ett giltigt svar (basen n).",
        f"När högst {few} elever svarade ja – eller alla utom högst {few} – visas ingen exakt "
        f"andel. I stället visas en gräns, ”< L\u00a0%” eller ”> (100 − L)\u00a0%”, där L är "
        f"det minsta av stegen {ladder} som gäller för varje antal mellan 0 och {few} vid "
        f"det minsta n som det avrundade n kan stå för. Gränsen säger alltså bara att det "
        f"rör sig om högst {few} elever. Passar inget steg (vid n upp till "
        f"{few_suppressed_max_n(params)}) undertrycks cellen.",
        "Komplementär undertryckning: när en cell i en grupp vars summa visas (t.ex. "
        "flickor, pojkar och övriga under områdets totalvärde, eller områdena under "
        "kommunen) är undertryckt, undertrycks också den minsta syskoncellen med elever i, "
        "så att inget värde kan räknas fram genom subtraktion. En tom cell skyddar inget.",
        "Före publiceringen prövas varje tabell (en indikator i en geografi, med alla "
        "områden, kommunen och alla uppdelningar) med linjärprogrammering, som en läsare "
        "som känner varje visad cells exakta antal och alla summor skulle göra: ingen dold "
        "grupp och ingen rest (t.ex. elever som inte uppgett bostadsområde eller kön) får "
        "kunna räknas fram till 1–9 elever, ett exakt antal ja- eller nej-svar eller att "
        "alla svarat lika. Klarar en tabell inte det döljs fler celler; omgången publiceras "
        "först när alla tabeller klarar prövningen.",
        f"Antal avrundas till närmaste multipel av {params.round_counts_to}; andelar och "
        "intervallgränser avrundas till hela procent. En visad andel är alltid mellan "
        "1 och 99\u00a0%.",
        "Intervallet är ett Wilsonintervall för andelen med "
        f"{numbers.percent_of_one(params.confidence)} konfidensnivå. "
        f"En skattning markeras som osäker när n är mindre än {params.unstable_n} eller när "
        f"intervallets halva bredd är större än {numbers.decimal(params.unstable_half_width_pp)} "
        "procentenheter.",
        "En uppdelning i taget: område × kön eller område × årskursgrupp, och för hela "
        "kommunen även per årskurs; aldrig område × kön × årskurs. Resultat visas aldrig "
        "per klass eller per skola.",
        "Alla användare ser samma frysta, publicerade celler för en omgång; siffrorna "
        "ändras inte efter publiceringen.",
    )


LIMITS: tuple[str, ...] = (
    "Svaren är elevernas egna uppgifter i en anonym enkät. De visar hur unga upplever sin "
    "trygghet och vad de säger att de har varit med om, inte antalet anmälda brott.",
    "Elever som var frånvarande, som valde att inte svara eller som hoppade över en fråga "
    "finns inte med. Om de skiljer sig från dem som svarade kan andelarna bli för höga "
    "eller för låga; svarsfrekvensen i bilagan visar hur stor del som svarade.",
    "Bostadsområdet är elevens eget svar. Elever som bor i en annan kommun eller inte ville "
    "svara ingår i kommunens värde men i inget område.",
    "Två värden skiljer sig tydligt först när deras intervall inte överlappar. Ett område "
    "”sticker ut” när hela dess intervall ligger över eller under kommunens andel.",
    "Förändringar mellan omgångar gäller olika elevkullar. En trend visas först när "
    "indikatorn finns i minst tre publicerade omgångar.",
    "Små områden och små grupper får breda intervall; en osäker skattning ska läsas med "
    "försiktighet och inte ensam ligga till grund för beslut.",
)


@dataclass(frozen=True)
class WaveFacts:
    slug: str
    name: str
    published_on: date | None
    questionnaire: str


def method_notes(
    *,
    params: RuleParams,
    catalogue: Catalogue,
    wave: WaveFacts,
    filters: Sequence[tuple[str, str]],
    columns: Sequence[tuple[str, str]],
    wordings: Mapping[str, tuple[QuestionWording, ...]],
    row_count: int | None = None,
) -> tuple[NoteSection, ...]:
    """The notes that travel with a CSV or XLSX export."""
    about_rows: list[tuple[str, NoteValue]] = [
        ("Omgång", f"{wave.name} ({wave.slug})"),
        (
            "Publicerad",
            wave.published_on.isoformat() if wave.published_on else "ej publicerad",
        ),
        ("Enkätversion", wave.questionnaire),
        ("Indikatorkatalog", f"{catalogue.name} v{catalogue.version}"),
    ]
    about_rows.extend((f"Filter: {name}", value) for name, value in filters)
    if row_count is not None:
        about_rows.append(("Antal celler", row_count))
    indicator_rows: list[tuple[str, NoteValue]] = []
    for indicator in catalogue.indicators:
        text = (
            f"{indicator.name.sv}. {indicator.description.sv} "
            f"Referensperiod: {indicator.period.sv.lower()}."
        )
        for wording in wordings.get(indicator.code, ()):
            counted = ", ".join(o.text for o in wording.options if o.counted)
            text += f" Fråga {wording.code}: {wording.text} Räknas som ja: {counted}."
        indicator_rows.append((indicator.code, text))
    return (
        NoteSection(
            "Om filen",
            (
                "Filen innehåller samma publicerade, röjandeskyddade celler som "
                "lägesbilden visar för samma urval – aldrig fler och aldrig enskilda svar.",
            ),
            tuple(about_rows),
        ),
        NoteSection("Kolumner", (), tuple(columns)),
        NoteSection("Regler för röjandeskydd och osäkerhet", rule_paragraphs(params)),
        NoteSection("Indikatorer och frågor", (), tuple(indicator_rows)),
        NoteSection("Begränsningar", LIMITS),
    )
