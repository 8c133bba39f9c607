"""The survey-day load client reads forms from the HTML; no questionnaire knowledge."""

import asyncio
import random
import time
from unittest import mock

import httpx

from bench.pupils import LoadConfig, Outcome, Pupil, Stats, fill_form, main_form, parse_page
from bench.survey_day import Report, _answers_differ, percentile

PAGE = """
<html lang="sv"><body>
<form action="/i18n/setlang/" method="post">
  <input type="hidden" name="csrfmiddlewaretoken" value="t">
  <select name="language"><option value="sv" selected>Svenska</option></select>
  <button type="submit" class="btn btn-sm btn-outline-secondary">Byt språk</button>
</form>
<form method="post" action="/sida/2/">
  <input type="hidden" name="csrfmiddlewaretoken" value="t">
  <input type="hidden" name="submission_id" value="5b1c">
  <fieldset class="question has-error" aria-describedby="err-TRY07">
    <p class="field-error" id="err-TRY07">Kan inte väljas tillsammans med andra.</p>
    <input type="checkbox" name="TRY07" value="1" checked>
    <input type="checkbox" name="TRY07" value="9" checked>
  </fieldset>
  <input type="radio" name="TRY01" value="1">
  <input type="radio" name="TRY01" value="2" checked>
  <select name="HEMOMR">
    <option value="">Välj</option><option value="SKI">Skiftinge</option>
  </select>
  <button type="submit" name="nav" value="next" class="btn btn-primary btn-lg">Nästa</button>
  <button type="submit" name="nav" value="back" class="btn btn-outline-secondary">Tillbaka</button>
</form></body></html>
"""


def _page_data() -> dict[str, list[str]]:
    page = parse_page(PAGE)
    form = main_form(page.forms)
    data = fill_form(form, random.Random(1), code="", skip_rate=0.0, errors=frozenset(page.errors))
    result: dict[str, list[str]] = {}
    for name, value in data:
        result.setdefault(name, []).append(value)
    return result


def test_the_page_form_is_chosen_over_the_header_language_switch() -> None:
    page = parse_page(PAGE)
    assert main_form(page.forms).action == "/sida/2/"


def test_the_primary_button_is_the_one_that_goes_on() -> None:
    form = main_form(parse_page(PAGE).forms)
    button = form.primary_button()
    assert button is not None
    assert button.value == "next"


def test_hidden_fields_such_as_the_submission_id_are_sent_back() -> None:
    assert _page_data()["submission_id"] == ["5b1c"]


def test_an_answer_kept_from_an_earlier_visit_is_sent_again() -> None:
    assert _page_data()["TRY01"] == ["2"]


def test_a_field_the_page_marks_as_wrong_is_skipped_on_the_next_try() -> None:
    assert "TRY07" not in _page_data()


def test_a_select_gets_a_real_option_not_the_placeholder() -> None:
    assert _page_data()["HEMOMR"] == ["SKI"]


def test_a_stored_answer_that_differs_from_the_one_sent_is_found() -> None:
    assert _answers_differ({"TRY01": "2"}, {"TRY01": ["3"]})


def test_a_multiple_choice_answer_is_compared_as_a_set() -> None:
    assert not _answers_differ({"TRY07": ["3", "1"]}, {"TRY07": ["1", "3"]})


def test_a_skipped_or_hidden_answer_may_be_missing_from_the_sheet() -> None:
    assert not _answers_differ({"TRY01": "2"}, {"TRY01": ["2"], "TRY02": ["1"]})


def test_a_failed_check_makes_the_report_fail() -> None:
    report = Report("baseline", 10, 1)
    report.check("duplicate sheets", 0, 1, False)
    report.info("pupils started", 10)
    assert [c.name for c in report.failures] == ["duplicate sheets"]


def test_the_95th_percentile_is_a_value_of_the_sample() -> None:
    assert percentile([float(n) for n in range(1, 101)], 0.95) == 95.0


def test_a_retry_waits_at_least_as_long_as_the_servers_retry_after() -> None:
    answers = iter(
        [httpx.Response(503, headers={"Retry-After": "5"}), httpx.Response(200, text="ok")]
    )
    pupil = Pupil(
        LoadConfig(base_url="http://127.0.0.1"), Stats(), Outcome("K", "c"), random.Random(1)
    )
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async def one_page() -> httpx.Response:
        transport = httpx.MockTransport(lambda request: next(answers))
        async with httpx.AsyncClient(base_url="http://127.0.0.1", transport=transport) as client:
            with mock.patch("bench.pupils.asyncio.sleep", sleep):
                return await pupil._request(client, "GET", "/sida/2/", None, time.monotonic() + 60)

    assert asyncio.run(one_page()).text == "ok"
    assert len(waits) == 1 and waits[0] >= 5
    assert pupil.outcome.retries == 1
