"""Fixtures of the lägesbild tests: a small municipality, the default questionnaire, waves
and random answer sheets (including malformed answers) for the correctness tests; and for
the dashboards a published history of waves with cubes of cells, and signed-in staff."""

import hashlib
import json
import random
import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoDbBlocker

from accounts.access import Role
from lagesbild.catalogue import AnyOfRule, PlacesRule, load_catalogue
from surveys.models import (
    AnswerSheet,
    District,
    Municipality,
    QuestionnaireVersion,
    School,
    SchoolClass,
    Wave,
)
from surveys.services import questionnaire_import_default, sheets_store
from tests.accounts.accounts_helpers import login_verified, make_staff
from tests.lagesbild import dashboard_factories

DISTRICTS = [("SKI", "Skiftinge"), ("ARB", "Årby"), ("NOR", "Norr"), ("TOR", "Torshälla")]


@pytest.fixture
def municipality(db: None) -> Municipality:
    municipality = Municipality.objects.create(code="0484", name="Eskilstuna")
    for code, name in DISTRICTS:
        District.objects.create(municipality=municipality, code=code, name=name)
    for code, grades in (("SKI", [7, 8, 9]), ("NOR", [9, 10]), ("TOR", [11, 12])):
        school = School.objects.create(
            district=District.objects.get(code=code), name=f"Testskolan {code}"
        )
        for grade in grades:
            SchoolClass.objects.create(school=school, name=f"{grade}A", grade=grade)
    return municipality


@pytest.fixture
def questionnaire(db: None) -> QuestionnaireVersion:
    return questionnaire_import_default()


MakeWave = Callable[..., Wave]


@pytest.fixture
def make_wave(municipality: Municipality, questionnaire: QuestionnaireVersion) -> MakeWave:
    def make(slug: str = "ht2026", *, opens: datetime | None = None, closed: bool = True) -> Wave:
        now = timezone.now()
        start = opens or (now - timedelta(days=40 if closed else 5))
        end = start + timedelta(days=28) if closed else now + timedelta(days=20)
        return Wave.objects.create(
            municipality=municipality,
            name=slug,
            slug=slug,
            questionnaire=questionnaire,
            opens_at=start,
            closes_at=end,
        )

    return make


def _questions() -> dict[str, tuple[str, ...]]:
    """Every question the catalogue reads, with its option codes."""
    options: dict[str, tuple[str, ...]] = {}
    for indicator in load_catalogue().indicators:
        rule = indicator.rule
        parts = rule.components if isinstance(rule, AnyOfRule) else (rule,)
        for part in parts:
            options[part.question] = part.options
    return options


def _single(rng: random.Random, options: tuple[str, ...]) -> Any:
    roll = rng.random()
    if roll < 0.70:
        return rng.choice(options)
    if roll < 0.76:
        return int(rng.choice(options))  # a number where a code string belongs
    if roll < 0.82:
        return "99"  # unknown code
    if roll < 0.87:
        return [rng.choice(options)]  # a list for a single-choice question
    if roll < 0.90:
        return True
    if roll < 0.93:
        return None
    return ""


def _multiple(rng: random.Random, options: tuple[str, ...]) -> Any:
    roll = rng.random()
    if roll < 0.65:
        return rng.sample(list(options), rng.randint(1, 4))
    if roll < 0.72:
        return []
    if roll < 0.80:
        return rng.choice(options)  # a single code string
    if roll < 0.87:
        return [int(rng.choice(options)), rng.choice(options)]  # numbers do not count
    if roll < 0.93:
        return ["99"]
    return [["1"], True, None]


def random_answers(rng: random.Random) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    places = {
        i.rule.question for i in load_catalogue().indicators if isinstance(i.rule, PlacesRule)
    }
    for question, options in _questions().items():
        if rng.random() < 0.12:
            continue  # skipped
        if question in places:
            answers[question] = _multiple(rng, options)
        else:
            answers[question] = _single(rng, options)
    return answers


AddSheets = Callable[..., list[AnswerSheet]]


