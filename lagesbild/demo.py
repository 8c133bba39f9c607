"""Demo waves: three published past waves and one open wave, all with synthetic answers;
and a few measures of the åtgärdsplan.

Called from `seed_demo` after the geography exists. Idempotent: a wave that exists is
left as it is (its sheets too), a published wave stays published, and a measure that
exists (by kommun and title) is left as a coordinator may have edited it.
"""

from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from surveys import demo
from surveys.models import (
    AnswerSheet,
    District,
    Municipality,
    QuestionnaireVersion,
    SchoolClass,
    Wave,
)
from surveys.questionnaire import DEFAULT_QUESTIONNAIRE_PATH
from surveys.services import (
    DEMO_WAVE_SLUG,
    questionnaire_import,
    questionnaire_import_default,
    questionnaire_parse,
)

from .catalogue import load_catalogue
from .models import IndicatorCell, Measure, MeasureStatus, Party, WavePublication
from .services import CATALOGUE_VERSION, cells_audit, indicators_refresh, wave_publish
from .synthetic import sheets_insert


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


STOCKHOLM = ZoneInfo("Europe/Stockholm")

# (slug, name, year of the autumn term, sheets, drift of every risk on the logit scale)
# The drift makes the years differ a little, so the dashboards have trends to show.
PAST_WAVES: list[tuple[str, str, int, int, float]] = [
    ("ht2023", "Höstterminen 2023", 2023, 1400, -0.15),
    ("ht2024", "Höstterminen 2024", 2024, 1500, 0.0),
    ("ht2025", "Höstterminen 2025", 2025, 1600, 0.2),
]
# The second demo kommun's published waves: the same slugs as Eskilstuna's (a slug is
# unique only within its kommun), fewer pupils.
SECOND_PAST_WAVES: list[tuple[str, str, int, int, float]] = [
    ("ht2024", "Höstterminen 2024", 2024, 700, 0.1),
    ("ht2025", "Höstterminen 2025", 2025, 750, 0.05),
]
# Synthetic sheets in the demo's open wave (surveys.services.demo_wave_ensure), so
# coordinators see response progress (never its values before publication): (sheets, drift).
OPEN_WAVE = (900, 0.25)
# The past waves were offered in every language the default questionnaire has, drafts
# included, so the young people's page of the demo can be read in each of them.
DEMO_LANGUAGES = ["sv", "en", "ar", "fi", "so", "ti"]


def _wave(
    slug: str,
    name: str,
    *,
    municipality: Municipality,
    questionnaire: QuestionnaireVersion,
    opens: datetime,
    closes: datetime,
) -> tuple[Wave, bool]:
    wave, created = Wave.objects.get_or_create(
        municipality=municipality,
        slug=slug,
        defaults={
            "name": name,
            "questionnaire": questionnaire,
            "opens_at": opens,
            "closes_at": closes,
            "demo": True,
        },
    )
    if created:
        wave.classes.set(SchoolClass.objects.filter(school__district__municipality=municipality))
    return wave, created


def refusal_to_seed(*, development: bool) -> str:
    """Why seeding the demo here would touch real data ("" when it would not).

    The demo changes only waves it made (`Wave.demo`). A wave of a demo kommun with a demo
    wave's slug that it did not make is real: the demo refuses rather than adding to it.
    On a server (DEBUG off) it seeds only a database that holds nothing but the demo. In
    development, a database seeded before waves were marked has its demo waves marked.
    """
    kommuner = (demo.MUNICIPALITY[0], demo.SECOND_MUNICIPALITY[0])
    slugs = {DEMO_WAVE_SLUG, *(slug for slug, *_ in (*PAST_WAVES, *SECOND_PAST_WAVES))}
    theirs = Wave.objects.filter(demo=False, municipality__code__in=kommuner, slug__in=slugs)
    if development:
        theirs.update(demo=True)
    elif Wave.objects.filter(demo=False).exists() or (
        not Wave.objects.filter(demo=True).exists() and District.objects.exists()
    ):
        return (
            "this database holds real kommuner or waves: on a server, seed the demo only "
            "into an empty database of its own."
        )
    clash = theirs.select_related("municipality").first()
    if clash is not None:
        return (
            f"{clash.municipality.name} has a wave {clash.slug} that seed_demo did not make; "
            "the demo never changes a real wave."
        )
    return ""


