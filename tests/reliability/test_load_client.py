"""The survey-day load client reads forms from the HTML; no questionnaire knowledge."""

import asyncio
import random
import time
from unittest import mock

import httpx

from harness.pupils import (
    Form,
    LoadConfig,
    Outcome,
    Pupil,
    Stats,
    fill_form,
    leave_form,
    main_form,
    parse_page,
)
from harness.survey_day import Report, _answers_differ, match_sheets, percentile

PAGE = """
<html lang="sv"><body>
<form action="/i18n/setlang/" method="post">
  <input type="hidden" name="csrfmiddlewaretoken" value="t">
  <select name="language"><option value="sv" selected>Svenska</option></select>
  <button type="submit" class="btn btn-sm btn-outline-secondary">Byt språk</button>
</form>
<form method="post" action="/sida/2/" novalidate>
  <input type="hidden" name="csrfmiddlewaretoken" value="t">
  <fieldset class="question has-error" aria-describedby="err-TRY07">
    <legend id="legend-TRY07">Vad har hänt?</legend>
    <p class="field-error" id="err-TRY07">Kan inte väljas tillsammans med andra.</p>
    <input type="checkbox" name="TRY07" value="1" checked>
    <input type="checkbox" name="TRY07" value="9" checked>
  </fieldset>
  <fieldset class="question has-error" aria-describedby="err-KON">
    <legend id="legend-KON">Kön <span class="required">(obligatorisk)</span></legend>
    <p class="field-error" id="err-KON">Svara på frågan.</p>
    <input type="radio" name="KON" value="1"><input type="radio" name="KON" value="2">
  </fieldset>
  <fieldset class="question">
    <legend id="legend-ARSKURS">Årskurs <span class="required">(obligatorisk)</span></legend>
    <input type="radio" name="ARSKURS" value="8"><input type="radio" name="ARSKURS" value="9">
  </fieldset>
  <fieldset class="question">
    <legend id="legend-TRY01">Hur trygg känner du dig?</legend>
    <input type="radio" name="TRY01" value="1">
    <input type="radio" name="TRY01" value="2" checked>
  </fieldset>
  <select name="HEMOMR">
    <option value="">Välj</option><option value="SKI">Skiftinge</option>
  </select>
  <input class="form-control" type="text" inputmode="numeric" name="ALDER" value="">
  <div class="nav-buttons">
    <button type="submit" name="nav" value="next" class="btn btn-primary btn-lg">Nästa</button>
  <button type="submit" name="nav" value="back" class="btn btn-outline-secondary">Tillbaka</button>
  </div>
</form>
<form method="post" action="/avsluta/" class="leave-form">
  <input type="hidden" name="csrfmiddlewaretoken" value="t">
  <button type="submit" class="btn btn-outline-danger">Avsluta utan att skicka</button>
</form></body></html>
"""

# The information page: no form that goes on, only a link ("Börja svara") and the
# "leave without submitting" form, which a pupil must not press by mistake.
INFO = """
<html lang="sv"><body><div class="pupil"><h1>Om enkäten</h1>
<a class="btn btn-primary btn-lg" href="/sida/1/">Börja svara</a>
<form method="post" action="/avsluta/" class="leave-form">
  <input type="hidden" name="csrfmiddlewaretoken" value="t">
  <button type="submit" class="btn btn-outline-danger">Avsluta utan att skicka</button>
</form></div></body></html>
"""

START = """
<html lang="sv"><body><header><nav aria-label="Språk"><ul>
<li><a href="?sprak=sv" lang="sv" hreflang="sv" aria-current="page">Svenska</a></li>
<li><a href="?sprak=en" lang="en" hreflang="en">English</a></li>
</ul></nav></header>
<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="t">
<input type="text" name="code" inputmode="text" required>
<input type="submit" name="start" value="Börja" class="btn btn-primary btn-lg w-100">
</form></body></html>
"""


def _form(html: str) -> Form:
    form = main_form(parse_page(html).forms)
    assert form is not None
    return form


def _page_data(skip_rate: float = 0.0, seed: int = 1) -> dict[str, list[str]]:
    page = parse_page(PAGE)
    data = fill_form(
        _form(PAGE),
        random.Random(seed),
        code="",
        skip_rate=skip_rate,
        errors=frozenset(page.errors),
    )
    result: dict[str, list[str]] = {}
    for name, value in data:
        result.setdefault(name, []).append(value)
    return result


def test_the_page_form_is_chosen_over_the_header_language_switch_and_leave() -> None:
    assert _form(PAGE).action == "/sida/2/"
    assert _form(PAGE).is_question_page


