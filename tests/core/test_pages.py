import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_start_page_has_the_code_form_in_swedish(client: Client) -> None:
    html = client.get("/").content.decode()
    assert '<html lang="sv" dir="ltr">' in html
    assert 'name="code"' in html
    assert "Skriv in koden" in html


def test_start_page_has_a_skip_link_to_the_main_content(client: Client) -> None:
    html = client.get("/").content.decode()
    assert 'class="skip-link" href="#main"' in html
    assert 'id="main"' in html


def test_start_page_loads_nothing_from_other_hosts(client: Client) -> None:
    html = client.get("/").content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls
    assert all(not url.startswith(("http:", "https:", "//")) for url in urls)
    assert "/static/bootstrap/css/bootstrap.min.css" in html


def test_start_page_in_english_uses_the_compiled_translation(client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="en"' in html
    assert "Enter the code" in html


def test_pages_send_a_strict_content_security_policy(client: Client) -> None:
    policy = client.get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_start_page_answers_head_like_get(client: Client) -> None:
    # Uptime monitors and load balancers probe with HEAD.
    response = client.head("/")
    assert response.status_code == 200
    assert response.content == b""


def test_the_code_example_on_the_start_page_has_three_groups(client: Client) -> None:
    html = client.get("/").content.decode()
    assert "till exempel KX7P-M4RD-Q9ZT." in html


def test_the_login_page_says_a_second_step_follows(client: Client) -> None:
    html = client.get("/konto/logga-in/").content.decode()
    assert "Efter lösenordet frågar vi efter ett andra steg" in html
