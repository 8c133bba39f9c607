"""`seed_demo`: the demo `make run` serves. It takes most of a minute (three published
waves, each through the disclosure audit), so this module seeds once and every test reads
the same committed demo; a test's own changes are rolled back as usual."""

from collections.abc import Iterator
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from pytest_django import DjangoDbBlocker

from accounts.access import Role, organisation_of, roles_of, school_of
from surveys.models import District, School, SchoolClass

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_output(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[str]:
    """What the first `seed_demo` on an empty database printed; the demo stays committed
    until the module ends, then the database is emptied for the modules after it."""
    out = StringIO()
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=out)
    yield out.getvalue()
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def _counts() -> tuple[int, int, int, int]:
    return (
        District.objects.count(),
        School.objects.count(),
        SchoolClass.objects.count(),
        User.objects.count(),
    )


def test_seed_demo_creates_every_district_of_the_domain(demo_output: str) -> None:
    names = set(District.objects.values_list("name", flat=True))
    assert {"Skiftinge", "Årby", "Fröslunda", "Lagersberg", "Torshälla", "Kvicksund"} <= names
    assert len(names) == 22
    assert set(District.objects.filter(police_area=True).values_list("code", flat=True)) == {
        "SKI",
        "ARB",
        "FRO",
    }
    assert School.objects.count() == 10


def test_seed_demo_twice_changes_nothing(demo_output: str) -> None:
    first = _counts()
    call_command("seed_demo", stdout=StringIO())
    assert _counts() == first


def test_seed_demo_creates_one_staff_user_per_role(demo_output: str) -> None:
    roles = {role for user in User.objects.all() for role in roles_of(user)}
    assert roles == set(Role)
    polis = User.objects.get(username="analys-polis")
    assert organisation_of(polis) == "polis"
    contact = User.objects.get(username="skolkontakt")
    assert school_of(contact) is not None


def test_seed_demo_prints_the_second_factor_of_each_login(demo_output: str) -> None:
    assert "analys-polis / trygghet-demo" in demo_output
    assert "demo-pol1" in demo_output
    assert "key " in demo_output


def test_a_printed_demo_recovery_code_logs_in(demo_output: str) -> None:
    client = Client()
    client.post("/konto/logga-in/", {"username": "analys-polis", "password": "trygghet-demo"})
    response = client.post("/konto/verifiera/", {"token": "demo-pol1"})
    assert response.status_code == 302
    assert client.get("/konto/").status_code == 200
