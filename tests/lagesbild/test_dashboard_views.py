"""Dashboard pages without the shared published waves: access, the boundary import, the
pages before anything is published. The pages of published waves are in
test_dashboard_views_published.py."""

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.access import Role
from accounts.models import AuditLog
from surveys.models import District
from tests.accounts.accounts_helpers import login_verified, make_staff
from tests.lagesbild import dashboard_factories
from tests.lagesbild.conftest import KEYS
from tests.lagesbild.dashboard_factories import grid_geojson

pytestmark = pytest.mark.django_db

PAGES = [
    "/0484/lagesbild/",
    "/0484/lagesbild/indikator/EXP02/",
    "/0484/lagesbild/omrade/SKI/",
    "/0484/lagesbild/karta/",
]


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/logga-in/")


@pytest.mark.parametrize("url", PAGES)
def test_a_school_contact_may_not_see_the_dashboards(
    client: Client, url: str, districts: list[District]
) -> None:
    from surveys.models import School
    from tests.accounts.accounts_helpers import make_staff as staff

    school = School.objects.create(district=districts[0], name="Testskolan")
    login_verified(client, staff(Role.SCHOOL_CONTACT, school=school))
    assert client.get(url).status_code == 403


def test_importing_a_valid_file_stores_the_boundaries_and_audits_it(
    coordinator_client: Client, districts: list[District]
) -> None:
    upload = SimpleUploadedFile(
        "omraden.geojson", json.dumps(grid_geojson(["SKI", "ARB"])).encode()
    )
    response = coordinator_client.post(
        "/0484/lagesbild/karta/importera/", {"file": upload, "code_property": "code"}
    )
    assert response.status_code == 302
    assert District.objects.filter(geometry__isnull=False).count() == 2
    assert AuditLog.objects.filter(event="district shapes import").count() == 1


def test_a_bad_file_imports_nothing_and_says_why(
    coordinator_client: Client, districts: list[District]
) -> None:
    data = grid_geojson(["SKI", "XYZ"])
    upload = SimpleUploadedFile("omraden.geojson", json.dumps(data).encode())
    response = coordinator_client.post(
        "/0484/lagesbild/karta/importera/", {"file": upload, "code_property": "code"}
    )
    html = response.content.decode()
    assert "Filen kunde inte importeras" in html
    assert "XYZ" in html
    assert District.objects.filter(geometry__isnull=False).count() == 0


def test_an_analyst_may_not_import_boundaries(analyst_client: Client) -> None:
    assert analyst_client.get("/0484/lagesbild/karta/importera/").status_code == 403


def test_without_published_waves_the_overview_says_so(analyst_client: Client) -> None:
    html = analyst_client.get("/0484/lagesbild/").content.decode()
    assert "Ingen publicerad lägesbild ännu" in html


def test_analyst_login_helper_gives_an_analyst(db: None) -> None:
    user = make_staff(Role.ANALYST, organisation="kommun")
    assert list(user.memberships.values_list("role", "municipality__code")) == [("analyst", "0484")]


def test_figure_json_cannot_close_its_script_element() -> None:
    from lagesbild.templatetags.lagesbild_tags import figure_json_script

    html = figure_json_script({"text": "</script><script>alert(1)</script>"}, "chart-x-data")
    assert html.count("</script>") == 1
    assert "\\u003C/script\\u003E" in html


def test_with_two_kommuner_the_import_goes_into_the_pages_kommun_only(
    coordinator_client: Client, districts: list[District]
) -> None:
    from surveys.models import Municipality

    other = Municipality.objects.create(code="0480", name="Nyköping")
    District.objects.create(municipality=other, code="SKI", name="Skiftinge i Nyköping")
    form = coordinator_client.get("/0484/lagesbild/karta/importera/").content.decode()
    assert 'name="municipality"' not in form and "Nyköping" not in form
    upload = SimpleUploadedFile("omraden.geojson", json.dumps(grid_geojson(["SKI"])).encode())
    response = coordinator_client.post(
        "/0484/lagesbild/karta/importera/", {"file": upload, "code_property": "code"}
    )
    assert response.status_code == 302
    assert list(District.objects.filter(geometry__isnull=False)) == [
        District.objects.get(municipality__code="0484", code="SKI")
    ]
    # The other kommun's import page does not exist for Eskilstuna's coordinator.
    assert coordinator_client.get("/0480/lagesbild/karta/importera/").status_code == 404


def test_with_only_an_open_wave_the_dashboard_has_nothing_to_show(
    coordinator_client: Client, districts: list[District]
) -> None:
    now = timezone.now()
    wave = dashboard_factories.make_wave(
        municipality=districts[0].municipality,
        opens_at=now - timedelta(days=2),
        closes_at=now + timedelta(days=10),
        published_at=None,
    )
    dashboard_factories.build_cube(wave, districts, seed=5, keys=KEYS)
    html = coordinator_client.get("/0484/lagesbild/").content.decode()
    assert "Ingen publicerad lägesbild ännu" in html
    assert "data-figure" not in html
    assert "/0484/skola/svarsfrekvens/" in html  # what there is to follow instead
