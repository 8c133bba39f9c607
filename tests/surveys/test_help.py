"""Where to get help: above the page's buttons, with numbers a phone can call."""

from collections.abc import Callable

import pytest
from django.test import Client

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
