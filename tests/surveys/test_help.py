"""Where to get help: above the page's buttons, with numbers a phone can call."""

from collections.abc import Callable

import pytest
from django.test import Client

from surveys.models import KommunHelpResource, Municipality, Wave
from tests.surveys.pupil_client import shown_page

pytestmark = pytest.mark.django_db


def _first_page_with_help(client: Client, language: str) -> str:
    client.post("/sprak/", {"language": language})
    number = 1
    while True:
        html = client.get(f"/sida/{number}/").content.decode()
        if "help-box" in html:
            return html
        number = shown_page(client.post(f"/sida/{number}/", {"nav": "next"}))


@pytest.mark.parametrize(
    ("language", "heading"),
    [("sv", "Vill du prata med någon?"), ("en", "Do you want to talk to someone?")],
)
def test_help_comes_before_the_buttons_with_tel_links(
    client: Client, new_code: Callable[[], str], language: str, heading: str
) -> None:
    client.post("/", {"code": new_code()})
    html = _first_page_with_help(client, language)
    assert heading in html
    assert html.index("help-box") < html.index('name="nav"')
    assert 'href="tel:116111"' in html
    assert 'href="tel:112"' in html


def test_the_thank_you_page_has_help_with_tel_links(
    client: Client, new_code: Callable[[], str]
) -> None:
    client.post("/", {"code": new_code()})
    response = client.post("/sida/1/", {"nav": "next"})
    while number := shown_page(response):
        response = client.post(f"/sida/{number}/", {"nav": "next"})
    html = client.get(response["Location"]).content.decode()
    assert 'href="tel:116111"' in html
    assert "BRIS" in html


@pytest.fixture
def local_help(open_wave: Wave) -> None:
    """The wave's kommun's own help, and another kommun's that its pupils never see."""
    KommunHelpResource.objects.create(
        municipality=open_wave.municipality,
        name="Fältgruppen",
        text="Vuxna ute på kvällarna, att prata med.",
        phone="016-710 00 00",
        url="https://example.invalid/faltgruppen",
    )
    other = Municipality.objects.create(code="9401", name="Annanstad")
    KommunHelpResource.objects.create(
        municipality=other, name="Annanstads ungdomsmottagning", text="Ring oss."
    )


@pytest.mark.usefixtures("local_help")
def test_the_kommuns_own_help_follows_the_national_help(
    client: Client, new_code: Callable[[], str]
) -> None:
    client.post("/", {"code": new_code()})
    html = _first_page_with_help(client, "sv")
    assert "Fältgruppen" in html and 'href="tel:0167100000"' in html
    assert html.index("BRIS") < html.index("Fältgruppen")
    assert "Annanstad" not in html
    # On a page in another language the kommun's Swedish text is marked as Swedish.
    html = _first_page_with_help(client, "en")
    assert '<li lang="sv">' in html and "Fältgruppen" in html


@pytest.mark.usefixtures("local_help")
def test_the_thank_you_page_shows_the_kommuns_own_help(
    client: Client, new_code: Callable[[], str]
) -> None:
    client.post("/", {"code": new_code()})
    response = client.post("/sida/1/", {"nav": "next"})
    while number := shown_page(response):
        response = client.post(f"/sida/{number}/", {"nav": "next"})
    html = client.get(response["Location"]).content.decode()
    assert "Fältgruppen" in html and "Annanstad" not in html
    # Without this device's submit (another browser) the page has the national help only.
    other = Client().get(response["Location"]).content.decode()
    assert "BRIS" in other and "Fältgruppen" not in other