def test_the_primary_button_is_the_one_that_goes_on() -> None:
    button = _form(PAGE).primary_button()
    assert button is not None
    assert button.value == "next"


def test_on_the_information_page_the_pupil_follows_the_link_not_the_leave_button() -> None:
    page = parse_page(INFO)
    forms = [f for f in page.forms if f.method == "post"]
    assert main_form(forms) is None
    assert page.primary_links == ["/sida/1/"]
    leave = leave_form(forms)
    assert leave is not None and leave.action == "/avsluta/"


def test_the_start_page_offers_its_other_languages_and_the_code_form() -> None:
    page = parse_page(START)
    assert [link.hreflang for link in page.language_links] == ["en"]
    form = _form(START)
    assert not form.is_question_page
    data = fill_form(form, random.Random(1), code="KX7P-M4RD-Q9ZT", skip_rate=0.0)
    assert ("code", "KX7P-M4RD-Q9ZT") in data


def test_hidden_fields_such_as_the_csrf_token_are_sent_back() -> None:
    assert _page_data()["csrfmiddlewaretoken"] == ["t"]


def test_no_submission_id_is_needed_from_the_page() -> None:
    assert "submission_id" not in _page_data()


def test_an_answer_kept_from_an_earlier_visit_is_sent_again() -> None:
    assert _page_data()["TRY01"] == ["2"]


def test_a_field_the_page_marks_as_wrong_is_answered_anew_with_one_choice() -> None:
    assert _page_data()["TRY07"] == ["1"]


def test_a_required_field_the_page_marks_as_missing_is_answered() -> None:
    assert _page_data(skip_rate=1.0)["KON"] in (["1"], ["2"])


def test_a_required_question_is_never_skipped_an_optional_one_may_be() -> None:
    for seed in range(20):
        data = _page_data(skip_rate=1.0, seed=seed)
        assert data["ARSKURS"] in (["8"], ["9"])
        assert "HEMOMR" not in data and "ALDER" not in data


def test_a_select_gets_a_real_option_not_the_placeholder() -> None:
    assert _page_data()["HEMOMR"] == ["SKI"]


def _outcome(answers: dict[str, list[str]], *, thanked: bool = True) -> Outcome:
    outcome = Outcome("K", "c", thanked=thanked)
    outcome.answers = answers
    return outcome


def test_each_sheet_is_matched_to_the_pupil_whose_answers_it_holds() -> None:
    pupils = [_outcome({"A": ["1"], "B": ["2"]}), _outcome({"A": ["2"], "N": ["3"]})]
    matching = match_sheets([("s2", {"A": "2", "N": 3}), ("s1", {"A": "1", "B": "2"})], pupils)
    assert matching.pupil_of == {"s1": 0, "s2": 1}
    assert not matching.strays and not matching.altered


def test_a_sheet_without_an_answer_the_server_dropped_still_matches() -> None:
    matching = match_sheets([("s", {"A": "1"})], [_outcome({"A": ["1"], "HIDDEN": ["2"]})])
    assert matching.pupil_of == {"s": 0}


def test_a_second_sheet_with_one_pupils_answers_is_a_duplicate() -> None:
    rows = [("s1", {"A": "1", "B": "2"}), ("s2", {"A": "1", "B": "2"})]
    matching = match_sheets(rows, [_outcome({"A": ["1"], "B": ["2"]})])
    assert len(matching.pupil_of) == 1 and len(matching.strays) == 1


def test_a_sheet_that_nearly_matches_a_thanked_pupil_is_altered() -> None:
    rows = [("s", {"A": "1", "B": "3", "C": "1"})]
    matching = match_sheets(rows, [_outcome({"A": ["1"], "B": ["2"], "C": ["1"]})])
    assert matching.altered == {"s": 0} and not matching.pupil_of


def test_a_stored_answer_that_differs_from_the_one_sent_is_found() -> None:
    assert _answers_differ({"TRY01": "2"}, {"TRY01": ["3"]})


def test_a_stored_number_equals_the_typed_one() -> None:
    assert not _answers_differ({"ALDER": 14}, {"ALDER": ["14"]})


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
            with mock.patch("harness.pupils.asyncio.sleep", sleep):
                return await pupil._request(client, "GET", "/sida/2/", None, time.monotonic() + 60)

    assert asyncio.run(one_page()).text == "ok"
    assert len(waits) == 1 and waits[0] >= 5
    assert pupil.outcome.retries == 1
