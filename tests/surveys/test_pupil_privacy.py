"""Pupil privacy and integrity through HTTP: shared computers, two devices, oracles,
whole-sheet validation. Each test attacks the way a pupil, a teacher or an outsider would.
"""

import re
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from surveys import codes
from surveys import questionnaire as qn
from surveys.models import AccessCode, AnswerSheet, SchoolClass, SheetDraft
from surveys.pupil_sessions import PUPIL_COOKIE
from surveys.services import codes_issue, questionnaire_import
from tests.surveys.factories import make_wave
from tests.surveys.pupil_client import PupilClient
from tests.surveys.tables import every_row

pytestmark = pytest.mark.django_db

NewCode = Callable[[], str]


def _start(client: Client, code: str) -> None:
    response = client.post("/", {"code": code})
    assert response.status_code == 200, response.content.decode()[:2000]
    assert 'action="/sida/' in response.content.decode()


def _shown_page(response: Any) -> int:
    """The question page a response shows (its form's address), or 0."""
    found = re.search(r'<form method="post" action="/sida/(\d+)/"', response.content.decode())
    return int(found.group(1)) if response.status_code == 200 and found else 0


def _forward(client: Client, response: Any) -> Any:
    """Press Next on every page shown until a page answers otherwise."""
    while number := _shown_page(response):
        response = client.post(f"/sida/{number}/", {"nav": "next"})
    return response


def _answer_to_the_end(client: Client, first: dict[str, str] | None = None) -> Any:
    """Press Next from page 1 to the final submit; `first` is what page 1 gets."""
    return _forward(client, client.post("/sida/1/", {**(first or {}), "nav": "next"}))


def _last_page_number(client: Client) -> int:
    html = client.get("/sida/1/").content.decode()
    found = re.search(r"Sida 1 av (\d+)", html)
    assert found
    return int(found.group(1))


# --- 1. Shared computers ------------------------------------------------------------------


def test_the_pupil_session_cookie_ends_when_the_browser_closes(
    client: Client, new_code: NewCode
) -> None:
    _start(client, new_code())
    cookie = client.cookies[PUPIL_COOKIE]
    assert not cookie["expires"]
    assert not cookie["max-age"]


def test_an_idle_pupil_session_ends_and_the_next_user_sees_no_answers(
    client: Client, new_code: NewCode
) -> None:
    _start(client, new_code())
    client.post("/sida/1/", {"KON": "2", "nav": "next"})
    later = timezone.now() + timedelta(minutes=21)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = client.get("/sida/1/")
    assert response.status_code == 302
    assert response["Location"].startswith("/")
    assert not response["Location"].startswith("/sida/")
    html = client.get("/sida/1/", follow=True).content.decode()
    assert 'value="2" checked' not in html


def test_the_page_says_how_long_it_waits_before_ending(client: Client, new_code: NewCode) -> None:
    _start(client, new_code())
    html = client.get("/sida/1/").content.decode()
    assert "20 minuter" in html


def test_leaving_without_submitting_clears_the_device_and_keeps_the_answers(
    client: Client, new_code: NewCode
) -> None:
    code = new_code()
    _start(client, code)
    client.post("/sida/1/", {"KON": "3", "nav": "next"})
    html = client.get("/sida/2/").content.decode()
    assert "Avsluta utan att skicka" in html
    response = client.post("/avsluta/")
    assert response.status_code == 302
    assert client.get("/sida/1/")["Location"].startswith("/?")
    assert not AnswerSheet.objects.exists()
    other = PupilClient()
    _start(other, code)
    assert 'id="KON-3" value="3" checked' in other.get("/sida/1/").content.decode()


# --- 2. No link after submit -----------------------------------------------------------------


