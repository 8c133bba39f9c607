from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from pytest_django.fixtures import Settings

from accounts.access import Role, organisation_of, roles_of, school_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _development(settings: Settings) -> None:
    # The demo is for development (DEBUG on); pytest-django runs tests with DEBUG off.
    settings.DEBUG = True


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_creates_one_staff_user_per_role_once() -> None:
    _seed()
    first = User.objects.count()
    _seed()
    assert User.objects.count() == first
    roles = {role for user in User.objects.all() for role in roles_of(user)}
    assert roles == set(Role)
    polis = User.objects.get(username="analys-polis")
    assert organisation_of(polis) == "polis"
    contact = User.objects.get(username="skolkontakt")
    assert school_of(contact) is not None


def test_seed_demo_prints_the_second_factor_of_each_login() -> None:
    output = _seed()
    assert "password trygghet-demo for every user" in output
    assert "analys-polis" in output
    assert "demo-pol1 … demo-pol5" in output
    assert "key " in output
    assert "recovery code" in output


def test_seed_demo_output_is_compact() -> None:
    _seed()
    # The second run is what every `make run` after the first prints.
    assert len(_seed().splitlines()) <= 12


def test_seed_demo_refuses_to_run_with_debug_off(settings: Settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        _seed()
    assert not User.objects.exists()


def test_production_demo_refuses_the_published_password(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DEBUG = False
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="DEMO_PASSWORD"):
        _seed("--allow-production-demo")
    monkeypatch.setenv("DEMO_PASSWORD", "trygghet-demo")
    with pytest.raises(CommandError, match="DEMO_PASSWORD"):
        _seed("--allow-production-demo")
    assert not User.objects.exists()


def test_production_demo_has_its_own_password_and_random_recovery_codes(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DEBUG = False
    monkeypatch.setenv("DEMO_PASSWORD", "en-egen-lång-demolösen")
    output = _seed("--allow-production-demo")
    assert "trygghet-demo" not in output
    assert "en-egen-lång-demolösen" not in output
    assert "demo-pol1" not in output
    polis = User.objects.get(username="analys-polis")
    assert not polis.check_password("trygghet-demo")
    assert polis.check_password("en-egen-lång-demolösen")
    client = Client()
    client.post(
        "/konto/logga-in/", {"username": "analys-polis", "password": "en-egen-lång-demolösen"}
    )
    client.post("/konto/verifiera/", {"token": "demo-pol1"})
    assert client.get("/konto/").status_code != 200


def test_a_printed_demo_recovery_code_logs_in() -> None:
    _seed()
    client = Client()
    client.post("/konto/logga-in/", {"username": "analys-polis", "password": "trygghet-demo"})
    response = client.post("/konto/verifiera/", {"token": "demo-pol1"})
    assert response.status_code == 302
    assert client.get("/konto/").status_code == 200
