"""A shared Chromebook and a pupil on two devices, in Chromium."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connections
from django.test import override_settings

from surveys.models import AccessCode, AnswerSheet
from surveys.pupil_sessions import PUPIL_COOKIE
from surveys.services import codes_issue, questionnaire_import_default
from tests.browser import click_through
from tests.surveys.factories import make_class, make_wave
from tests.surveys.tables import every_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def code(live_server: Any) -> str:
    """Created before the browser starts: Playwright's event loop forbids the ORM."""
    wave = make_wave(questionnaire=questionnaire_import_default(), languages=["sv", "en", "ar"])
    return codes_issue(wave=wave, school_class=make_class(grade=8), count=1)[0]


def _in_thread[T](read: Callable[[], T]) -> T:
    """The ORM refuses to run beside Playwright's event loop: read in a plain thread, and
    close that thread's connection (else the test database cannot be dropped)."""

    def run() -> T:
        try:
            return read()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def _enter(page: Any, base: str, code: str) -> None:
    page.goto(base + "/")
    page.fill("input[name=code]", code)
    click_through(page, "input[type=submit]")


def _on_page_two(page: Any, base: str, code: str) -> None:
    """The pupil enters their code, answers "Kille" and goes on to page 2."""
    _enter(page, base, code)
    page.check("input[name=KON][value='2']")
    click_through(page, "button[name=nav][value=next]")


def test_the_next_user_of_a_shared_browser_sees_nothing_of_the_pupil_who_left(
    code: str, chromium_page: Any, live_server: Any
) -> None:
    page = chromium_page
    _enter(page, live_server.url, code)
    session = next(c for c in page.context.cookies() if c["name"] == PUPIL_COOKIE)
    assert session["expires"] == -1  # a browser-session cookie: gone when the browser closes
    page.check("input[name=KON][value='2']")
    click_through(page, "button[name=nav][value=next]")
    assert page.locator("form[action='/sida/2/']").count() == 1  # page 2 is shown
    click_through(page, "text=Avsluta utan att skicka")
    assert "Du har avslutat utan att skicka in" in page.content()
    # The next pupil at the same computer tries the address of the first page.
    page.goto(live_server.url + "/sida/1/")
    assert "/sida/" not in page.url
    assert page.locator("input[name=KON]").count() == 0
    page.go_back()
    assert page.locator("input[name=KON][value='2']:checked").count() == 0


def test_the_next_pupil_who_opens_the_start_page_in_a_new_tab_cannot_reach_the_pages_left_open(
    code: str, chromium_page: Any, live_server: Any
) -> None:
    first = chromium_page
    _on_page_two(first, live_server.url, code)
    # Pupil A walks away without leaving; pupil B opens a new tab in the same browser.
    second = first.context.new_page()
    second.goto(live_server.url + "/")
    assert second.locator("input[name=code]").count() == 1
    for path in ("/sida/1/", "/sida/2/", "/info/"):
        second.goto(live_server.url + path)
        assert "/sida/" not in second.url, path
        assert second.locator("input[name=KON]").count() == 0
    # The tab A left open still shows its page, but its buttons lead nowhere.
    click_through(first, "button[name=nav][value=back]")
    assert "/sida/" not in first.url
    assert first.locator("input[name=KON]").count() == 0
    second.close()


def test_an_idle_session_ends_on_a_shared_browser(
    code: str, chromium_page: Any, live_server: Any
) -> None:
    page = chromium_page
    _enter(page, live_server.url, code)
    page.check("input[name=KON][value='3']")
    with override_settings(PUPIL_IDLE_TIMEOUT=1):  # seconds
        page.wait_for_timeout(2500)
        click_through(page, "button[name=nav][value=next]")
    assert "/sida/" not in page.url
    assert "utan aktivitet" in page.content()
    page.goto(live_server.url + "/sida/1/")
    assert page.locator("input[name=KON]").count() == 0


def test_a_pupil_who_starts_on_one_device_and_submits_on_another_leaves_no_link(
    code: str, chromium_page: Any, live_server: Any
) -> None:
    first = chromium_page
    _on_page_two(first, live_server.url, code)
    other = first.context.browser.new_context(locale="sv-SE")
    try:
        second = other.new_page()
        _enter(second, live_server.url, code)
        # Resumed where the first device was.
        assert second.locator("form[action='/sida/2/']").count() == 1
        while second.locator("button[name=nav][value=next]").count():
            click_through(second, "button[name=nav][value=next]")
        assert "/tack/" in second.url
    finally:
        other.close()
    # The first device, still open, shows the thank-you page and nothing of the answers.
    first.reload()
    assert "/tack/" in first.url
    assert first.locator("input[name=KON]").count() == 0
    sheet = _in_thread(AnswerSheet.objects.get)
    assert sheet.answers["KON"] == "2"
    code_row = _in_thread(AccessCode.objects.get)
    rows = _in_thread(every_row)
    of_code = {str(code_row.id), code_row.id.hex, code_row.code_hash}
    of_sheet = {str(sheet.id), sheet.id.hex, str(sheet.submission_id), sheet.submission_id.hex}
    for table, texts in rows.items():
        for text in texts:
            if table != "surveys_accesscode":
                assert not any(value in text for value in of_code), table
            if table != "surveys_answersheet":
                assert not any(value in text for value in of_sheet), table
