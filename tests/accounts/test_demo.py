from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from accounts.access import Role, organisation_of, roles_of, school_of

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
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
    assert "analys-polis / trygghet-demo" in output
    assert "demo-pol1" in output
    assert "key " in output


def test_a_printed_demo_recovery_code_logs_in() -> None:
    _seed()
    client = Client()
    client.post("/konto/logga-in/", {"username": "analys-polis", "password": "trygghet-demo"})
    response = client.post("/konto/verifiera/", {"token": "demo-pol1"})
    assert response.status_code == 302
    assert client.get("/konto/").status_code == 200
