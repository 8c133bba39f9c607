"""A pupil request passes only the middleware a pupil needs (`surveys.pupil_requests`);
staff requests still pass every one of them."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.module_loading import import_string

from accounts.access import Role
from surveys import pupil_requests
from surveys.pupil_requests import PUPIL_KEY, StaffOnly, pupil_page_name
from tests.accounts.accounts_helpers import login_verified, make_staff

pytestmark = pytest.mark.django_db

NewCode = Callable[[], str]
TOKEN = re.compile(r'name="steg" value="([^"]+)"')
STAFF_TABLES = ("django_session", "auth_user", "otp_", "axes_")


def _staff_client() -> Client:
    """A verified coordinator's browser: it carries a staff session cookie everywhere."""
    client = Client()
    login_verified(client, make_staff(Role.COORDINATOR))
    return client


def _no_staff_work(response: Any) -> None:
    request = response.wsgi_request
    for attribute in ("session", "user", "_messages"):
        assert not hasattr(request, attribute), attribute


def _queries(call: Callable[[], Any]) -> tuple[list[str], Any]:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    return [q["sql"] for q in captured.captured_queries], response


def test_the_pupil_pages_are_known_by_their_paths() -> None:
    assert pupil_page_name("/") == "start"
    assert pupil_page_name("/sprak/") == "language"
    assert pupil_page_name("/info/") == "info"
    assert pupil_page_name("/sida/3/") == "page"
    assert pupil_page_name("/avsluta/") == "leave"
    assert pupil_page_name("/tack/1/sv/") == "thanks"
    for staff in (
        "/0484/skola/koder/",
        "/0484/skola/svarsfrekvens/",
        "/healthz",
        "/konto/logga-in/",
        "/admin/",
        "/sida/x/",
        "/nowhere/",
    ):
        assert pupil_page_name(staff) == "", staff


def test_the_mark_cannot_be_sent_by_a_client() -> None:
    # A header becomes HTTP_…; the WSGI key with a dot is set by the middleware alone.
    response = Client().get("/healthz", headers={PUPIL_KEY: "page"})
    assert response.wsgi_request.META[PUPIL_KEY] == ""
    assert hasattr(response.wsgi_request, "session")


def test_the_wrapped_middleware_have_no_hooks_a_wrapper_would_hide() -> None:
    hooks = ("process_view", "process_exception", "process_template_response")
    wrappers = [
        import_string(path)
        for path in settings.MIDDLEWARE
        if issubclass(import_string(path), StaffOnly)
    ]
    assert len(wrappers) == 6
    for wrapper in wrappers:
        assert not any(hasattr(wrapper, hook) for hook in hooks), wrapper


def test_a_pupil_flow_never_loads_a_session_or_user_even_with_a_staff_cookie(
    new_code: NewCode,
) -> None:
    client = _staff_client()
    statements, start = _queries(lambda: client.get("/"))
    _no_staff_work(start)
    statements_post, first = _queries(lambda: client.post("/", {"code": new_code()}))
    assert first.status_code == 200
    _no_staff_work(first)
    token = TOKEN.search(first.content.decode())
    assert token
    statements_page, second = _queries(
        lambda: client.post("/sida/1/", {"steg": token.group(1), "nav": "next"})
    )
    _no_staff_work(second)
    for response in (
        client.get("/sida/1/"),
        client.get("/info/"),
        client.get("/sprak/"),
        client.post("/avsluta/"),
    ):
        _no_staff_work(response)
    for sql in statements + statements_post + statements_page:
        assert not any(table in sql for table in STAFF_TABLES), sql
    # The staff session itself is untouched: the coordinator is still signed in.
    assert client.get("/0484/skola/svarsfrekvens/").status_code == 200


def test_a_staff_path_still_gets_every_middleware() -> None:
    client = _staff_client()
    response = client.get("/0484/skola/svarsfrekvens/")
    assert response.status_code == 200
    request = response.wsgi_request
    assert request.META[PUPIL_KEY] == ""
    assert request.session.get("accounts_last_seen")  # the idle clock ran
    assert request.user.is_authenticated
    assert request.user.is_verified()  # type: ignore[attr-defined]  # django-otp's ran
    assert hasattr(request, "_messages")
    assert request.LANGUAGE_CODE == "sv"
    assert "Accept-Language" in response["Vary"]


def test_an_anonymous_staff_path_still_goes_to_login() -> None:
    response = Client().get("/0484/skola/svarsfrekvens/")
    assert response.status_code == 302
    assert hasattr(response.wsgi_request, "session")


def test_the_start_page_still_takes_the_browsers_language() -> None:
    response = Client().get("/", headers={"accept-language": "en"})
    assert response.wsgi_request.LANGUAGE_CODE == "en"
    assert 'lang="en"' in response.content.decode()


def test_other_pupil_pages_do_not_inherit_an_earlier_requests_language() -> None:
    Client().get("/", headers={"accept-language": "en"})
    response = Client().get("/sida/1/", headers={"accept-language": "en"})
    assert response.wsgi_request.LANGUAGE_CODE == settings.LANGUAGE_CODE


def test_a_pupil_post_without_a_csrf_token_is_refused(new_code: NewCode) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post("/", {"code": new_code()}).status_code == 403
    assert client.post("/sida/1/", {"nav": "next"}).status_code == 403


@pytest.mark.parametrize("path", ["/", "/sida/1/", "/tack/1/sv/", "/avsluta/"])
def test_pupil_responses_keep_the_security_headers(path: str) -> None:
    response = Client().get(path)
    for header in ("Content-Security-Policy", "X-Frame-Options", "Permissions-Policy"):
        assert response.has_header(header), (path, header)
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_path_cache_follows_a_changed_url_configuration() -> None:
    pupil_page_name("/sida/1/")
    assert pupil_page_name.cache_info().currsize >= 1
    pupil_requests._urls_changed(setting="ROOT_URLCONF")
    assert pupil_page_name.cache_info().currsize == 0
