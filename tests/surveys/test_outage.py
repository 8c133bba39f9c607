"""The 503 "try again" page that pupils get while the database is out of reach."""

import re
import time
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.exceptions import SessionInterrupted
from django.db import OperationalError
from django.test import Client, RequestFactory

from surveys.models import AnswerSheet
from surveys.outage import SHORT_CIRCUIT_SECONDS, bad_request, outage_forget, server_error

pytestmark = pytest.mark.django_db

NewCode = Callable[[], str]


def _on_first_page(client: Client, code: str) -> None:
    assert 'action="/sida/1/"' in client.post("/", {"code": code}).content.decode()
    client.post("/sprak/", {"language": "sv"})


def _shown_page(response: Any) -> int:
    found = re.search(r'<form method="post" action="/sida/(\d+)/"', response.content.decode())
    return int(found.group(1)) if response.status_code == 200 and found else 0


def _post_first_page_without_database(client: Client) -> tuple[str, str]:
    html = client.get("/sida/1/").content.decode()
    submission = re.search(r'name="submission_id" value="([^"]+)"', html)
    assert submission is not None
    with mock.patch("surveys.services.draft_page_save", side_effect=OperationalError("gone")):
        response = client.post(
            "/sida/1/", {"KON": "2", "submission_id": submission[1], "nav": "next"}
        )
    assert response.status_code == 503
    return response.content.decode(), submission[1]


def test_a_page_that_loses_the_database_answers_503_try_again(
    client: Client, new_code: NewCode
) -> None:
    _on_first_page(client, new_code())
    html, _submission = _post_first_page_without_database(client)
    assert "Försök igen" in html


def test_the_try_again_page_hands_every_posted_answer_back(
    client: Client, new_code: NewCode
) -> None:
    _on_first_page(client, new_code())
    html, submission = _post_first_page_without_database(client)
    assert '<input type="hidden" name="KON" value="2">' in html
    assert f'<input type="hidden" name="submission_id" value="{submission}">' in html
    assert '<input type="hidden" name="nav" value="next">' in html
    assert 'action="/sida/1/"' in html


def test_the_try_again_page_speaks_swedish_english_and_arabic(
    client: Client, new_code: NewCode
) -> None:
    _on_first_page(client, new_code())
    html, _submission = _post_first_page_without_database(client)
    assert 'lang="en"' in html
    assert 'lang="ar" dir="rtl"' in html


def test_the_try_again_page_asks_to_wait_and_is_never_cached(
    client: Client, new_code: NewCode
) -> None:
    _on_first_page(client, new_code())
    with mock.patch("surveys.services.draft_page_save", side_effect=OperationalError("gone")):
        response = client.post("/sida/1/", {"nav": "next"})
    assert response["Retry-After"] == "5"
    assert "no-store" in response["Cache-Control"]


def test_trying_the_final_submit_again_after_an_outage_stores_one_sheet(
    client: Client, new_code: NewCode
) -> None:
    _on_first_page(client, new_code())
    number, response = 1, client.post("/sida/1/", {"nav": "next"})
    while _shown_page(response):
        number = _shown_page(response)
        last = {"nav": "next"}
        with mock.patch("surveys.services.sheet_submit", side_effect=OperationalError("gone")):
            response = client.post(f"/sida/{number}/", last)
        if response.status_code == 503:
            break
    assert response.status_code == 503
    outage_forget()  # the database is back and the short circuit is over
    retried = client.post(f"/sida/{number}/", last)
    assert retried["Location"].startswith("/tack/")
    assert AnswerSheet.objects.count() == 1


def test_right_after_an_outage_pupil_pages_answer_try_again_without_the_database(
    client: Client, new_code: NewCode, django_assert_num_queries: Callable[..., Any]
) -> None:
    _on_first_page(client, new_code())
    _post_first_page_without_database(client)
    with django_assert_num_queries(0):  # the token given: the test client asks nothing either
        response = client.post(
            "/sida/1/", {"KON": "1", "nav": "next", "steg": "-", "submission_id": "-"}
        )
    assert response.status_code == 503
    assert '<input type="hidden" name="KON" value="1">' in response.content.decode()
    assert client.get("/healthz").status_code == 200  # not a pupil page: asks the database
    assert client.get("/konto/logga-in/").status_code == 200


def test_after_the_short_circuit_the_next_request_tries_the_database_again(
    client: Client, new_code: NewCode
) -> None:
    _on_first_page(client, new_code())
    _post_first_page_without_database(client)
    later = time.monotonic() + SHORT_CIRCUIT_SECONDS + 0.1
    with mock.patch("surveys.outage.time.monotonic", return_value=later):
        response = client.post("/sida/1/", {"KON": "1", "nav": "next"})
    assert _shown_page(response) == 2


def test_a_database_error_outside_a_pupil_page_stays_a_plain_500() -> None:
    request = RequestFactory().get("/konto/")
    try:
        raise OperationalError("gone")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 500


def test_a_database_error_after_a_pupil_view_also_gets_the_try_again_page() -> None:
    request = RequestFactory().post("/sida/2/", {"TRY01": "3"})
    try:
        raise OperationalError("gone")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert '<input type="hidden" name="TRY01" value="3">' in response.content.decode()


def test_a_session_that_could_not_be_saved_for_an_outage_gets_the_try_again_page() -> None:
    request = RequestFactory().post("/", {"code": "KX7P-M4RD-Q9ZT"})
    try:
        try:
            raise OperationalError("gone")
        except OperationalError as error:
            raise UpdateError from error
    except UpdateError:
        try:
            raise SessionInterrupted("session lost")
        except SessionInterrupted as interrupted:
            response = bad_request(request, interrupted)
    assert response.status_code == 503


def test_any_other_bad_request_stays_a_400() -> None:
    request = RequestFactory().post("/", {"code": "x"})
    response = bad_request(request, SessionInterrupted("deleted in a concurrent request"))
    assert response.status_code == 400
