"""`seed_demo --allow-production-demo` on an empty database: a demo or training server
with DEBUG off gets its own password and recovery codes nobody published.

The published demo waves are left out here (`seed_waves` replaced): they take most of a
minute, are the same with DEBUG on or off, and `test_demo.py` seeds them."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from pytest_django.fixtures import Settings

from lagesbild.management.commands import seed_demo

pytestmark = pytest.mark.django_db


def test_production_demo_has_its_own_password_and_random_recovery_codes(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.DEBUG = False
    monkeypatch.setenv("DEMO_PASSWORD", "en-egen-lång-demolösen")
    monkeypatch.setattr(seed_demo, "seed_waves", lambda _stdout, address: None)
    call_command("seed_demo", "--allow-production-demo")
    output = capsys.readouterr().out
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


def test_production_demo_refuses_a_database_with_real_data(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real kommun's waves are never touched: on a server the demo seeds only an empty
    database, and a wave it did not make is never republished or added to."""
    from django.core.management.base import CommandError

    from tests.surveys.factories import make_wave

    settings.DEBUG = False
    monkeypatch.setenv("DEMO_PASSWORD", "en-egen-lång-demolösen")
    monkeypatch.setattr(seed_demo, "seed_waves", lambda _stdout, address: None)
    real = make_wave(slug="ht2024")  # a real wave of a kommun, whatever its name
    with pytest.raises(CommandError, match="real kommuner or waves"):
        call_command("seed_demo", "--allow-production-demo")
    real.refresh_from_db()
    assert not real.demo
    assert not User.objects.filter(username="analys-polis").exists()


def test_the_demo_never_republishes_a_wave_it_did_not_make() -> None:
    from lagesbild.demo import _unpublish_demo_wave
    from tests.surveys.factories import make_wave

    real = make_wave(slug="ht2024")
    with pytest.raises(ValueError, match="not a demo wave"):
        _unpublish_demo_wave(real)
