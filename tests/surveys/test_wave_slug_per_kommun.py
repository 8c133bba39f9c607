"""A wave's slug is unique within its kommun; commands that name a wave by slug take
`--kommun` and refuse a slug that two kommuner use without it."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from lagesbild.exports.cells import ExportFilterError, ExportFilters, names, resolve
from surveys.models import AccessCode, District, Municipality, SchoolClass, Wave
from surveys.selectors import WaveLookupError, wave_named
from surveys.services import questionnaire_import_default
from tests.surveys.factories import make_class, make_wave

pytestmark = pytest.mark.django_db


@pytest.fixture
def same_slug() -> tuple[Wave, Wave]:
    questionnaire = questionnaire_import_default()
    own = make_wave(slug="ht-2026", questionnaire=questionnaire)
    other = Municipality.objects.create(code="0480", name="Nyköping")
    return own, make_wave(slug="ht-2026", municipality=other, questionnaire=questionnaire)


def test_two_kommuner_may_use_the_same_slug_but_one_kommun_not_twice(
    same_slug: tuple[Wave, Wave],
) -> None:
    own, _other = same_slug
    with pytest.raises(IntegrityError), transaction.atomic():
        make_wave(slug="ht-2026", municipality=own.municipality)


def test_a_slug_two_kommuner_use_needs_the_kommun(same_slug: tuple[Wave, Wave]) -> None:
    own, other = same_slug
    with pytest.raises(WaveLookupError, match=r"0480.*0484|0484.*0480"):
        wave_named(slug="ht-2026")
    assert wave_named(slug="ht-2026", kommun="0484") == own
    assert wave_named(slug="ht-2026", kommun="0480") == other
    with pytest.raises(WaveLookupError, match="0481"):
        wave_named(slug="ht-2026", kommun="0481")
    with pytest.raises(WaveLookupError, match="nope"):
        wave_named(slug="nope")


def test_a_slug_one_kommun_uses_needs_no_kommun() -> None:
    wave = make_wave(slug="vt-2027")
    assert wave_named(slug="vt-2027") == wave


AMBIGUOUS = [
    ["issue_codes", "--wave", "ht-2026", "--school", "x", "--class", "7A", "--count", "1"],
    ["synth_responses", "--wave", "ht-2026", "--count", "1"],
    ["refresh_indicators", "--wave", "ht-2026"],
    ["publish_wave", "ht-2026"],
    ["audit_wave", "ht-2026"],
    ["export_cells", "--wave", "ht-2026", "--format", "csv"],
    ["lagesbild_report", "--wave", "ht-2026", "--output", "/nonexistent/x.pdf"],
]


@pytest.mark.parametrize("args", AMBIGUOUS, ids=[a[0] for a in AMBIGUOUS])
def test_every_command_refuses_a_slug_two_kommuner_use(
    same_slug: tuple[Wave, Wave], args: list[str]
) -> None:
    # Published, so that the exports' choice among published waves is ambiguous too.
    Wave.objects.update(published_at=timezone.now())
    with pytest.raises(CommandError, match="--kommun") as error:
        call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())
    assert "0484" in str(error.value)
    assert "0480" in str(error.value)


def test_issue_codes_finds_the_wave_of_the_named_kommun(same_slug: tuple[Wave, Wave]) -> None:
    _own, other = same_slug
    school_class: SchoolClass = make_class(
        school__district__municipality=other.municipality, school__name="Nyköpingsskolan"
    )
    out = io.StringIO()
    call_command(
        "issue_codes",
        "--wave=ht-2026",
        "--kommun=0480",
        "--school=Nyköpingsskolan",
        f"--class={school_class.name}",
        "--count=2",
        stdout=out,
    )
    assert len(out.getvalue().split()) == 2
    assert AccessCode.objects.filter(wave=other).count() == 2


def test_refresh_indicators_finds_the_wave_of_the_named_kommun(
    same_slug: tuple[Wave, Wave],
) -> None:
    out = io.StringIO()
    call_command("refresh_indicators", "--wave", "ht-2026", "--kommun", "0480", stdout=out)
    assert "Recomputed" in out.getvalue()


def test_the_exports_resolve_a_shared_slug_by_kommun(same_slug: tuple[Wave, Wave]) -> None:
    own, other = same_slug
    Wave.objects.update(published_at=timezone.now())
    with pytest.raises(ExportFilterError, match="0480"):
        resolve(ExportFilters(wave="ht-2026"))
    assert resolve(ExportFilters(wave="ht-2026", kommun="0480")).wave.id == other.pk
    assert resolve(ExportFilters(wave="ht-2026", kommun="0484")).wave.id == own.pk
    with pytest.raises(ExportFilterError):
        resolve(ExportFilters(wave="ht-2026", kommun="0481"))


def test_a_kommun_consents_to_comparison_only_when_it_says_so() -> None:
    kommun = Municipality.objects.create(code="0480", name="Nyköping")
    assert kommun.shares_comparison is False


def test_an_export_of_a_shared_slug_reads_its_own_kommuns_wave(
    same_slug: tuple[Wave, Wave],
) -> None:
    own, other = same_slug
    # The other kommun's wave is the newer: the first of the published waves.
    Wave.objects.filter(pk=other.pk).update(opens_at=own.opens_at + timedelta(hours=1))
    Wave.objects.update(published_at=timezone.now())
    District.objects.create(municipality=own.municipality, code="SKI", name="Skiftinge")
    scope = resolve(ExportFilters(wave="ht-2026", kommun="0484", area="SKI"))
    assert scope.wave.id == own.pk
    assert names(scope).areas["SKI"] == "Skiftinge"
