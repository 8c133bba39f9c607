"""The dashboards in Chromium: charts drawn under the strict CSP, filters in the URL,
accessibility (axe-core), the analyst's three-click path, and no suppressed value in any
response. Screenshots go to test-artifacts/ to be looked at."""

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from accounts.access import Role
from lagesbild.models import KOMMUN_AREA, CellState, Measure
from surveys.models import District, Wave
from tests.accounts.accounts_helpers import login_verified, make_staff
from tests.axe import axe_violations
from tests.lagesbild.dashboard_factories import grid_geojson, make_cell, make_wave

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSP_RECORDER = (
    "window.__csp = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
)


def sign_in(page: Any, live_server: Any, session: str) -> None:
    """Put a verified session into the browser (password and second factor are the login
    page's own tests)."""
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page.add_init_script(CSP_RECORDER)


def open_page(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    expected = page.locator("[data-figure]").count()
    if expected:
        page.wait_for_function(
            f"document.querySelectorAll('.is-drawn').length === {expected}", timeout=15000
        )


@pytest.fixture
def history(transactional_db: None) -> list[Wave]:
    from tests.lagesbild.dashboard_factories import build_cube, demo_districts

    districts = demo_districts()
    waves = []
    for i in range(3):
        wave = make_wave(municipality=districts[0].municipality, name=f"HT {2022 + i}")
        build_cube(
            wave,
            districts,
            seed=i + 1,
            keys=[("EXP02", "", "home"), ("TRY01", "", "home"), ("SKY01", "", "home")]
            + [("TRY07", str(p), "home") for p in range(1, 9)],
        )
        waves.append(wave)
    # A measure of the åtgärdsplan, drawn on the indicator's trend and listed on the pages.
    measure = Measure.objects.create(
        municipality=districts[0].municipality,
        title="Fältassistenter kvällstid",
        responsible=["kommun", "foreningsliv"],
        indicators=["EXP02"],
        started_on=(waves[0].closes_at + timedelta(days=90)).date(),
        status="ongoing",
    )
    measure.districts.set([d for d in districts if d.code == "SKI"])
    return waves


@pytest.fixture
def session(transactional_db: None) -> str:
    """A signed-in analyst's session id. Made before the browser starts: Playwright's event
    loop forbids database calls in the test's thread."""
    client = Client()
    login_verified(client, make_staff(Role.ANALYST, organisation="kommun"))
    return str(client.cookies["sessionid"].value)


@pytest.fixture
def shapes(history: list[Wave]) -> None:
    from lagesbild.geo_services import district_shapes_import
    from surveys.models import Municipality

    codes = list(District.objects.values_list("code", flat=True))
    district_shapes_import(
        raw=json.dumps(grid_geojson(codes)).encode(),
        municipality=Municipality.objects.get(code="0484"),
    )


PAGES = {
    "overview": "/0484/lagesbild/",
    "indicator": "/0484/lagesbild/indikator/EXP02/?breakdown=girls&area=SKI",
    "district": "/0484/lagesbild/omrade/SKI/",
    "map": "/0484/lagesbild/karta/?indicator=EXP02",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_draws_its_charts_without_csp_violations_and_passes_axe(
    shapes: None,
    session: str,
    live_server: Any,
    artifacts_dir: Path,
    chromium_page: Any,
    name: str,
) -> None:
    page = chromium_page
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, session)
    open_page(page, live_server.url + PAGES[name])
    plots = page.locator("[data-figure]")
    if name != "overview":
        assert plots.count() >= 1
    for i in range(plots.count()):
        assert plots.nth(i).locator("svg.main-svg").count() >= 1
    assert page.evaluate("window.__csp") == []
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts_dir / f"dashboard-{name}.png"), full_page=True)


def test_indicator_page_fits_a_tablet_and_prints(
    history: list[Wave], session: str, live_server: Any, artifacts_dir: Path, chromium_page: Any
) -> None:
    page = chromium_page
    page.set_viewport_size({"width": 768, "height": 1024})
    sign_in(page, live_server, session)
    open_page(page, live_server.url + PAGES["indicator"])
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    page.screenshot(path=str(artifacts_dir / "dashboard-indicator-tablet.png"), full_page=True)
    page.emulate_media(media="print")
    assert not page.locator(".dash-filters").first.is_visible()
    assert page.locator("#table-areas").is_visible()
    page.pdf(path=str(artifacts_dir / "dashboard-indicator-print.pdf"))


