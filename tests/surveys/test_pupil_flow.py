import logging
import re
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from surveys import pupil_sessions
from surveys.models import AccessCode, AnswerSheet, SheetDraft, Wave
from surveys.outage import outage_forget
from tests.surveys.pupil_client import PupilClient, pupil_cookie

pytestmark = pytest.mark.django_db

NewCode = Callable[[], str]


def _start(client: Client, code: str) -> None:
    response = client.post("/", {"code": code})
    assert response.status_code == 200, response.content.decode()[:2000]
    assert 'action="/sida/' in response.content.decode()


def _shown_page(response: Any) -> int:
    """The question page a response shows (its form's address), or 0."""
    if response.status_code != 200:
        return 0
    found = re.search(r'<form method="post" action="/sida/(\d+)/"', response.content.decode())
    return int(found.group(1)) if found else 0


def _answer_all(client: Client, language: str = "sv") -> Any:
    client.post("/sprak/", {"language": language})
    answers = {"KON": "1", "HEMOMR": "EJSVAR"}
    number = 1
    while True:
        response = client.post(f"/sida/{number}/", {**answers, "nav": "next"})
        number = _shown_page(response)
        if not number:
            return response
        answers = {}


def test_a_right_code_answers_with_the_first_page_and_the_information(
    client: Client, new_code: NewCode
) -> None:
    response = client.post("/", {"code": new_code()})
    html = response.content.decode()
    assert response.status_code == 200
    assert _shown_page(response) == 1
    assert 'class="survey-info"' in html
    assert 'name="steg"' in html


def test_a_wrong_code_is_explained_in_swedish(client: Client, new_code: NewCode) -> None:
    code = new_code()
    wrong = code[:5] + ("2222" if code[5:9] != "2222" else "3333") + code[9:]
    html = client.post("/", {"code": wrong}).content.decode()
    assert "Koden finns inte" in html


def test_a_wrong_code_is_explained_in_english(client: Client, new_code: NewCode) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.post("/", {"code": "AAAA-BBBB-CCCC"}).content.decode()
    assert "does not exist" in html


def test_pupil_pages_are_never_stored_in_a_cache(client: Client, new_code: NewCode) -> None:
    _start(client, new_code())
    for url in ["/", "/sprak/", "/info/", "/sida/1/", "/avsluta/"]:
        assert "no-store" in client.get(url)["Cache-Control"], url


def test_pages_show_progress(client: Client, new_code: NewCode) -> None:
    _start(client, new_code())
    client.post("/sida/1/", {"nav": "next"})
    client.post("/sida/2/", {"nav": "next"})
    html = client.get("/sida/3/").content.decode()
    assert re.search(r"Sida 3 av \d", html)


def test_field_names_are_question_codes_and_values_option_codes(
    client: Client, new_code: NewCode
) -> None:
    _start(client, new_code())
    html = client.get("/sida/1/").content.decode()
    assert 'name="KON" id="KON-1" value="1"' in html
    assert 'name="HEMOMR"' in html


def test_a_likert_statement_is_its_own_fieldset_with_a_legend(
    client: Client, new_code: NewCode
) -> None:
    _start(client, new_code())
    pages = []
    for number in range(1, 7):
        pages.append(client.get(f"/sida/{number}/").content.decode())
        client.post(f"/sida/{number}/", {"nav": "next"})
    page = next(html for html in pages if 'name="TRY02"' in html)
    assert 'id="legend-TRY02"' in page
    assert "<table" not in page


def test_answers_are_kept_when_going_back(client: Client, new_code: NewCode) -> None:
    _start(client, new_code())
    client.post("/sida/1/", {"KON": "2", "nav": "next"})
    client.post("/sida/2/", {"TRY01": "3", "nav": "back"})
    assert 'id="KON-2" value="2" checked' in client.get("/sida/1/").content.decode()
    assert 'id="TRY01-3" value="3" checked' in client.get("/sida/2/").content.decode()


