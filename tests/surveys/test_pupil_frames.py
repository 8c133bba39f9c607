"""Pupil pages filled into cached frames (`surveys.pupil.framed_render`) are the pages a
full render makes, with each request's own CSRF token, page token and submission id."""

import re
from collections.abc import Callable

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.test.utils import override_settings
from django.utils import translation
from django.utils.safestring import SafeString

from surveys import pupil

pytestmark = pytest.mark.django_db

NewCode = Callable[[], str]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert found, html[:2000]
    return found.group(1)


def test_two_pupils_on_the_same_page_get_their_own_values(new_code: NewCode) -> None:
    first, second = Client(), Client()
    pages = [c.post("/", {"code": new_code()}).content.decode() for c in (first, second)]
    assert pages[0].count("<form") == pages[1].count("<form") == 2  # the page and "leave"
    for name in ("submission_id", "steg"):
        assert _field(pages[0], name) != _field(pages[1], name)
    # Each browser's own CSRF token, and it is accepted: the page posts.
    for client, html in zip((first, second), pages, strict=True):
        assert len(set(CSRF.findall(html))) == 1
        posted = client.post(
            "/sida/1/",
            {
                "nav": "next",
                "steg": _field(html, "steg"),
                "csrfmiddlewaretoken": CSRF.findall(html)[0],
            },
        )
        assert posted.status_code == 200
        assert 'action="/sida/2/"' in posted.content.decode()


@override_settings(ROOT_URLCONF="eskilstuna_trygghet.urls")
def test_a_framed_page_is_the_full_render_with_the_values_put_in() -> None:
    request = RequestFactory().get("/sida/1/")
    context = {
        "number": 2,
        "count": 6,
        "title": "Rubrik <b>",
        "intro": "",
        "info_title": "",
        "info_html": SafeString(""),
        "errors": False,
        "review": False,
        "tampered": False,
        "outdated": False,
        "last": False,
        "help": [],
        "languages": True,
        "page_language": "sv",
        "page_rtl": False,
        "idle_minutes": 20,
    }
    values = {
        "items_html": SafeString("<fieldset>fråga</fieldset>"),
        "submission_id": "0f0e",
        "token": "abc123",
    }
    with translation.override("sv"):
        framed = pupil.framed_render(request, "surveys/page.html", context, values)
        again = pupil.framed_render(request, "surveys/page.html", context, values)
        full = render_to_string("surveys/page.html", {**context, **values}, request)
    for html in (framed, again):
        assert CSRF.sub("", html) == CSRF.sub("", full)
        assert len(CSRF.findall(html)) == 2  # the page's form and "leave"
    assert "Rubrik &lt;b&gt;" in framed
    assert "<fieldset>fråga</fieldset>" in framed


def test_a_context_that_is_no_key_is_refused() -> None:
    request = RequestFactory().get("/")
    with pytest.raises(TypeError):
        pupil.framed_render(request, "surveys/thanks.html", {"items": [object()]}, {})


def test_the_start_page_from_its_frame_is_in_the_asked_language_and_its_form_works(
    new_code: NewCode,
) -> None:
    for _ in range(2):
        swedish = Client().get("/").content.decode()
        assert "Välkommen till enkäten om trygghet" in swedish
    english_client = Client()
    english = english_client.get("/?sprak=en").content.decode()
    assert "Välkommen till enkäten om trygghet" not in english
    assert 'lang="en"' in english
    token = CSRF.findall(english)[0]
    english_client.handler.enforce_csrf_checks = True
    answer = english_client.post("/?sprak=en", {"code": new_code(), "csrfmiddlewaretoken": token})
    assert answer.status_code == 200
    assert 'action="/sida/1/"' in answer.content.decode()