def _fails_audit(wave: Wave) -> bool:
    """Whether a published wave's frozen cells fail today's disclosure audit."""
    params = load_catalogue(CATALOGUE_VERSION).rule_params
    try:
        return not cells_audit(wave_id=wave.pk, params=params, detail=False).passed
    except ValueError:  # states that today's rules cannot produce
        return True


def _unpublish_demo_wave(wave: Wave) -> None:
    """Demo data only: drop a demo wave's publication and frozen cells so that it can be
    published again under the current rules. Real published waves never change."""
    if not wave.demo:
        raise ValueError(f"{wave.slug} is not a demo wave")
    with transaction.atomic():
        IndicatorCell.objects.filter(wave=wave).delete()
        WavePublication.objects.filter(wave=wave).delete()
        Wave.objects.filter(pk=wave.pk).update(published_at=None)


def _own_questionnaire(kommun: Municipality) -> QuestionnaireVersion:
    """Demo only: version 1 of the default questionnaire, which names Eskilstuna, with the
    kommun's name instead, as the kommun's own version (same question codes, so its results
    compare; a real kommun asks the core version, which names no kommun, or imports its own
    file: docs/kommuner.md)."""
    text = DEFAULT_QUESTIONNAIRE_PATH.with_name("default-v1.yaml").read_text(encoding="utf-8")
    text = text.replace("code: DEFAULT", f"code: DEFAULT_{kommun.code}", 1)
    for name in ("Eskilstuna", "إسكيلستونا"):
        text = text.replace(name, kommun.name)
    parsed = questionnaire_parse(name="kommun.yaml", content=text.encode())
    version, _created = questionnaire_import(questionnaire=parsed, municipality=kommun)
    return version


def _past_waves(
    municipality: Municipality,
    waves: list[tuple[str, str, int, int, float]],
    *,
    questionnaire: QuestionnaireVersion,
    seed: int,
    stdout: Writer,
) -> None:
    """Published autumn waves of one kommun with synthetic answers (idempotent)."""
    for index, (slug, name, year, count, drift) in enumerate(waves):
        opens = datetime(year, 10, 1, 8, tzinfo=STOCKHOLM)
        closes = opens + timedelta(days=28)
        # Sheets are taken only while a wave is open, so a past wave is played through:
        # created open, answered (dated within its four weeks), then closed at its
        # historical date and published.
        wave, created = _wave(
            slug,
            name,
            municipality=municipality,
            questionnaire=questionnaire,
            opens=opens,
            closes=timezone.now() + timedelta(hours=1),
        )
        if created:
            sheets_insert(
                wave=wave, count=count, seed=seed + index, drift=drift, last_day=closes.date()
            )
        if wave.is_published and _fails_audit(wave):
            _unpublish_demo_wave(wave)
            wave.refresh_from_db()
            stdout.write(f"{slug} was published under earlier disclosure rules; publishing again.")
        if not wave.is_published:
            Wave.objects.filter(pk=wave.pk).update(closes_at=closes)
            publication = wave_publish(wave_id=wave.pk)
            stdout.write(f"Published {municipality.name} {slug}: {publication.cell_count} cells.")
        # The demo kommuner show their results to young people, in every language the
        # questionnaire has (a real kommun turns each wave's page on in the admin).
        Wave.objects.filter(pk=wave.pk, youth_page=False).update(
            youth_page=True, languages=DEMO_LANGUAGES
        )


