"""Error pages: Swedish first, then English, in the site's look; none needs the database."""

from unittest import mock

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils.module_loading import import_string

from accounts.access import Role
from eskilstuna_trygghet import urls
from tests.accounts.accounts_helpers import login_verified, make_staff


@pytest.mark.django_db
def test_an_unknown_page_gets_the_404_page_in_swedish_and_english(client: Client) -> None:
    response = client.get("/finns-inte/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Sidan finns inte" in html and "Page not found" in html
    assert html.index('lang="sv"') < html.index('section lang="en"')
    assert "css/site.css" in html


@pytest.mark.django_db
def test_refused_staff_get_the_403_page_in_swedish_and_english(client: Client) -> None:
    login_verified(client, make_staff(Role.ANALYST, organisation="kommun"))
    response = client.get("/admin/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Du har inte behörighet till den här sidan" in html
    assert "You do not have access to this page" in html


@pytest.mark.django_db
def test_a_bad_request_gets_the_400_page_in_swedish_and_english(client: Client) -> None:
    response = client.get("/", headers={"host": "inte-tillaten.example"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Förfrågan kunde inte tolkas" in html and "could not be understood" in html


def test_the_500_page_renders_without_a_database_or_request() -> None:
    # No django_db mark: any database access here fails the test.
    html = render_to_string("500.html")
    assert "Något gick fel hos oss" in html and "Something went wrong" in html
    assert "<link" not in html  # no stylesheet named: unstyled, never a broken link


def test_the_500_page_links_the_stylesheets_the_storage_serves() -> None:
    handler = import_string(urls.handler500)
    html = handler(RequestFactory().get("/konto/")).content.decode()
    assert '<link rel="stylesheet" href="/static/css/site.css">' in html
    with mock.patch(
        "surveys.outage.staticfiles_storage.url", side_effect=lambda name: f"/static/h.{name}"
    ):
        html = handler(RequestFactory().get("/konto/")).content.decode()
    assert 'href="/static/h.css/site.css"' in html
    with mock.patch("surveys.outage.staticfiles_storage.url", side_effect=ValueError("manifest")):
        response = handler(RequestFactory().get("/konto/"))
    assert response.status_code == 500
    assert "Något gick fel hos oss" in response.content.decode()
    assert "<link" not in response.content.decode()


def test_the_500_handler_answers_with_the_page_without_a_database() -> None:
    response = import_string(urls.handler500)(RequestFactory().get("/0484/lagesbild/"))
    assert response.status_code == 500
    assert "Något gick fel hos oss" in response.content.decode()
