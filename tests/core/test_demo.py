"""`seed_demo`: the demo `make run` serves. It takes most of a minute (three published
waves, each through the disclosure audit), so this module seeds once and every test reads
the same committed demo; a test's own changes are rolled back as usual."""

import json
from collections.abc import Iterator
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from pytest_django import DjangoDbBlocker
from pytest_django.fixtures import Settings

from accounts.access import (
    Role,
    comparison_kommuner,
    kommuner_of,
    organisation_of,
    roles_of,
    schools_of_contact,
)
from lagesbild.aggregation import Source, aggregate_wave, pass_statement
from lagesbild.catalogue import load_catalogue
from lagesbild.cube import build_cube, specs_from_catalogue
from lagesbild.disclosure import Cell, CellEstimate, estimate_cell
from lagesbild.disclosure_audit import audit
from lagesbild.models import IndicatorCell
from surveys.models import AccessCode, District, Municipality, School, SchoolClass, Wave
from surveys.selectors import sheets_disagreeing
from tests.lagesbild.test_audit_equivalence import assert_same_verdicts, audit_before, rounds_of

pytestmark = pytest.mark.django_db


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo_output(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[str]:
    """What the first `seed_demo` on an empty database printed; the demo stays committed
    until the module ends, then the database is emptied for the modules after it. The
    demo is for development: DEBUG on (pytest-django runs tests with it off)."""
    with django_db_blocker.unblock(), override_settings(DEBUG=True):
        output = _seed()
    yield output
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def development(settings: Settings) -> None:
    settings.DEBUG = True


def _counts() -> tuple[int, int, int, int, int]:
    return (
        District.objects.count(),
        School.objects.count(),
        SchoolClass.objects.count(),
        User.objects.count(),
        AccessCode.objects.count(),
    )


def test_seed_demo_creates_every_district_of_the_domain(demo_output: str) -> None:
    eskilstuna = District.objects.filter(municipality__code="0484")
    names = set(eskilstuna.values_list("name", flat=True))
    assert {"Skiftinge", "Årby", "Fröslunda", "Lagersberg", "Torshälla", "Kvicksund"} <= names
    assert len(names) == 22
    assert set(District.objects.filter(police_area=True).values_list("code", flat=True)) == {
        "SKI",
        "ARB",
        "FRO",
    }
    assert School.objects.filter(district__municipality__code="0484").count() == 10


def test_seed_demo_creates_a_second_kommun_with_its_own_waves_and_staff(
    demo_output: str,
) -> None:
    second = Municipality.objects.get(code="0581")
    assert District.objects.filter(municipality=second).count() == 10
    assert School.objects.filter(district__municipality=second).count() == 4
    # The same slugs in both kommuner: a slug is unique only within its kommun.
    published = Wave.objects.filter(published_at__isnull=False)
    # Its pupils read their own kommun's name: its own version of the questionnaire.
    for wave in published.filter(municipality=second):
        assert wave.questionnaire.municipality == second
        assert "Eskilstuna" not in json.dumps(wave.questionnaire.definition, ensure_ascii=False)
        assert "Norrköping" in wave.questionnaire.title
    assert set(published.filter(municipality=second).values_list("slug", flat=True)) == {
        "ht2024",
        "ht2025",
    }
    assert published.filter(municipality__code="0484", slug="ht2024").exists()
    # Every wave is marked as the demo's own: the only waves it may ever republish.
    assert not Wave.objects.filter(demo=False).exists()
    foundation = User.objects.get(username="analys-ideer")
    assert {k.code for k in kommuner_of(foundation)} == {"0484", "0581"}
    assert [k.code for k in kommuner_of(User.objects.get(username="analys-nkp"))] == ["0581"]
    assert [k.code for k in kommuner_of(User.objects.get(username="samordnare"))] == ["0484"]
    assert {k.code for k in comparison_kommuner(User.objects.get(username="analys-kommun"))} == {
        "0484",
        "0581",
    }


def test_seed_demo_twice_changes_nothing_but_one_fresh_code_and_prints_little(
    demo_output: str, development: None
) -> None:
    first = _counts()
    again = _seed("--address", "http://127.0.0.1:8765")
    # The addresses printed are where `make run` serves (its HOST and PORT).
    assert "http://127.0.0.1:8765/konto/logga-in/" in again
    assert "at http://127.0.0.1:8765/ " in again
    assert ":8000" not in again
    assert _counts()[:4] == first[:4]
    assert _counts()[4] == first[4] + 1  # the fresh demo pupil code of this run
    # The second run is what every `make run` after the first prints.
    assert len(again.splitlines()) <= 12


def test_seed_demo_creates_one_staff_user_per_role(demo_output: str) -> None:
    roles = {role for user in User.objects.all() for role in roles_of(user)}
    assert roles == set(Role)
    polis = User.objects.get(username="analys-polis")
    assert organisation_of(polis) == "polis"
    contact = User.objects.get(username="skolkontakt")
    assert schools_of_contact(contact).count() == 1


def test_seed_demo_prints_the_second_factor_of_each_login(demo_output: str) -> None:
    assert "password trygghet-demo for every user" in demo_output
    assert "analys-polis" in demo_output
    assert "demo-pol1 … demo-pol5" in demo_output
    assert "key " in demo_output
    assert "recovery code" in demo_output


def test_a_printed_demo_recovery_code_logs_in(demo_output: str) -> None:
    client = Client()
    client.post("/konto/logga-in/", {"username": "analys-polis", "password": "trygghet-demo"})
    response = client.post("/konto/verifiera/", {"token": "demo-pol1"})
    assert response.status_code == 302
    assert client.get("/konto/").status_code == 200


def test_the_demo_kommun_publishes_its_waves_as_open_data(demo_output: str) -> None:
    assert "/0484/oppna-data/" in demo_output
    wave = Wave.objects.published().filter(municipality__code="0484").first()
    assert wave is not None
    client = Client()
    assert client.get("/0484/oppna-data/").status_code == 200
    assert client.get(f"/0484/oppna-data/{wave.slug}.csv").status_code == 200


def test_seed_demo_refuses_to_run_with_debug_off(demo_output: str, settings: Settings) -> None:
    settings.DEBUG = False
    before = _counts()
    with pytest.raises(CommandError, match="DEBUG off"):
        _seed()
    assert _counts() == before


def test_production_demo_refuses_the_published_password(
    demo_output: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DEBUG = False
    before = _counts()
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="DEMO_PASSWORD"):
        _seed("--allow-production-demo")
    monkeypatch.setenv("DEMO_PASSWORD", "trygghet-demo")
    with pytest.raises(CommandError, match="DEMO_PASSWORD"):
        _seed("--allow-production-demo")
    assert _counts() == before


SOURCES: tuple[Source, ...] = ("vector", "sql", "json")


def test_every_demo_sheet_holds_the_vector_of_its_answers_and_both_passes_agree(
    demo_output: str,
) -> None:
    """The demo's sheets (written by `seed_demo` through the synthetic writer) agree in
    both forms, and every demo wave counts the same from vectors as from JSON: equal
    counts, so equal cells and the same disclosure audit."""
    assert sheets_disagreeing() == []
    specs = specs_from_catalogue(load_catalogue())
    waves = Wave.objects.filter(sheets__isnull=False).distinct()
    assert waves.count() == 6  # Eskilstuna's 3 published and open wave, Norrköping's 2
    for wave in waves:
        assert pass_statement(wave_id=wave.pk, specs=specs)[2] == "vector"
        vector, sql, json = (
            {
                (r.geography, r.area, r.breakdown, r.breakdown_value): r.counts
                for r in aggregate_wave(wave_id=wave.pk, specs=specs, source=source)
            }
            for source in SOURCES
        )
        assert vector == json
        assert sql == json


def test_the_demo_waves_get_the_verdicts_of_the_audit_before(
    demo_output: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Today's audit (`lagesbild.disclosure_audit`, with its shortcuts) and the audit it
    replaced (`tests/lagesbild/audit_before.py`) judge every demo wave alike: its stored
    cells with every cover cell shown again (both find the same disclosures), and the
    whole "audit, add cover" loop of the open wave, round by round
    (`tests/lagesbild/test_audit_equivalence.py` does the same on random cubes)."""
    catalogue = load_catalogue()
    specs = specs_from_catalogue(catalogue)
    waves = Wave.objects.filter(cells__isnull=False).distinct()
    assert waves.count() == 6
    for wave in waves:
        cells = {
            (c.indicator, c.place, c.geography, c.area, c.breakdown, c.breakdown_value): Cell(
                c.raw_n, c.raw_yes, _estimate(c.state, c.reason, c.raw_n, c.raw_yes)
            )
            for c in IndicatorCell.objects.filter(wave=wave).exclude(breakdown="grade")
        }
        uncovered = {
            key: Cell(c.n, c.yes, estimate_cell(c.n, c.yes))
            if c.estimate.reason == "complementary"
            else c
            for key, c in cells.items()
        }
        assert_same_verdicts(uncovered, catalogue.rule_params, details=(False,), remembered=False)
        if not wave.is_published:
            cube = build_cube(aggregate_wave(wave_id=wave.pk, specs=specs), specs)
            cube = {k: v for k, v in cube.items() if k[4] != "grade"}
            assert rounds_of(cube, audit, monkeypatch) == rounds_of(cube, audit_before, monkeypatch)


def _estimate(state: str, reason: str, n: int, yes: int) -> CellEstimate:
    """A stored cell's state and reason (the audit reads nothing else of the estimate)."""
    if state == "suppressed":
        return CellEstimate.suppressed(reason)  # type: ignore[arg-type]
    estimate = estimate_cell(n, yes)
    assert (estimate.state, estimate.reason) == (state, reason)
    return estimate