def test_an_unknown_option_is_an_error_that_keeps_the_other_answers(
    client: Client, new_code: NewCode
) -> None:
    _start(client, new_code())
    response = client.post("/sida/1/", {"KON": "9", "HEMOMR": "ANNAN", "nav": "next"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Svaret finns inte bland alternativen" in html
    assert 'value="ANNAN" selected' in html


def test_a_tampered_field_is_refused_with_a_message(client: Client, new_code: NewCode) -> None:
    _start(client, new_code())
    html = client.post("/sida/1/", {"EVIL": "1", "nav": "next"}).content.decode()
    assert "inte hör till enkäten" in html


def test_a_complete_flow_stores_one_sheet_and_ends_on_the_thank_you_page(
    client: Client, new_code: NewCode
) -> None:
    _start(client, new_code())
    response = _answer_all(client)
    assert response["Location"].startswith("/tack/")
    thanks = client.get(response["Location"]).content.decode()
    assert "BRIS" in thanks
    sheet = AnswerSheet.objects.get()
    assert sheet.answers == {"KON": "1", "HEMOMR": "EJSVAR"}
    assert sheet.grade == 9
    assert not SheetDraft.objects.exists()
    assert AccessCode.objects.get().spent


def test_the_session_is_cleared_after_submit(client: Client, new_code: NewCode) -> None:
    _start(client, new_code())
    _answer_all(client)
    assert set(pupil_cookie(client) or {}) == {"done"}
    assert client.get("/sida/1/")["Location"].startswith("/tack/")


def test_a_repeated_final_submit_shows_the_same_thank_you(
    client: Client, new_code: NewCode
) -> None:
    _start(client, new_code())
    client.post("/sprak/", {"language": "sv"})
    last = _to_last_page(client)
    html = client.get(f"/sida/{last}/").content.decode()
    response = client.post(f"/sida/{last}/", {"nav": "next"})
    sid = re.search(r'name="submission_id" value="([^"]+)"', html)
    assert sid
    again = client.post(f"/sida/{last}/", {"nav": "next", "submission_id": sid.group(1)})
    assert again["Location"] == response["Location"]
    assert AnswerSheet.objects.count() == 1


def _to_last_page(client: Client) -> int:
    response = client.post("/sida/1/", {"nav": "next"})
    while True:
        last = _shown_page(response)
        if "Skicka in svaren" in response.content.decode():
            return last
        response = client.post(f"/sida/{last}/", {"nav": "next"})


def test_a_retry_after_the_sheet_was_stored_but_the_session_not_saved_shows_the_thank_you(
    new_code: NewCode,
) -> None:
    # The database went away after the submit committed and before the answer was sent:
    # the pupil got the 503 page, and retries with the cookie as it was before.
    client = PupilClient(raise_request_exception=False)
    _start(client, new_code())
    client.post("/sprak/", {"language": "sv"})
    last = _to_last_page(client)
    gone = OperationalError("gone")
    with mock.patch.object(pupil_sessions, "pupil_cookie_write", side_effect=gone):
        response = client.post(f"/sida/{last}/", {"nav": "next"})
    assert response.status_code == 503  # the outage page, with the answers in it
    assert AnswerSheet.objects.count() == 1
    assert "t" in (pupil_cookie(client) or {})
    outage_forget()  # the database is back and the short circuit is over
    again = client.post(f"/sida/{last}/", {"nav": "next"})
    assert again["Location"].startswith("/tack/")
    assert AnswerSheet.objects.count() == 1
    assert set(pupil_cookie(client) or {}) == {"done"}


def test_a_repeated_final_submit_with_other_answers_stores_nothing(
    client: Client, new_code: NewCode
) -> None:
    _start(client, new_code())
    last = _to_last_page(client)
    first = client.post(f"/sida/{last}/", {"nav": "next"})
    again = client.post(f"/sida/{last}/", {"nav": "next", "FOR02": "1"})
    assert again["Location"] == first["Location"]
    assert AnswerSheet.objects.count() == 1
    assert "FOR02" not in AnswerSheet.objects.get().answers


def test_the_same_code_resumes_the_answers_in_a_new_browser(new_code: NewCode) -> None:
    code = new_code()
    first = PupilClient()
    _start(first, code)
    first.post("/sida/1/", {"KON": "3", "nav": "next"})
    second = PupilClient()
    response = second.post("/", {"code": code})
    assert _shown_page(response) == 2
    assert 'id="KON-3" value="3" checked' in second.get("/sida/1/").content.decode()


def test_a_spent_code_cannot_start_again(client: Client, new_code: NewCode) -> None:
    code = new_code()
    _start(client, code)
    _answer_all(client)
    html = PupilClient().post("/", {"code": code}).content.decode()
    assert "redan använts" in html
    # A pupil whose submit went through but whose thank-you page never arrived is told
    # the answers are saved before being told where a new code comes from.
    assert html.index("du behöver inte svara igen") < html.index("Fråga din lärare")
    assert code in html  # the typed code stays in the field


def test_arabic_pages_are_right_to_left_with_arabic_texts(
    client: Client, new_code: NewCode
) -> None:
    _start(client, new_code())
    client.post("/sprak/", {"language": "ar"})
    html = client.get("/sida/1/").content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "bootstrap.rtl.min.css" in html
    assert "هل أنت فتاة أم فتى؟" in html


def test_no_log_line_carries_the_code(
    client: Client, new_code: NewCode, caplog: pytest.LogCaptureFixture
) -> None:
    code = new_code()
    with caplog.at_level(logging.DEBUG):
        _start(client, code)
        _answer_all(client)
        client.post("/", {"code": code})
    compact = code.replace("-", "")
    assert code not in caplog.text
    assert compact not in caplog.text


def test_a_missing_csrf_token_gets_a_page_in_the_pupils_language(new_code: NewCode) -> None:
    client = PupilClient(enforce_csrf_checks=True)
    client.get("/")
    token = client.cookies["csrftoken"].value
    client.post("/", {"code": new_code(), "csrfmiddlewaretoken": token})
    client.post("/sprak/", {"language": "en", "csrfmiddlewaretoken": token})
    response = client.post("/sida/1/", {"KON": "1", "nav": "next"})
    assert response.status_code == 403
    assert "Nothing you have already answered" in response.content.decode()


# --------------------------------------------------------------------------- closed wave


def _close_waves() -> None:
    Wave.objects.update(closes_at=timezone.now())


def test_a_code_of_a_closed_wave_is_explained_in_swedish(client: Client, new_code: NewCode) -> None:
    code = new_code()
    _close_waves()
    response = client.post("/", {"code": code})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enkäten har stängt, så det går inte att svara med den här koden längre" in html
    assert 'class="invalid-feedback' in html or "is-invalid" in html  # the form's error style


def test_a_code_of_a_closed_wave_is_explained_in_the_start_pages_language(
    client: Client, new_code: NewCode
) -> None:
    code = new_code()
    _close_waves()
    english = client.post("/?sprak=en", {"code": code}).content.decode()
    assert "The survey has closed, so this code can no longer be used" in english
    # A closed wave's languages are not offered on the start page any more: the message
    # is shown in the questionnaire's other languages beside it.
    swedish = client.post("/?sprak=sv", {"code": code}).content.decode()
    assert 'lang="ar" dir="rtl"' in swedish
    assert "أُغلق الاستبيان" in swedish


def test_a_pupil_is_told_when_the_wave_closes_while_they_answer(
    client: Client, new_code: NewCode
) -> None:
    _start(client, new_code())
    client.post("/sprak/", {"language": "sv"})
    client.post("/sida/1/", {"KON": "2", "HEMOMR": "EJSVAR", "nav": "next"})
    _close_waves()
    response = client.post("/sida/2/", {"TRY01": "3", "nav": "next"})
    assert response.status_code == 409
    assert "Enkäten har stängt, så svaren kunde inte skickas in" in response.content.decode()
    assert SheetDraft.objects.get().answers["KON"] == "2"  # kept, not lost silently
    assert not AnswerSheet.objects.exists()


def test_the_closed_message_is_in_the_pupils_language(client: Client, new_code: NewCode) -> None:
    _start(client, new_code())
    client.post("/sprak/", {"language": "ar"})
    _close_waves()
    response = client.get("/sida/1/")
    assert response.status_code == 409
    html = response.content.decode()
    assert "أُغلق الاستبيان، لذلك لم يمكن إرسال الإجابات" in html
    assert 'dir="rtl"' in html


def test_the_closed_message_is_in_english_for_an_english_pupil(
    client: Client, new_code: NewCode
) -> None:
    _start(client, new_code())
    client.post("/sprak/", {"language": "en"})
    _close_waves()
    response = client.post("/sida/1/", {"KON": "1", "nav": "next"})
    assert response.status_code == 409
    assert "The survey has closed, so the answers could not be sent in" in (
        response.content.decode()
    )
    assert not AccessCode.objects.answered().exists()