def test_after_a_two_device_submit_no_row_ties_the_code_to_the_sheet(
    new_code: NewCode, caplog: pytest.LogCaptureFixture
) -> None:
    code = new_code()
    first, second = PupilClient(), PupilClient()
    with caplog.at_level("DEBUG"):
        _start(first, code)
        first.post("/sida/1/", {"KON": "2", "nav": "next"})
        _start(second, code)  # the same pupil goes on on another device
        assert _answer_to_the_end(second)["Location"].startswith("/tack/")
    sheet = AnswerSheet.objects.get()
    code_row = AccessCode.objects.get()
    assert code_row.spent
    compact = codes.normalise(code)
    assert compact
    of_code = {str(code_row.id), code_row.id.hex, code_row.code_hash, compact.lower()}
    of_sheet = {str(sheet.id), sheet.id.hex, str(sheet.submission_id), sheet.submission_id.hex}
    for table, texts in every_row().items():
        for text in texts:
            if table != "surveys_accesscode":
                assert not any(value in text for value in of_code), (table, text)
            if table != "surveys_answersheet":
                assert not any(value in text for value in of_sheet), (table, text)
    logged = caplog.text.lower()
    assert not any(value in logged for value in of_code | of_sheet)


def test_the_first_device_shows_nothing_of_the_sheet_after_the_second_submitted(
    new_code: NewCode,
) -> None:
    code = new_code()
    first, second = PupilClient(), PupilClient()
    _start(first, code)
    first.post("/sida/1/", {"KON": "2", "nav": "next"})
    _start(second, code)
    _answer_to_the_end(second, {"KON": "3"})
    response = first.get("/sida/1/")
    assert response.status_code == 302
    assert not response["Location"].startswith("/sida/")
    assert first.post("/sida/1/", {"KON": "1", "nav": "next"}).status_code == 302
    assert AnswerSheet.objects.get().answers == {"KON": "3"}


# --- 3. No oracles ---------------------------------------------------------------------------


def test_a_post_without_a_session_answers_the_same_for_a_real_and_a_made_up_submission_id(
    new_code: NewCode,
) -> None:
    pupil = PupilClient()
    _start(pupil, new_code())
    last = _last_page_number(pupil)
    _answer_to_the_end(pupil, {"KON": "1"})
    sheet = AnswerSheet.objects.get()
    answers = {key: str(value) for key, value in sheet.answers.items()}
    outsider = PupilClient()
    responses = []
    for sid in [sheet.submission_id, uuid.uuid4()]:
        for posted in [answers, {**answers, "KON": "2"}]:
            response = outsider.post(
                f"/sida/{last}/", {**posted, "nav": "next", "submission_id": str(sid)}
            )
            responses.append((response.status_code, response.get("Location")))
    assert len(set(responses)) == 1, responses


# --- 4. Whole-sheet validation and page order -------------------------------------------------


def test_posting_the_last_page_right_after_the_code_stores_nothing(
    client: Client, new_code: NewCode
) -> None:
    _start(client, new_code())
    last = _last_page_number(client)
    response = client.post(f"/sida/{last}/", {"nav": "next"})
    assert response.status_code == 302
    assert response["Location"] == "/sida/1/"
    assert not AnswerSheet.objects.exists()


def test_a_page_not_yet_reached_sends_the_pupil_back_to_their_page(
    client: Client, new_code: NewCode
) -> None:
    _start(client, new_code())
    client.post("/sida/1/", {"nav": "next"})
    assert client.get("/sida/5/")["Location"] == "/sida/2/"
    assert client.get("/sida/1/").status_code == 200


@pytest.fixture
def strict_code(school_class: SchoolClass) -> str:
    """A code of a wave whose questionnaire requires KON (page 1)."""
    base = qn.load_yaml_file()
    pages = tuple(
        replace(page, items=tuple(replace(i, required=i.code == "KON") for i in page.items))
        for page in base.pages
    )
    version, _created = questionnaire_import(
        questionnaire=replace(base, code="STRICT", pages=pages)
    )
    wave = make_wave(questionnaire=version)
    return codes_issue(wave=wave, school_class=school_class, count=1)[0]


