"""Dashboard pages of published waves: rendering, audit, filters in the URL, stamps,
tables, language, the map. The three published waves are built once for the module
(`module_published_waves`); the pages without them are in test_dashboard_views.py."""

import json
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import AuditLog
from lagesbild.models import IndicatorCell
from surveys.models import District, Wave
from tests.lagesbild import published_fixtures
from tests.lagesbild.dashboard_factories import grid_geojson
from tests.lagesbild.test_dashboard_views import PAGES

pytestmark = pytest.mark.django_db

# The module's fixtures over the waves built once (tests/lagesbild/published_fixtures.py).
_empty_cache = published_fixtures._empty_cache
districts = published_fixtures.districts
waves = published_fixtures.waves


@pytest.mark.parametrize("url", PAGES)
def test_every_dashboard_page_renders_for_an_analyst(
    analyst_client: Client, waves: list[Wave], url: str
) -> None:
    assert analyst_client.get(url).status_code == 200


def test_each_view_by_an_analyst_writes_an_audit_row_with_wave_and_filters(
    analyst_client: Client, waves: list[Wave]
) -> None:
    analyst_client.get(f"/0484/lagesbild/indikator/EXP02/?wave={waves[1].slug}&breakdown=girls")
    row = AuditLog.objects.filter(event="dashboard view").get()
    assert row.organisation == "polis"
    assert row.details["wave"] == waves[1].slug
    assert row.details["page"] == "indicator"
    assert row.details["filters"]["breakdown"] == "girls"
    assert row.details["filters"]["indicator"] == "EXP02"


def test_every_page_carries_the_data_stamp_of_its_wave(
    analyst_client: Client, waves: list[Wave]
) -> None:
    html = analyst_client.get(f"/0484/lagesbild/?wave={waves[0].slug}").content.decode()
    assert f"Data från omgång {waves[0].name}, publicerad" in html


def test_breakdown_links_keep_the_wave_and_change_only_the_breakdown(
    analyst_client: Client, waves: list[Wave]
) -> None:
    html = analyst_client.get(
        f"/0484/lagesbild/indikator/EXP02/?wave={waves[1].slug}"
    ).content.decode()
    assert (
        f'href="/0484/lagesbild/indikator/EXP02/?wave={waves[1].slug}&amp;breakdown=girls' in html
    )


def test_the_url_reproduces_the_view(analyst_client: Client, waves: list[Wave]) -> None:
    url = f"/0484/lagesbild/indikator/EXP02/?wave={waves[0].slug}&breakdown=boys&area=ARB"
    first = analyst_client.get(url).content.decode()
    cache.clear()
    second = analyst_client.get(url).content.decode()
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub("", first) == strip.sub("", second)
    assert "Pojkar" in first