def seed_waves(stdout: Writer, *, address: str) -> None:
    """Three published autumn waves of Eskilstuna and two of the second demo kommun, with
    synthetic answers, and synthetic answers in Eskilstuna's open wave (created before by
    seed_demo). Both demo kommuner agree to be compared with each other."""
    municipality = Municipality.objects.get(code=demo.MUNICIPALITY[0])
    core = questionnaire_import_default()
    _past_waves(municipality, PAST_WAVES, questionnaire=core, seed=2023, stdout=stdout)
    second = Municipality.objects.get(code=demo.SECOND_MUNICIPALITY[0])
    own = _own_questionnaire(second)
    _past_waves(second, SECOND_PAST_WAVES, questionnaire=own, seed=3023, stdout=stdout)
    Municipality.objects.filter(pk__in=[municipality.pk, second.pk]).update(shares_comparison=True)
    # The demo kommun publishes its results as open data (the opt-in is off by default).
    if Municipality.objects.filter(pk=municipality.pk, open_data=False).update(open_data=True):
        stdout.write(f"Open data on: {address}/{municipality.code}/oppna-data/")
    count, drift = OPEN_WAVE
    open_wave = Wave.objects.filter(municipality=municipality, slug=DEMO_WAVE_SLUG).first()
    if open_wave is not None and not AnswerSheet.objects.filter(wave=open_wave).exists():
        sheets_insert(wave=open_wave, count=count, seed=2026, drift=drift)
        result = indicators_refresh(wave_id=open_wave.pk)
        stdout.write(
            f"Open wave {open_wave.slug}: {count} sheets, {result.cells} cells computed "
            "(not shown before publication)."
        )


# (title, description, parties, indicators, districts, start, status, follow-up, text for
# young people or "" when not shown on their page)
DEMO_MEASURES: list[tuple[str, str, list[str], list[str], list[str], date, str, str, str]] = [
    (
        "Fältassistenter kvällstid i Skiftinge och Årby",
        "Kommunens fältgrupp och två idrottsföreningar är ute fyra kvällar i veckan vid "
        "centrum, busshållplatser och fritidsgården.",
        [Party.KOMMUN, Party.FORENINGSLIV],
        ["TRY01", "TRY05"],
        ["SKI", "ARB"],
        date(2024, 3, 4),
        MeasureStatus.ONGOING,
        "Fältgruppen har varit ute 120 kvällar under 2024. Otryggheten kvällstid följs upp "
        "i varje omgång; Trygghetsberedningen tar ställning till en fortsättning hösten 2026.",
        "Vuxna från kommunen och föreningar finns ute på kvällarna i Skiftinge och Årby.",
    ),
    (
        "Skolpolis och samtal om rekrytering i högstadiet",
        "Kommunpolisen besöker högstadieskolorna varje månad och håller klassamtal om "
        "narkotika och rekryteringsförsök tillsammans med elevhälsan.",
        [Party.POLIS, Party.SKOLA],
        ["EXP02", "EXP06", "FOR01"],
        ["FRO", "SKI", "ARB"],
        date(2025, 1, 13),
        MeasureStatus.ONGOING,
        "Alla högstadieskolor i de tre områdena har haft minst fyra besök.",
        "",
    ),
    (
        "Fler ledarledda fritidsaktiviteter på kvällar och helger",
        "Föreningsbidrag för nya kvällsaktiviteter för åk 7 till gymnasiet i hela kommunen.",
        [Party.KOMMUN, Party.FORENINGSLIV],
        ["SKY03", "SKY04"],
        [],
        date(2025, 8, 18),
        MeasureStatus.PLANNED,
        "",
        "Fler aktiviteter med vuxna ledare på kvällar och helger, i hela kommunen.",
    ),
]


def seed_measures(stdout: Writer) -> None:
    """A few plausible measures of Eskilstuna's åtgärdsplan, so the dashboards and the
    report show them beside the numbers they target."""
    municipality = Municipality.objects.get(code="0484")
    for title, text, parties, codes, areas, started, status, follow_up, youth in DEMO_MEASURES:
        measure, created = Measure.objects.get_or_create(
            municipality=municipality,
            title=title,
            defaults={
                "description": text,
                "responsible": [str(p) for p in parties],
                "indicators": codes,
                "started_on": started,
                "status": status,
                "follow_up": follow_up,
                "public": bool(youth),
                "public_text": youth,
            },
        )
        if created:
            measure.districts.set(
                District.objects.filter(municipality=municipality, code__in=areas)
            )
            stdout.write(f"Measure: {title}.")
