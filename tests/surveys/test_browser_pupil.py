"""A pupil answers the default questionnaire in Chromium: keyboard only, Swedish and Arabic,
with axe-core checking every pupil page."""

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from surveys import questionnaire as qn
from surveys.models import AnswerSheet
from surveys.services import codes_issue, questionnaire_import_default
from tests.axe import axe_violations
from tests.browser import click_through
from tests.surveys.factories import make_class, make_wave

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def code(live_server: Any) -> str:
    """Created before the browser starts: Playwright's event loop forbids the ORM."""
    wave = make_wave(questionnaire=questionnaire_import_default(), languages=["sv", "en", "ar"])
    return codes_issue(wave=wave, school_class=make_class(grade=8), count=1)[0]


def _sheet() -> AnswerSheet:
    # The ORM refuses to run beside Playwright's event loop: read in a plain thread.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(AnswerSheet.objects.get).result()


def _tab_to_next_answering_first_choices(page: Any) -> None:
    """Keyboard only: Tab through the page; pick the focused option of each unanswered radio
    group with Space; stop on the forward button and press Enter."""
    for _ in range(400):
        page.keyboard.press("Tab")
        focused = json.loads(
            page.evaluate(
                "JSON.stringify({type: document.activeElement.type || '',"
                " name: document.activeElement.name || '',"
                " value: document.activeElement.value || '',"
                " answered: document.activeElement.name ? !!document.querySelector("
                "'input[name=\"' + document.activeElement.name + '\"]:checked') : false})"
            )
        )
        if focused["type"] == "radio" and not focused["answered"]:
            page.keyboard.press("Space")
        if focused["name"] == "nav" and focused["value"] == "next":
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
    raise AssertionError("never reached the Next button")


def _on_question_page(page: Any) -> bool:
    """A question page: the answer to the code or to the previous page's Next, whatever
    address the browser shows for it."""
    return bool(page.locator("button[name=nav][value=next]").count())


def test_a_pupil_completes_the_survey_in_swedish_with_the_keyboard_only(
    code: str, chromium_page: Any, live_server: Any, artifacts_dir: Path
) -> None:
    page = chromium_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    problems: dict[str, list[str]] = {"start": axe_violations(page)}
    page.screenshot(path=str(artifacts_dir / "pupil-sv-start.png"), full_page=True)
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # site name
    while page.evaluate("document.activeElement.name") != "code":
        page.keyboard.press("Tab")
    page.keyboard.type(code.lower())
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The code's answer is the first question page, opening with the information.
    assert page.locator(".survey-info").count() == 1
    pages = 0
    while _on_question_page(page):
        pages += 1
        problems[f"page {pages}"] = axe_violations(page)
        page.screenshot(path=str(artifacts_dir / f"pupil-sv-page-{pages}.png"), full_page=True)
        _tab_to_next_answering_first_choices(page)
    assert "/tack/" in page.url
    problems["thanks"] = axe_violations(page)
    page.screenshot(path=str(artifacts_dir / "pupil-sv-thanks.png"), full_page=True)
    assert {name: found for name, found in problems.items() if found} == {}
    assert pages >= 6
    sheet = _sheet()
    assert sheet.language == "sv"
    assert sheet.gender == "1"  # the first option of KON, chosen with Space
    radio_fields = {
        code
        for _, item in qn.load_yaml_file().items()
        if item.type in ("single", "matrix")
        for code in item.field_codes
    }
    assert set(sheet.answers) == radio_fields


def test_a_pupil_completes_the_survey_in_arabic_right_to_left(
    code: str, chromium_page: Any, live_server: Any, artifacts_dir: Path
) -> None:
    page = chromium_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    click_through(page, "a[hreflang=ar]")  # the start page in Arabic: the pupil answers in it
    page.fill("input[name=code]", code)
    click_through(page, "input[type=submit]")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "ar"
    problems: dict[str, list[str]] = {}
    number = 0
    while _on_question_page(page):
        number += 1
        assert page.evaluate("document.documentElement.dir") == "rtl"
        problems[f"page {number}"] = axe_violations(page)
        page.screenshot(path=str(artifacts_dir / f"pupil-ar-page-{number}.png"), full_page=True)
        if number == 1:
            page.check("input[name=KON][value='2']")
            page.select_option("select[name=HEMOMR]", "ANNAN")
        click_through(page, "button[name=nav][value=next]")
    assert "/tack/" in page.url
    assert page.evaluate("document.documentElement.dir") == "rtl"
    problems["thanks"] = axe_violations(page)
    page.screenshot(path=str(artifacts_dir / "pupil-ar-thanks.png"), full_page=True)
    assert {name: found for name, found in problems.items() if found} == {}
    sheet = _sheet()
    assert (sheet.language, sheet.gender, sheet.home_answer) == ("ar", "2", "ANNAN")
