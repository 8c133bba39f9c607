"""No role sees an indicator value of an open or a closed but unpublished wave.

Two views of an unpublished wave taken before and after one pupil answered would reveal that pupil's
answers (docs/privacy.md, disclosure rule 6), so every dashboard, export and report URL that names
such a wave answers 404, for the coordinator and the admin as for the analyst.
"""

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoDbBlocker

from accounts.access import Role
from lagesbild.models import ExportJob, IndicatorCell
from surveys.models import District, Wave
from tests.accounts.accounts_helpers import login_verified, make_staff
from tests.lagesbild import dashboard_factories
from tests.lagesbild.conftest import KEYS, make_open_wave, make_published_waves

pytestmark = pytest.mark.django_db

DASHBOARD_PATHS = (
    "/0484/lagesbild/",
    "/0484/lagesbild/indikator/EXP02/",
    "/0484/lagesbild/indikator/TRY07/?place=1",
    "/0484/lagesbild/omrade/SKI/",
    "/0484/lagesbild/karta/",
)
EXPORT_PATHS = (
    "/0484/lagesbild/export/celler.csv",
    "/0484/lagesbild/export/celler.xlsx",
    "/0484/lagesbild/export/metod.txt",
    "/0484/lagesbild/export/rapport/",
)


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def _make_closed_wave(districts: list[District]) -> Wave:
    now = timezone.now()
    wave = dashboard_factories.make_wave(
        municipality=districts[0].municipality,
        name="VT Stängd",
        slug="vt-stangd",
        opens_at=now - timedelta(days=40),
        closes_at=now - timedelta(days=10),
        published_at=None,
    )
    dashboard_factories.build_cube(wave, districts, seed=98, keys=KEYS)
    return wave


@pytest.fixture(scope="module")
def _module_waves(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[dict[str, list[int]]]:
    """The published, open and closed waves with their cells, built once for the module:
    its two hundred tests only read them. Committed until the module ends; then the
    database is emptied for the modules after it."""
    with django_db_blocker.unblock():
        districts = dashboard_factories.demo_districts()
        built = {
            "districts": [d.pk for d in districts],
            "published": [w.pk for w in make_published_waves(districts)],
            "open": [make_open_wave(districts).pk],
            "closed": [_make_closed_wave(districts).pk],
        }
    yield built
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def districts(_module_waves: dict[str, list[int]], db: None) -> list[District]:
    by_pk = District.objects.in_bulk(_module_waves["districts"])
    return [by_pk[pk] for pk in _module_waves["districts"]]


@pytest.fixture
def waves(_module_waves: dict[str, list[int]], db: None) -> list[Wave]:
    return [Wave.objects.get(pk=pk) for pk in _module_waves["published"]]


@pytest.fixture
def open_wave(_module_waves: dict[str, list[int]], db: None) -> Wave:
    return Wave.objects.get(pk=_module_waves["open"][0])


@pytest.fixture
def closed_wave(_module_waves: dict[str, list[int]], db: None) -> Wave:
    return Wave.objects.get(pk=_module_waves["closed"][0])


@pytest.fixture(params=[Role.COORDINATOR, Role.ANALYST, Role.ADMIN])
def staff_client(request: pytest.FixtureRequest, client: Client) -> Client:
    user: User = make_staff(request.param, organisation="kommun")
    login_verified(client, user)
    return client


@pytest.fixture(params=["open", "closed"])
def unpublished(request: pytest.FixtureRequest, open_wave: Wave, closed_wave: Wave) -> Wave:
    wave = open_wave if request.param == "open" else closed_wave
    assert IndicatorCell.objects.filter(wave=wave).exists()  # computed, never shown
    return wave


def _join(path: str, slug: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}wave={slug}"


@pytest.mark.parametrize("path", DASHBOARD_PATHS)
def test_no_dashboard_shows_an_unpublished_wave(
    staff_client: Client, unpublished: Wave, path: str
) -> None:
    response = staff_client.get(_join(path, unpublished.slug))
    assert response.status_code == 404
    html = response.content.decode()
    assert "Omgången är inte publicerad ännu" in html
    assert unpublished.name not in html
    assert "data-figure" not in html


@pytest.mark.parametrize("path", EXPORT_PATHS)
def test_no_export_or_report_of_an_unpublished_wave(
    staff_client: Client, unpublished: Wave, path: str
) -> None:
    assert staff_client.get(_join(path, unpublished.slug)).status_code == 404


def test_no_report_job_for_an_unpublished_wave(staff_client: Client, unpublished: Wave) -> None:
    response = staff_client.post("/0484/lagesbild/export/rapport/", {"wave": unpublished.slug})
    assert response.status_code == 404
    assert not ExportJob.objects.exists()


def test_the_default_wave_is_the_latest_published_one(
    staff_client: Client, waves: list[Wave], unpublished: Wave
) -> None:
    html = staff_client.get("/0484/lagesbild/").content.decode()
    assert f"Data från omgång {waves[-1].name}" in html
    assert f'value="{unpublished.slug}"' not in html


def test_the_admin_has_no_page_for_cells() -> None:
    # Cells (with their raw counts) are never shown in the admin, published or not.
    assert IndicatorCell not in admin.site._registry


def test_the_export_and_report_commands_refuse_an_unpublished_wave(
    unpublished: Wave, tmp_path: Path
) -> None:
    with pytest.raises(CommandError):
        call_command("export_cells", "--wave", unpublished.slug, "--format", "csv")
    output = tmp_path / "rapport.pdf"
    with pytest.raises(CommandError):
        call_command("lagesbild_report", "--wave", unpublished.slug, "--output", str(output))
    assert not output.exists()