def test_a_required_answer_missing_at_submit_sends_the_pupil_to_its_page(
    client: Client, strict_code: str
) -> None:
    _start(client, strict_code)
    client.post("/sida/1/", {"KON": "1", "HEMOMR": "ANNAN", "nav": "next"})
    client.post("/sida/2/", {"TRY01": "2", "nav": "next"})
    # Back on page 1 the pupil clears the required answer and leaves with "Back" (which
    # saves without checking), then goes forward to the end by the pages' own links.
    client.post("/sida/1/", {"HEMOMR": "ANNAN", "nav": "back"})
    client.get("/sida/2/")
    response = client.post("/sida/2/", {"TRY01": "2", "nav": "next"})
    response = _forward(client, response)
    assert not AnswerSheet.objects.exists()
    assert response["Location"].startswith("/sida/1/")
    html = client.get(response["Location"]).content.decode()
    assert "Den här frågan behöver ett svar." in html
    assert 'value="ANNAN" selected' in html
    assert 'id="TRY01' not in html
    assert SheetDraft.objects.get().answers["TRY01"] == "2"


def test_a_required_answer_missing_at_submit_is_explained_in_english(
    client: Client, strict_code: str
) -> None:
    _start(client, strict_code)
    client.post("/sprak/", {"language": "en"})
    client.post("/sida/1/", {"KON": "1", "nav": "next"})
    client.post("/sida/1/", {"nav": "back"})
    client.get("/sida/2/")
    response = client.post("/sida/2/", {"nav": "next"})
    response = _forward(client, response)
    html = client.get(response["Location"]).content.decode()
    assert "This question needs an answer." in html
    assert not AnswerSheet.objects.exists()


def test_the_start_page_ends_the_session_the_browser_still_holds(
    client: Client, new_code: NewCode
) -> None:
    """Pupil A closes the tab mid-survey; pupil B opens the start page in the same browser:
    A's pages cannot be opened again from its history, and A's answers wait for A's code."""
    code = new_code()
    _start(client, code)
    client.post("/sida/1/", {"KON": "2", "nav": "next"})
    held = client.cookies[PUPIL_COOKIE].value
    start = client.get("/")
    assert start.status_code == 200
    assert start.cookies[PUPIL_COOKIE].value == ""  # the browser forgets the token
    for url in ("/sida/1/", "/sida/2/", "/info/"):
        assert client.get(url)["Location"].startswith("/?")
    client.cookies[PUPIL_COOKIE] = held  # nor does a copy of the old cookie lead anywhere
    assert client.get("/sida/1/")["Location"].startswith("/?")
    assert SheetDraft.objects.get().answers == {"KON": "2"}
    again = PupilClient()
    _start(again, code)
    assert 'id="KON-2" value="2" checked' in again.get("/sida/1/").content.decode()


def test_a_wrong_code_on_the_start_page_also_ends_the_session_the_browser_held(
    client: Client, new_code: NewCode
) -> None:
    _start(client, new_code())
    response = client.post("/", {"code": "AAAA-BBBB-CCCC"})
    assert response.status_code == 200
    assert response.cookies[PUPIL_COOKIE].value == ""
    assert client.get("/sida/1/")["Location"].startswith("/?")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_no_code_row_shares_a_transaction_id_with_a_sheet(new_code: NewCode) -> None:
    """Someone with SQL access (or a physical backup) joins rows by PostgreSQL's hidden
    `xmin`, the id of the transaction that wrote each row version: the code's row must not
    have been written by the transaction that stored its sheet."""
    from django.db import connection

    codes_typed = [new_code() for _ in range(3)]
    for code in codes_typed:
        pupil = PupilClient()
        _start(pupil, code)
        assert _answer_to_the_end(pupil, {"KON": "2"})["Location"].startswith("/tack/")
    assert AnswerSheet.objects.count() == 3
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM surveys_answersheet s "
            "JOIN surveys_accesscode c ON c.xmin = s.xmin"
        )
        assert cursor.fetchone() == (0,)
        cursor.execute(  # nor can a session row still lead to a code
            "SELECT count(*) FROM surveys_answersheet s "
            "JOIN surveys_pupilsession p ON p.xmin = s.xmin WHERE p.draft_id IS NOT NULL"
        )
        assert cursor.fetchone() == (0,)