def test_filters_change_the_url_and_the_view(
    history: list[Wave], session: str, live_server: Any, chromium_page: Any
) -> None:
    page = chromium_page
    sign_in(page, live_server, session)
    open_page(page, live_server.url + "/0484/lagesbild/indikator/EXP02/")
    page.get_by_role("link", name="Pojkar").click()
    page.wait_for_url(re.compile(r"breakdown=boys"))
    assert "Pojkar" in page.locator("#table-areas caption").inner_text()
    page.select_option("#f-wave", history[0].slug)
    page.get_by_role("button", name="Visa").click()
    page.wait_for_url(re.compile(f"wave={history[0].slug}"))
    assert "breakdown=boys" in page.url
    assert f"Data från omgång {history[0].name}" in page.locator(".data-stamp").inner_text()
    page.select_option("#f-indicator", "TRY01")
    page.get_by_role("button", name="Visa").click()
    page.wait_for_url(re.compile(r"/indikator/TRY01/"))
    assert page.locator("h1").inner_text() == "Otrygg i bostadsområdet kvällstid"


def test_an_analyst_finds_where_girls_are_most_often_offered_drugs_and_the_change_in_three_clicks(
    history: list[Wave], session: str, live_server: Any, artifacts_dir: Path, chromium_page: Any
) -> None:
    page = chromium_page
    sign_in(page, live_server, session)
    open_page(page, live_server.url + "/0484/lagesbild/")  # where the login leads
    page.get_by_role("link", name="Erbjuden narkotika").first.click()  # 1
    page.get_by_role("link", name="Flickor").click()  # 2
    page.wait_for_url(re.compile(r"/indikator/EXP02/.*breakdown=girls"))
    table = page.locator("#table-areas")
    headers = table.locator("thead th").all_inner_texts()
    assert headers[-2:] == [history[1].name, "Förändring"]
    shares = [
        int(text.split(" ")[0])
        for text in table.locator("tbody tr:not(.kommun-row) td:nth-child(2)").all_inner_texts()
        if text[0].isdigit()
    ]
    assert shares == sorted(shares, reverse=True)
    assert len(shares) >= 3
    page.screenshot(path=str(artifacts_dir / "dashboard-three-clicks.png"), full_page=True)


# A complementary suppression hides a large cell: the most tempting one to leak. Its raw
# counts (437 of whom 389 said yes, 89 %) are sentinels that no other number on the pages
# can equal.
SENTINELS = re.compile(r"(?<![\w.])(89|437|389)(?![\w])")


@pytest.fixture
def suppressed_cell(transactional_db: None) -> District:
    from tests.lagesbild.dashboard_factories import demo_districts

    districts = demo_districts()[:4]
    wave = make_wave(municipality=districts[0].municipality, name="HT 2024")
    make_cell(wave=wave, area=KOMMUN_AREA, n=2000, yes=600)
    for district, (n, yes) in zip(districts[1:], [(300, 60), (250, 100), (120, 30)], strict=True):
        make_cell(wave=wave, area=district.code, n=n, yes=yes)
    make_cell(
        wave=wave,
        area=districts[0].code,
        n=437,
        yes=389,
        state=CellState.SUPPRESSED,
        reason="complementary",
        n_shown=None,
        share_pct=None,
        bound="",
        ci_low_pct=None,
        ci_high_pct=None,
        unstable=False,
    )
    return districts[0]


def test_a_suppressed_value_is_nowhere_in_the_pages_or_their_network_payloads(
    suppressed_cell: District, session: str, live_server: Any, chromium_page: Any
) -> None:
    page = chromium_page
    sign_in(page, live_server, session)
    bodies: list[str] = []

    def keep(response: Any) -> None:
        if "/static/" not in response.url and response.status == 200:
            bodies.append(response.text())

    page.on("response", keep)
    urls = [
        "/0484/lagesbild/",
        "/0484/lagesbild/indikator/EXP02/",
        f"/0484/lagesbild/omrade/{suppressed_cell.code}/?indicator=EXP02",
        "/0484/lagesbild/karta/?indicator=EXP02",
    ]
    for url in urls:
        open_page(page, live_server.url + url)
        # Everything the drawn page says, chart texts and hover labels included (the DOM's
        # attributes hold pixel coordinates, which are not values).
        bodies.append(page.evaluate("document.body.textContent"))
    assert len(bodies) >= 2 * len(urls)
    leaks = [m.group(0) for body in bodies for m in SENTINELS.finditer(body)]
    assert leaks == []
    # ... and the page does show that the district exists and why its value is missing.
    open_page(page, live_server.url + "/0484/lagesbild/indikator/EXP02/")
    assert "dold för att skydda en annan grupp" in page.content()