@pytest.fixture
def add_sheets() -> AddSheets:
    """Insert ``count`` random sheets (random geography, gender, grade, answers)."""

    def add(wave: Wave, count: int, seed: int) -> list[AnswerSheet]:
        rng = random.Random(seed)
        classes = list(SchoolClass.objects.select_related("school").order_by("pk"))
        districts = list(District.objects.order_by("pk"))
        sheets: list[AnswerSheet] = []
        for _ in range(count):
            cls = rng.choice(classes)
            home = rng.random()
            home_district = rng.choice(districts) if home < 0.8 else None
            home_answer = "" if home < 0.8 else rng.choice(["ANNAN", "EJSVAR", ""])
            answers = random_answers(rng)
            sheets.append(
                AnswerSheet(
                    submission_id=uuid.UUID(int=rng.getrandbits(128)),
                    wave=wave,
                    questionnaire_id=wave.questionnaire_id,
                    school=cls.school,
                    school_district_id=cls.school.district_id,
                    home_district=home_district,
                    home_answer=home_answer,
                    grade=cls.grade,
                    gender=rng.choice(["1", "1", "2", "2", "3", ""]),
                    language="sv",
                    submitted_on=date(2026, 10, 1),
                    answers=answers,
                    answers_digest=hashlib.sha256(json.dumps(answers).encode()).hexdigest(),
                )
            )
        sheets_store(sheets=sheets)
        return sheets

    return add


# A few indicators of every kind keep the fixtures fast: both polarities, TRY07's places,
# a school-geography indicator.
KEYS = [
    ("EXP02", "", "home"),
    ("TRY01", "", "home"),
    ("TRY02", "", "school"),
    ("SKY01", "", "home"),
    *[("TRY07", str(p), "home") for p in range(1, 9)],
]


@pytest.fixture
def districts(db: None) -> list[District]:
    return dashboard_factories.demo_districts()


def make_published_waves(districts: list[District]) -> list[Wave]:
    """Three published waves, oldest first, each with a cube of cells."""
    result = []
    for i in range(3):
        wave = dashboard_factories.make_wave(municipality=districts[0].municipality)
        dashboard_factories.build_cube(wave, districts, seed=i + 1, keys=KEYS)
        result.append(wave)
    return result


def make_open_wave(districts: list[District]) -> Wave:
    """An open wave whose cells are computed (and never shown)."""
    now = timezone.now()
    wave = dashboard_factories.make_wave(
        municipality=districts[0].municipality,
        name="VT Öppen",
        slug="vt-oppen",
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=10),
        published_at=None,
    )
    dashboard_factories.build_cube(wave, districts, seed=99, keys=KEYS)
    return wave


@pytest.fixture
def waves(districts: list[District]) -> list[Wave]:
    """Three published waves, oldest first, each with a cube of cells."""
    return make_published_waves(districts)


@pytest.fixture(scope="module")
def module_published_waves(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[dict[str, list[int]]]:
    """The demo districts and `make_published_waves`' three waves, built once for a module
    whose tests only need them to exist (each test's own changes are rolled back): such a
    module overrides `districts` and `waves` with `shared_districts` and `shared_waves`.
    Committed until the module ends; then the database is emptied for the modules after
    it."""
    with django_db_blocker.unblock():
        districts = dashboard_factories.demo_districts()
        built = {
            "districts": [d.pk for d in districts],
            "waves": [w.pk for w in make_published_waves(districts)],
        }
    yield built
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def shared_districts(built: dict[str, list[int]]) -> list[District]:
    by_pk = District.objects.in_bulk(built["districts"])
    return [by_pk[pk] for pk in built["districts"]]


def shared_waves(built: dict[str, list[int]]) -> list[Wave]:
    by_pk = Wave.objects.in_bulk(built["waves"])
    return [by_pk[pk] for pk in built["waves"]]


@pytest.fixture
def open_wave(waves: list[Wave], districts: list[District]) -> Wave:
    return make_open_wave(districts)


@pytest.fixture
def analyst(db: None) -> User:
    return make_staff(Role.ANALYST, organisation="polis")


@pytest.fixture
def coordinator(db: None) -> User:
    return make_staff(Role.COORDINATOR)


@pytest.fixture
def analyst_client(client: Client, analyst: User) -> Client:
    login_verified(client, analyst)
    return client


@pytest.fixture
def coordinator_client(client: Client, coordinator: User) -> Client:
    login_verified(client, coordinator)
    return client
