"""The admin per kommun: a coordinator sees, chooses and changes only their kommun's rows;
the system administrator sees every kommun."""

import re
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


def _questionnaire_choices(client: Client) -> set[str]:
    """The option values of the wave form's questionnaire select (ids of other selects,
    such as a class with the same id, must not count)."""
    html = client.get("/admin/surveys/wave/add/").content.decode()
    select = html[html.index('name="questionnaire"') :]
    select = select[: select.index("</select>")]
    return set(re.findall(r'<option value="(\d+)"', select))


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


def test_a_coordinator_adds_and_changes_a_wave_in_the_admin(world: dict[str, Municipality]) -> None:
    from surveys.models import QuestionnaireVersion, Wave
    from surveys.services import questionnaire_import_default

    questionnaire = questionnaire_import_default()
    kommun = world["Aköping"]
    client = _client(make_staff(Role.COORDINATOR, kommun=kommun))
    form = {
        "municipality": kommun.pk,
        "name": "Vårterminen 2027",
        "slug": "vt2027b",
        "questionnaire": questionnaire.pk,
        "opens_at": "2027-03-01T08:00",
        "closes_at": "2027-03-29T17:00",
        "classes": [SchoolClass.objects.get(name="7 Aköping").pk],
        "analysis_text": "",
    }
    response = client.post("/admin/surveys/wave/add/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    wave = Wave.objects.get(municipality=kommun, slug="vt2027b")
    assert wave.opens_at.isoformat().startswith("2027-03-01")
    response = client.post(
        f"/admin/surveys/wave/{wave.pk}/change/", {**form, "closes_at": "2027-03-30T17:00"}
    )
    assert response.status_code == 302
    wave.refresh_from_db()
    assert wave.closes_at.day == 30
    assert QuestionnaireVersion.objects.filter(pk=questionnaire.pk).exists()


def test_a_kommuns_own_questionnaire_version_is_its_own(world: dict[str, Municipality]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from surveys.models import QuestionnaireVersion
    from surveys.questionnaire import DEFAULT_QUESTIONNAIRE_PATH
    from surveys.services import questionnaire_import_default

    core = questionnaire_import_default()
    text = DEFAULT_QUESTIONNAIRE_PATH.read_text(encoding="utf-8")
    local = text.replace("code: DEFAULT", "code: AKOPING", 1)
    assert local != text
    a = _client(make_staff(Role.COORDINATOR, kommun=world["Aköping"]))
    b = _client(make_staff(Role.COORDINATOR, kommun=world["Beby"]))
    upload = SimpleUploadedFile("lokal.yaml", local.encode())
    assert (
        a.post("/admin/surveys/questionnaireversion/importera/", {"file": upload}).status_code
        == 302
    )
    own = QuestionnaireVersion.objects.get(code="AKOPING")
    assert own.municipality == world["Aköping"]
    # Beby's coordinator neither lists, exports, deletes nor uses Aköping's version ...
    assert "AKOPING" not in b.get("/admin/surveys/questionnaireversion/").content.decode()
    export = b.get(f"/admin/surveys/questionnaireversion/{own.pk}/exportera/yaml/")
    assert export.status_code == 404
    b.post(f"/admin/surveys/questionnaireversion/{own.pk}/delete/", {"post": "yes"})
    assert QuestionnaireVersion.objects.filter(pk=own.pk).exists()
    assert str(own.pk) not in _questionnaire_choices(b)
    assert str(own.pk) in _questionnaire_choices(a)
    # ... nor replaces it by importing a file with its code and version.
    upload = SimpleUploadedFile("lokal.yaml", local.replace("Trygghet", "Otrygghet", 1).encode())
    b.post("/admin/surveys/questionnaireversion/importera/", {"file": upload})
    own.refresh_from_db()
    assert own.municipality == world["Aköping"]
    assert QuestionnaireVersion.objects.filter(code="AKOPING").count() == 1
    # The core questionnaire is everyone's, and only the system administrator deletes it.
    assert str(core.pk) in _questionnaire_choices(b)
    b.post(f"/admin/surveys/questionnaireversion/{core.pk}/delete/", {"post": "yes"})
    assert QuestionnaireVersion.objects.filter(pk=core.pk).exists()


def test_a_delete_page_lists_no_waves_or_answer_sheets(world: dict[str, Municipality]) -> None:
    from surveys.services import questionnaire_import_default

    core = questionnaire_import_default()
    make_wave(
        municipality=world["Beby"],
        slug="beby-kärna",
        name="Bebys hemliga omgång",
        questionnaire=core,
    )
    admin = _client(make_staff(Role.ADMIN))
    html = admin.get(f"/admin/surveys/questionnaireversion/{core.pk}/delete/").content.decode()
    assert "Bebys hemliga omgång" not in html
    school = School.objects.get(name="Skolan i Aköping")
    html = admin.get(f"/admin/surveys/school/{school.pk}/delete/").content.decode()
    assert "Svarsblankett" not in html


def test_a_coordinator_cannot_change_the_kommuns_code_or_name(
    world: dict[str, Municipality],
) -> None:
    kommun = world["Aköping"]
    client = _client(make_staff(Role.COORDINATOR, kommun=kommun))
    html = client.get(f"/admin/surveys/municipality/{kommun.pk}/change/").content.decode()
    assert 'name="code"' not in html and 'name="name"' not in html
    client.post(
        f"/admin/surveys/municipality/{kommun.pk}/change/",
        {
            "code": "9302",
            "name": "Beby",
            "help_resources-TOTAL_FORMS": "0",
            "help_resources-INITIAL_FORMS": "0",
        },
    )
    kommun.refresh_from_db()
    assert (kommun.code, kommun.name) == ("9301", "Aköping")


def test_every_admin_scoped_per_kommun_knows_its_kommun() -> None:
    """Each model a kommun-scoped admin shows has a path to its kommun; a model without one
    is refused loudly, never shown whole (deny by default)."""
    from django.contrib import admin
    from django.core.exceptions import ImproperlyConfigured

    from accounts.access import KOMMUN_PATHS, within_kommuner
    from accounts.admin_scope import KommunScopedAdmin

    scoped = [
        model._meta.label_lower
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, KommunScopedAdmin)
    ]
    assert scoped
    assert [label for label in scoped if label not in KOMMUN_PATHS] == []
    coordinator = make_staff(Role.COORDINATOR)
    with pytest.raises(ImproperlyConfigured, match=r"auth\.user has no path"):
        within_kommuner(User.objects.all(), coordinator)
