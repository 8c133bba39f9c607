"""How many SQL statements each kind of pupil request makes (docs/performance.md).

Counts, not timings: a change that adds a query to a pupil request fails here. Counted as
a running worker sees them (the questionnaire parsed and cached, the district list cached),
on the default questionnaire, with the page token taken from the page shown as a browser
does. Transaction control is not counted: inside the test's own transaction Django turns
each `atomic` block into SAVEPOINT / RELEASE statements that production does not send
(it sends BEGIN / COMMIT, which are not logged).
"""

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from surveys.models import AnswerSheet, PupilSession
from surveys.pupil_sessions import PUPIL_COOKIE, TOUCH_EVERY, pupil_cookie_decode

pytestmark = pytest.mark.django_db

NewCode = Callable[[], str]
TOKEN = re.compile(r'name="steg" value="([^"]+)"')
PAGE = re.compile(r'<form method="post" action="/sida/(\d+)/"')


def _statements(call: Callable[[], Any]) -> tuple[list[str], Any]:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    sql = [q["sql"] for q in captured.captured_queries]
    return [s for s in sql if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))], response


def _token(response: Any) -> str:
    found = TOKEN.search(response.content.decode())
    assert found, response.content.decode()[:2000]
    return found.group(1)


@pytest.fixture
def pupil(new_code: NewCode) -> tuple[Client, Any]:
    """A pupil who entered a code, and the answer (page 1); caches warm as in a worker."""
    client = Client()
    Client().post("/", {"code": new_code()})  # parses and caches the questionnaire
    response = client.post("/", {"code": new_code()})
    return client, response


def test_the_start_page_reads_the_open_waves_languages_only() -> None:
    statements, response = _statements(lambda: Client().get("/"))
    assert response.status_code == 200
    assert len(statements) == 1


def test_a_new_code_takes_six_statements_and_answers_with_the_first_page(
    new_code: NewCode,
) -> None:
    Client().post("/", {"code": new_code()})
    code = new_code()
    # The class key, the code with its wave; then one transaction: the draft (none yet),
    # spend the code, the new draft, this device's session row.
    statements, response = _statements(lambda: Client().post("/", {"code": code}))
    assert PAGE.search(response.content.decode())
    assert len(statements) == 6, statements


def test_a_code_that_resumes_takes_four_statements(new_code: NewCode) -> None:
    code = new_code()
    Client().post("/", {"code": code})
    statements, response = _statements(lambda: Client().post("/", {"code": code}))
    assert PAGE.search(response.content.decode())
    assert len(statements) == 4, statements


def test_a_page_post_takes_two_statements(pupil: tuple[Client, Any]) -> None:
    client, response = pupil
    token = _token(response)
    # The session row with its draft and whether its wave takes answers (moving the idle
    # clock when due, in the same statement); then the conditional UPDATE of the draft.
    statements, response = _statements(
        lambda: client.post("/sida/1/", {"nav": "next", "KON": "1", "steg": token})
    )
    assert PAGE.search(response.content.decode()).group(1) == "2"  # type: ignore[union-attr]
    assert len(statements) == 2, statements


def test_a_page_shown_again_takes_one_statement(pupil: tuple[Client, Any]) -> None:
    client, _response = pupil
    statements, response = _statements(lambda: client.get("/sida/1/"))
    assert response.status_code == 200
    assert len(statements) == 1, statements


def test_the_final_submit_takes_six_statements_in_one_transaction(
    pupil: tuple[Client, Any],
) -> None:
    client, response = pupil
    number = 1
    while True:
        data = {"nav": "next", "steg": _token(response)}
        path = f"/sida/{number}/"
        statements, response = _statements(lambda: client.post(path, data))  # noqa: B023
        if response.status_code != 200:
            break
        number += 1
    assert response["Location"].startswith("/tack/")
    # The session row; then sheet_submit: the code with its wave and school, delete the
    # draft (the one-sheet guard), insert the sheet, detach the sessions, the wave's
    # guard. No statement writes the code's row.
    assert len(statements) == 6, statements
    assert not any("UPDATE surveys_accesscode" in s for s in statements)
    assert AnswerSheet.objects.count() == 1
    statements, thanks = _statements(lambda: client.get(response["Location"]))
    assert thanks.status_code == 200
    assert statements == []


def test_leaving_takes_two_statements(pupil: tuple[Client, Any]) -> None:
    client, _response = pupil
    statements, response = _statements(lambda: client.post("/avsluta/"))
    assert response.status_code == 302
    assert len(statements) == 2, statements


def test_a_due_idle_clock_moves_in_the_session_lookup_itself(pupil: tuple[Client, Any]) -> None:
    """After TOUCH_EVERY seconds without a request, the next one moves the idle clock
    without a statement of its own (a data-modifying WITH in the session lookup)."""
    client, response = pupil
    cookie = pupil_cookie_decode(client.cookies[PUPIL_COOKIE].value)
    assert cookie
    mine = PupilSession.objects.filter(token=cookie["t"])
    before = timezone.now() - timedelta(seconds=TOUCH_EVERY + 5)
    mine.update(last_seen=before)
    statements, shown = _statements(lambda: client.get("/sida/1/"))
    assert shown.status_code == 200
    # Elsewhere (SQLite, the embedded default) the clock is a second statement.
    assert len(statements) == (1 if connection.vendor == "postgresql" else 2), statements
    moved = mine.get().last_seen
    assert moved > before + timedelta(seconds=5)
    # A page post right after: the clock is not due, and the post is two statements.
    statements, answered = _statements(
        lambda: client.post("/sida/1/", {"nav": "next", "KON": "1", "steg": _token(response)})
    )
    assert PAGE.search(answered.content.decode()).group(1) == "2"  # type: ignore[union-attr]
    assert len(statements) == 2, statements
    assert mine.get().last_seen == moved


@pytest.mark.postgres
def test_the_hot_statements_are_prepared_once_per_connection(pupil: tuple[Client, Any]) -> None:
    """The session lookup, the page save and the code entry's statements are planned once
    per connection (`surveys.rows.cursor`); Django's own queries are never prepared."""
    client, response = pupil
    client.post("/sida/1/", {"nav": "next", "KON": "1", "steg": _token(response)})
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("surveys_pupilsession" in s and "surveys_sheetdraft d" in s for s in prepared)
    assert any(s.startswith("UPDATE surveys_sheetdraft SET answers") for s in prepared)
    assert any("ON CONFLICT (code_id) DO NOTHING" in s for s in prepared)
    assert not any('"surveys_' in s for s in prepared), prepared  # the ORM quotes its names


@pytest.mark.postgres
def test_without_prepared_statements_the_hot_statements_run_unprepared(
    pupil: tuple[Client, Any],
) -> None:
    """`DATABASE_PREPARED=0` (Django's default threshold, None): nothing is prepared, the
    pages work the same."""
    client, response = pupil
    connection.ensure_connection()
    raw = connection.connection
    before = raw.prepare_threshold
    raw.prepare_threshold = None
    try:
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
        raw._prepared.clear()  # psycopg's record of what this connection prepared
        answered = client.post("/sida/1/", {"nav": "next", "KON": "1", "steg": _token(response)})
        assert PAGE.search(answered.content.decode()).group(1) == "2"  # type: ignore[union-attr]
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE NOT from_sql")
            assert cursor.fetchone() == (0,)
    finally:
        raw.prepare_threshold = before