def test_choosing_another_indicator_in_the_form_opens_its_page(
    analyst_client: Client, waves: list[Wave]
) -> None:
    response = analyst_client.get(
        "/0484/lagesbild/indikator/EXP02/?indicator=TRY01&breakdown=girls"
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/0484/lagesbild/indikator/TRY01/?")
    assert "breakdown=girls" in response["Location"]


def test_choosing_another_district_in_the_form_opens_its_profile(
    analyst_client: Client, waves: list[Wave]
) -> None:
    response = analyst_client.get("/0484/lagesbild/omrade/SKI/?area=ARB")
    assert response["Location"].startswith("/0484/lagesbild/omrade/ARB/")


def test_an_unknown_indicator_answers_404(analyst_client: Client, waves: list[Wave]) -> None:
    assert analyst_client.get("/0484/lagesbild/indikator/NOPE/").status_code == 404


def test_figure_data_is_embedded_with_json_script_and_no_inline_script(
    analyst_client: Client, waves: list[Wave]
) -> None:
    html = analyst_client.get("/0484/lagesbild/indikator/EXP02/").content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    for attributes, body in scripts:
        if body.strip():
            assert 'type="application/json"' in attributes
        else:
            assert "src=" in attributes
    data = re.search(r'<script id="chart-areas-data" type="application/json">(.*?)</script>', html)
    assert data is not None
    assert json.loads(data.group(1))["data"][0]["type"] == "bar"


def test_a_suppressed_cell_shows_a_dash_with_its_reason_in_the_table(
    analyst_client: Client, waves: list[Wave]
) -> None:
    suppressed = IndicatorCell.objects.filter(
        wave=waves[-1],
        indicator="EXP02",
        breakdown="gender",
        breakdown_value="1",
        state="suppressed",
        reason="small_base",
    ).first()
    assert suppressed is not None
    name = District.objects.get(code=suppressed.area).name
    html = analyst_client.get("/0484/lagesbild/indikator/EXP02/?breakdown=girls").content.decode()
    assert f"{name}: färre än 10 svar" in html


def test_an_open_wave_is_not_offered_in_the_wave_choice(
    coordinator_client: Client, open_wave: Wave
) -> None:
    html = coordinator_client.get("/0484/lagesbild/").content.decode()
    assert f'<option value="{open_wave.slug}"' not in html
    assert "Data från omgång" in html


def test_a_coordinator_gets_not_published_yet_for_an_open_wave(
    coordinator_client: Client, open_wave: Wave
) -> None:
    response = coordinator_client.get(f"/0484/lagesbild/?wave={open_wave.slug}")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Omgången är inte publicerad ännu" in html
    assert "/0484/skola/svarsfrekvens/" in html


def test_dashboards_are_available_in_english(analyst_client: Client, waves: list[Wave]) -> None:
    analyst_client.post("/i18n/setlang/", {"language": "en", "next": "/0484/lagesbild/"})
    html = analyst_client.get("/0484/lagesbild/indikator/EXP02/").content.decode()
    assert "Offered drugs" in html
    assert "Data from wave" in html
    assert "In the last 12 months, has anyone offered you drugs" in html


def test_map_without_boundaries_explains_how_to_add_them(
    coordinator_client: Client, waves: list[Wave]
) -> None:
    html = coordinator_client.get("/0484/lagesbild/karta/").content.decode()
    assert "Inga områdesgränser är importerade" in html
    assert 'href="/0484/lagesbild/karta/importera/"' in html
    assert "chart-map-data" not in html


def test_map_with_boundaries_draws_filled_polygons(
    coordinator_client: Client, waves: list[Wave], districts: list[District]
) -> None:
    upload = SimpleUploadedFile(
        "omraden.geojson", json.dumps(grid_geojson([d.code for d in districts])).encode()
    )
    coordinator_client.post(
        "/0484/lagesbild/karta/importera/", {"file": upload, "code_property": "code"}
    )
    html = coordinator_client.get("/0484/lagesbild/karta/?indicator=EXP02").content.decode()
    data = re.search(r'<script id="chart-map-data" type="application/json">(.*?)</script>', html)
    assert data is not None
    assert json.loads(data.group(1))["data"][0]["fill"] == "toself"


def test_a_warm_page_reads_no_cells_from_the_database(
    analyst_client: Client, waves: list[Wave]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    analyst_client.get("/0484/lagesbild/indikator/EXP02/?breakdown=girls")
    with CaptureQueriesContext(connection) as queries:
        response = analyst_client.get("/0484/lagesbild/indikator/EXP02/?breakdown=girls")
    assert response.status_code == 200
    assert not any("lagesbild_indicatorcell" in q["sql"] for q in queries.captured_queries)
    assert AuditLog.objects.filter(event="dashboard view").count() == 2


@pytest.mark.parametrize(
    "url",
    [
        "/0484/lagesbild/?indicator=%00",
        "/0484/lagesbild/indikator/EXP02/?indicator=%00",
        "/0484/lagesbild/omrade/SKI/?area=a/b",
        "/0484/lagesbild/omrade/SKI/?area=%00&wave=%00",
        "/0484/lagesbild/export/celler.csv?wave=%00&indicator=%00",
    ],
)
def test_a_filter_that_can_name_nothing_is_read_as_not_given(
    analyst_client: Client, waves: list[Wave], url: str
) -> None:
    assert analyst_client.get(url).status_code < 500


def test_the_overview_takes_the_breakdown_and_shows_a_chosen_district(
    analyst_client: Client, waves: list[Wave]
) -> None:
    html = analyst_client.get(
        f"/0484/lagesbild/?wave={waves[-1].slug}&breakdown=girls&area=SKI"
    ).content.decode()
    assert 'aria-current="true"' in html and "Flickor" in html
    assert '<th scope="col" class="num">Skiftinge</th>' in html
    # "Ladda ner det du ser" downloads what is seen: the same breakdown and district.
    assert "breakdown=girls" in html.split("Ladda ner det du ser")[1].split("</nav>")[0]
