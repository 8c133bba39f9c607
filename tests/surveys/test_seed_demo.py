import pytest
from django.core.management import call_command
from pytest_django.fixtures import Settings

from surveys.models import District, School, SchoolClass

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _development(settings: Settings) -> None:
    # The demo is for development (DEBUG on); pytest-django runs tests with DEBUG off.
    settings.DEBUG = True


def _counts() -> tuple[int, int, int]:
    return District.objects.count(), School.objects.count(), SchoolClass.objects.count()


def test_seed_demo_creates_every_district_of_the_domain() -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123
    names = set(District.objects.values_list("name", flat=True))
    assert {"Skiftinge", "Årby", "Fröslunda", "Lagersberg", "Torshälla", "Kvicksund"} <= names
    assert len(names) == 22
    assert set(District.objects.filter(police_area=True).values_list("code", flat=True)) == {
        "SKI",
        "ARB",
        "FRO",
    }


def test_seed_demo_twice_changes_nothing() -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123
    first = _counts()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123
    assert _counts() == first
    assert first[1] == 10
