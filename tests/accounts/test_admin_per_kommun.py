"""The admin per kommun: a coordinator sees, chooses and changes only their kommun's rows;
the system administrator sees every kommun."""

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client

from accounts.access import Role
from lagesbild.models import Measure
from surveys.models import District, Municipality, School, SchoolClass
from tests.accounts.accounts_helpers import login_verified, make_staff
from tests.surveys.factories import make_wave

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Municipality]:
    out: dict[str, Municipality] = {}
    for code, name in (("9301", "Aköping"), ("9302", "Beby")):
        kommun = Municipality.objects.create(code=code, name=name)
        district = District.objects.create(municipality=kommun, code="C", name=f"Mitt i {name}")
        school = School.objects.create(district=district, name=f"Skolan i {name}")
        SchoolClass.objects.create(school=school, name=f"7 {name}", grade=7)
        make_wave(municipality=kommun, slug="vt2027", name=f"Omgången i {name}")
        Measure.objects.create(
            municipality=kommun, title=f"Åtgärd i {name}", started_on=date(2026, 1, 12)
        )
        out[name] = kommun
    return out


def _client(user: User) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def test_a_coordinator_lists_only_their_kommuns_rows(world: dict[str, Municipality]) -> None:
    client = _client(make_staff(Role.COORDINATOR, kommun=world["Aköping"]))
    for url in (
        "/admin/surveys/municipality/",
        "/admin/surveys/district/",
        "/admin/surveys/school/",
        "/admin/surveys/schoolclass/",
        "/admin/surveys/wave/",
        "/admin/lagesbild/waveresult/",
        "/admin/lagesbild/measure/",
    ):
        html = client.get(url).content.decode()
        assert "Aköping" in html, url
        assert "Beby" not in html, url


def test_another_kommuns_row_is_not_found(world: dict[str, Municipality]) -> None:
    client = _client(make_staff(Role.COORDINATOR, kommun=world["Aköping"]))
    other = School.objects.get(name="Skolan i Beby")
    missing = client.get(f"/admin/surveys/school/{other.pk}/change/")
    unknown = client.get("/admin/surveys/school/987654/change/")
    # The same answer as for an id that does not exist.
    assert missing.status_code == unknown.status_code == 302
    assert client.post(f"/admin/surveys/school/{other.pk}/delete/", {"post": "yes"})
    assert School.objects.filter(pk=other.pk).exists()


def test_choices_offer_only_the_users_kommun(world: dict[str, Municipality]) -> None:
    client = _client(make_staff(Role.COORDINATOR, kommun=world["Aköping"]))
    for url in (
        "/admin/surveys/wave/add/",
        "/admin/surveys/school/add/",
        "/admin/lagesbild/measure/add/",
    ):
        html = client.get(url).content.decode()
        assert "Beby" not in html, url
    action = client.post(
        "/admin/surveys/schoolclass/",
        {
            "action": "issue_codes",
            "_selected_action": [SchoolClass.objects.get(name="7 Aköping").pk],
        },
    ).content.decode()
    assert "Omgången i Aköping" in action and "Omgången i Beby" not in action


def test_only_the_system_administrator_adds_a_kommun(world: dict[str, Municipality]) -> None:
    coordinator = _client(make_staff(Role.COORDINATOR, kommun=world["Aköping"]))
    assert coordinator.get("/admin/surveys/municipality/add/").status_code == 403
    admin = _client(make_staff(Role.ADMIN))
    assert admin.get("/admin/surveys/municipality/add/").status_code == 200
    html = admin.get("/admin/surveys/school/").content.decode()
    assert "Skolan i Aköping" in html and "Skolan i Beby" in html
