"""The questionnaire engine and the default questionnaire v1 (pure Python, no database)."""

from __future__ import annotations

import copy
import io
import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from surveys.questionnaire import (
    DISTRICT_FIXED_OPTIONS,
    QUESTION_TYPES,
    AllOf,
    AnyOf,
    Condition,
    Question,
    Questionnaire,
    QuestionnaireError,
    clean_page_answers,
    condition_holds,
    dump_questionnaire,
    from_xlsform,
    load_questionnaire,
    load_yaml_file,
    page_count,
    parse_yaml,
    prune_hidden_answers,
    text_direction,
    to_xlsform,
    to_yaml,
    translate,
    visible_items,
)

# The codebook (docs/codebook.md) written out: code -> (kind, option codes).
# "statement" is a matrix statement; ARSKURS is absent because grade comes from the class.
YES_NO = ("1", "2")
TIMES = ("1", "2", "3", "4")
AGREE = ("1", "2", "3", "4")
CERTAINTY = ("1", "2", "3", "4")
CODEBOOK: dict[str, tuple[str, tuple[str, ...]]] = {
    "KON": ("single", ("1", "2", "3")),
    "HEMOMR": ("district", DISTRICT_FIXED_OPTIONS),
    "TRY01": ("single", ("1", "2", "3", "4", "5", "6")),
    "TRY02": ("statement", ("1", "2", "3", "4", "5")),
    "TRY03": ("single", ("1", "2", "3", "4")),
    "TRY04": ("single", ("1", "2", "3", "4")),
    "TRY05A": ("single", YES_NO),
    "TRY05B": ("single", YES_NO),
    "TRY05C": ("single", YES_NO),
    "TRY06": ("single", ("1", "2", "3", "4")),
    "TRY07": ("multiple", ("1", "2", "3", "4", "5", "6", "7", "8", "9")),
    "UTS01": ("single", TIMES),
    "UTS02": ("single", TIMES),
    "UTS03": ("single", TIMES),
    "UTS04": ("single", TIMES),
    "UTS05": ("single", YES_NO),
    "UTS06": ("single", YES_NO),
    "EXP01": ("statement", CERTAINTY),
    "EXP02": ("single", YES_NO),
    "EXP03": ("single", ("1", "2", "3")),
    "EXP04": ("single", YES_NO),
    "EXP05": ("statement", CERTAINTY),
    "EXP06": ("single", ("1", "2", "3")),
    "SKY01": ("single", YES_NO),
    "SKY02": ("single", ("1", "2", "3", "4", "5")),
    "SKY03": ("single", ("1", "2", "3", "4", "5")),
    "SKY04": ("single", ("1", "2", "3", "4")),
    "SKY05": ("statement", AGREE),
    "FOR01": ("single", ("1", "2", "3", "4", "5", "6")),
    "FOR02": ("single", ("1", "2", "3")),
    "FOR03": ("statement", AGREE),
}
ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")


@pytest.fixture(scope="module")
def default() -> Questionnaire:
    return load_yaml_file()


def all_texts(questionnaire: Questionnaire) -> Iterator[tuple[str, dict[str, str]]]:
    """(where, texts) for every text of the questionnaire."""
    yield "title", dict(questionnaire.title)
    for page in questionnaire.pages:
        yield page.code, dict(page.title)
        if page.intro is not None:
            yield f"{page.code}.intro", dict(page.intro)
        for item in page.items:
            yield item.code, dict(item.text)
            if item.hint is not None:
                yield f"{item.code}.hint", dict(item.hint)
            for option in item.options:
                yield f"{item.code}.{option.code}", dict(option.text)
            for statement in item.statements:
                yield statement.code, dict(statement.text)
    for resource in questionnaire.help_resources:
        yield f"{resource.code}.name", dict(resource.name)
        yield f"{resource.code}.text", dict(resource.text)


def answer_kinds(questionnaire: Questionnaire) -> dict[str, tuple[str, tuple[str, ...]]]:
    kinds: dict[str, tuple[str, tuple[str, ...]]] = {}
    for _, item in questionnaire.items():
        if item.type == "matrix":
            for statement in item.statements:
                kinds[statement.code] = ("statement", item.option_codes)
        elif item.type != "info":
            kinds[item.code] = (item.type, item.option_codes)
    return kinds


# --------------------------------------------------------------------------- default file


def test_the_default_questionnaire_loads_with_six_to_eight_pages(default: Questionnaire) -> None:
    assert default.code == "DEFAULT"
    assert default.version == 3
    assert default.languages == ("sv", "en", "ar", "fi", "so", "ti")
    assert default.draft_languages == ("ar", "fi", "so", "ti")
    assert 6 <= page_count(default) <= 8
    items_and_statements = sum(max(1, len(item.statements)) for _, item in default.items())
    assert 38 <= items_and_statements <= 50


def test_every_codebook_code_is_present_with_exactly_the_codebook_options(
    default: Questionnaire,
) -> None:
    assert answer_kinds(default) == CODEBOOK


def test_nowhere_is_the_only_exclusive_unsafe_place(default: Questionnaire) -> None:
    places = next(item for _, item in default.items() if item.code == "TRY07")
    assert [option.code for option in places.options if option.exclusive] == ["9"]


def test_no_question_is_required_and_no_question_is_hidden(default: Questionnaire) -> None:
    assert not any(item.required for _, item in default.items())
    assert all(item.show_if is None for _, item in default.items())


def test_every_text_has_every_language_of_the_questionnaire_arabic_in_arabic_letters(
    default: Questionnaire,
) -> None:
    for where, texts in all_texts(default):
        assert set(texts) == set(default.languages), where
        assert ARABIC_LETTER.search(texts["ar"]), where
    assert text_direction("ar") == "rtl"
    assert text_direction("sv") == "ltr"


def test_the_first_page_only_informs_and_says_voluntary_anonymous_skippable_15_minutes(
    default: Questionnaire,
) -> None:
    welcome = default.pages[0]
    assert {item.type for item in welcome.items} == {"info"}
    swedish = " ".join(item.text["sv"] for item in welcome.items)
    for words in ("frivilligt", "anonym", "hoppa över", "15 minuter"):
        assert words in swedish
    english = " ".join(item.text["en"] for item in welcome.items)
    for words in ("voluntary", "anonymous", "skip", "15 minutes"):
        assert words in english


def test_background_comes_before_the_indicator_questions(default: Questionnaire) -> None:
    assert [item.code for item in default.pages[1].items] == ["KON", "HEMOMR"]


def test_help_is_shown_after_victimisation_exposure_and_the_last_page(
    default: Questionnaire,
) -> None:
    with_help = [page.code for page in default.pages if page.help_after]
    assert with_help == ["UTSATTHET", "EXPONERING", default.pages[-1].code]
    assert any(item.code.startswith("UTS") for item in default.pages[3].items)
    assert any(item.code.startswith("EXP") for item in default.pages[4].items)


def test_help_resources_name_bris_the_school_112_the_police_and_umo(
    default: Questionnaire,
) -> None:
    by_code = {resource.code: resource for resource in default.help_resources}
    assert by_code["BRIS"].phone == "116 111"
    assert by_code["NODNUMMER"].phone == "112"
    assert by_code["POLISEN"].phone == "114 14"
    assert by_code["UMO"].url == "https://www.umo.se"
    assert "skola" in by_code["ELEVHALSAN"].name["sv"]


def test_victimisation_questions_state_the_twelve_month_reference_period(
    default: Questionnaire,
) -> None:
    for _, item in default.items():
        if item.code[:3] in ("UTS", "EXP") and item.type == "single":
            assert "12 månaderna" in item.text["sv"], item.code


# --------------------------------------------------------------------------- a small document


def texts(swedish: str) -> dict[str, str]:
    return {"sv": swedish, "en": f"{swedish} (en)"}


def options(*codes: str, exclusive: str | None = None) -> list[dict[str, Any]]:
    return [
        {
            "code": code,
            "text": texts(f"Svar {code}"),
            **({"exclusive": True} if code == exclusive else {}),
        }
        for code in codes
    ]


def small_document() -> dict[str, Any]:
    return {
        "code": "SMALL",
        "version": 1,
        "languages": ["sv", "en"],
        "title": texts("Liten enkät"),
        "pages": [
            {
                "code": "P1",
                "title": texts("Sida 1"),
                "items": [
                    {
                        "code": "Q1",
                        "type": "single",
                        "text": texts("Fråga"),
                        "options": options("1", "2"),
                    },
                    {
                        "code": "PLACES",
                        "type": "multiple",
                        "text": texts("Platser"),
                        "options": options("1", "2", "9", exclusive="9"),
                    },
                    {"code": "AGE", "type": "number", "text": texts("Ålder"), "min": 10, "max": 20},
                ],
            },
            {
                "code": "P2",
                "title": texts("Sida 2"),
                "intro": texts("Inledning"),
                "help_after": True,
                "items": [
                    {
                        "code": "FOLLOW",
                        "type": "single",
                        "text": texts("Följdfråga"),
                        "options": options("1", "2"),
                        "show_if": {"question": "Q1", "in": ["1"]},
                    },
                    {
                        "code": "GRID",
                        "type": "matrix",
                        "text": texts("Hur väl stämmer det?"),
                        "options": options("1", "2", "3"),
                        "statements": [
                            {"code": "G1", "text": texts("Påstående 1")},
                            {"code": "G2", "text": texts("Påstående 2")},
                        ],
                        "show_if": {
                            "any_of": [
                                {"question": "PLACES", "in": ["1", "2"]},
                                {"question": "Q1", "in": ["2"]},
                            ]
                        },
                    },
                    {
                        "code": "HOME",
                        "type": "district",
                        "text": texts("Var bor du?"),
                        "required": True,
                        "options": options(*DISTRICT_FIXED_OPTIONS),
                    },
                    {"code": "NOTE", "type": "info", "text": texts("Tack")},
                ],
            },
        ],
    }


@pytest.fixture
def small() -> Questionnaire:
    return load_questionnaire(small_document())


def problems_of(document: dict[str, Any]) -> list[str]:
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(document)
    return [str(problem) for problem in caught.value.problems]


def test_the_small_document_loads(small: Questionnaire) -> None:
    assert [page.code for page in small.pages] == ["P1", "P2"]
    assert small.field_codes() == ["Q1", "PLACES", "AGE", "FOLLOW", "G1", "G2", "HOME"]


def test_a_missing_translation_is_reported_with_its_full_path() -> None:
    document = small_document()
    del document["pages"][1]["items"][1]["options"][1]["text"]["en"]
    assert problems_of(document) == [
        "pages[1].items[1] (GRID).options[1].text.en: missing translation "
        "(en is not a draft language)"
    ]


def test_a_missing_draft_translation_falls_back_to_swedish() -> None:
    document = small_document()
    document["draft_languages"] = ["en"]
    del document["pages"][0]["items"][0]["text"]["en"]
    question = load_questionnaire(document).pages[0].items[0]
    assert translate(question.text, "en") == "Fråga"
    assert translate(question.options[0].text, "en") == "Svar 1 (en)"


def test_a_missing_swedish_master_text_is_an_error_even_for_drafts() -> None:
    document = small_document()
    document["draft_languages"] = ["en"]
    del document["pages"][0]["items"][0]["text"]["sv"]
    assert problems_of(document) == ["pages[0].items[0] (Q1).text.sv: missing master-language text"]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(
            lambda d: d["pages"][0]["items"][0].update(colour="red"),
            "pages[0].items[0] (Q1).colour: unknown key",
            id="unknown key",
        ),
        pytest.param(
            lambda d: d["pages"][1]["items"][1]["statements"][1].update(code="Q1"),
            "pages[1].items[1] (GRID).statements[1] (Q1).code: duplicate code Q1 "
            "(first used at pages[0].items[0] (Q1))",
            id="duplicate code across pages",
        ),
        pytest.param(
            lambda d: d["pages"][0]["items"][0].update(code="q1"),
            "pages[0].items[0] (q1).code: invalid code 'q1'",
            id="lower-case code",
        ),
        pytest.param(
            lambda d: d["pages"][0]["items"][0]["options"][1].update(code="1"),
            "pages[0].items[0] (Q1).options[1].code: duplicate option code '1'",
            id="duplicate option code",
        ),
        pytest.param(
            lambda d: d["pages"][0]["items"][0]["options"][1].update(code="två svar"),
            "pages[0].items[0] (Q1).options[1].code: invalid option code 'två svar'",
            id="option code with a space",
        ),
        pytest.param(
            lambda d: d["pages"][0]["items"][0].update(required="yes"),
            "pages[0].items[0] (Q1).required: expected true or false, got a string",
            id="required is not a boolean",
        ),
        pytest.param(
            lambda d: d["pages"][0]["items"][2].update(min=30),
            "pages[0].items[2] (AGE).max: max (20) is less than min (30)",
            id="min above max",
        ),
        pytest.param(
            lambda d: d["pages"][0]["items"][0]["options"][0].update(exclusive=True),
            "pages[0].items[0] (Q1).options[0].exclusive: only multiple-choice options",
            id="exclusive single option",
        ),
        pytest.param(
            lambda d: d["pages"][0]["items"][0].update(type="text"),
            "pages[0].items[0] (Q1).type: unknown type 'text'",
            id="free text type",
        ),
        pytest.param(
            lambda d: d["pages"][0]["items"][0].update(show_if={"question": "FOLLOW", "in": ["1"]}),
            "pages[0].items[0] (Q1).show_if.question: refers to FOLLOW, which does not come "
            "before this item",
            id="show_if on a later question",
        ),
        pytest.param(
            lambda d: d["pages"][1]["items"][1]["show_if"]["any_of"][0].update(**{"in": ["7"]}),
            "pages[1].items[1] (GRID).show_if.any_of[0].in[0]: '7' is not an option of PLACES",
            id="show_if on an unknown option",
        ),
        pytest.param(
            lambda d: d["pages"][1]["items"][0].update(show_if={"question": "AGE", "in": ["1"]}),
            "pages[1].items[0] (FOLLOW).show_if.question: AGE is a number item",
            id="show_if on a number",
        ),
        pytest.param(
            lambda d: d["pages"][1]["items"][0].update(show_if={"question": "NOPE", "in": ["1"]}),
            "pages[1].items[0] (FOLLOW).show_if.question: refers to unknown question 'NOPE'",
            id="show_if on an unknown question",
        ),
        pytest.param(
            lambda d: d["pages"][1]["items"][2]["options"].pop(),
            "pages[1].items[2] (HOME).options: a district question's own options must be "
            "exactly ANNAN and EJSVAR",
            id="district without EJSVAR",
        ),
        pytest.param(
            lambda d: d["pages"][0]["title"].update(fi="Sivu 1"),
            "pages[0].title.fi: undeclared language",
            id="undeclared language",
        ),
        pytest.param(
            lambda d: d.update(version="1"),
            "version: expected an integer, got a string",
            id="version as a string",
        ),
        pytest.param(
            lambda d: d.update(languages=["en"]),
            "languages: must include the master language sv",
            id="no Swedish",
        ),
    ],
)
def test_an_invalid_document_is_rejected_with_a_precise_path(mutate: Any, expected: str) -> None:
    document = small_document()
    mutate(document)
    problems = problems_of(document)
    assert any(problem.startswith(expected) for problem in problems), problems


def test_every_problem_is_reported_not_just_the_first() -> None:
    document = small_document()
    document["pages"][0]["items"][0]["colour"] = "red"
    document["pages"][1]["title"] = "Sida 2"
    assert problems_of(document) == [
        "pages[0].items[0] (Q1).colour: unknown key (allowed here: code, hint, options, "
        "required, show_if, text, type)",
        "pages[1].title: expected a mapping language -> text, got a string",
    ]


def test_a_duplicated_yaml_key_is_an_error_instead_of_silently_winning() -> None:
    text = to_yaml(load_questionnaire(small_document())).replace(
        "  sv: Liten enkät\n", "  sv: Liten enkät\n  sv: Annan titel\n"
    )
    with pytest.raises(QuestionnaireError) as caught:
        parse_yaml(text)
    assert str(caught.value.problems[0]).startswith("title.sv: duplicate key (line")


def test_a_yaml_syntax_error_names_the_line() -> None:
    with pytest.raises(QuestionnaireError) as caught:
        parse_yaml("code: X\npages: [\n")
    assert caught.value.problems[0].path.startswith("line 3")


# --------------------------------------------------------------------------- show_if


def test_a_condition_on_a_single_choice_matches_the_listed_options() -> None:
    condition = Condition("Q1", ("1", "2"))
    assert condition_holds(condition, {"Q1": "2"})
    assert not condition_holds(condition, {"Q1": "3"})


def test_a_condition_on_multiple_choice_matches_when_any_selected_option_is_listed() -> None:
    condition = Condition("PLACES", ("1",))
    assert condition_holds(condition, {"PLACES": ["2", "1"]})
    assert not condition_holds(condition, {"PLACES": ["2"]})


def test_a_skipped_question_satisfies_no_condition() -> None:
    assert not condition_holds(Condition("Q1", ("1",)), {})


def test_any_of_and_all_of_combine_conditions() -> None:
    one, two = Condition("A", ("1",)), Condition("B", ("1",))
    answers = {"A": "1", "B": "2"}
    assert condition_holds(AnyOf((one, two)), answers)
    assert not condition_holds(AllOf((one, two)), answers)


def test_visible_items_hide_questions_whose_condition_is_not_met(small: Questionnaire) -> None:
    codes = [item.code for item in visible_items(small, 1, {"Q1": "2"})]
    assert codes == ["GRID", "HOME", "NOTE"]
    codes = [item.code for item in visible_items(small, 1, {"Q1": "1"})]
    assert codes == ["FOLLOW", "HOME", "NOTE"]


def test_show_if_is_stored_in_canonical_form(small: Questionnaire) -> None:
    document = small_document()
    document["pages"][1]["items"][0]["show_if"] = {
        "any_of": [{"all_of": [{"question": "Q1", "in": ["1"]}]}, {"question": "Q1", "in": [2]}]
    }
    follow = load_questionnaire(document).pages[1].items[0]
    assert follow.show_if == Condition("Q1", ("1", "2"))


def test_pruning_drops_answers_to_questions_that_became_hidden(small: Questionnaire) -> None:
    answers = {"Q1": "2", "FOLLOW": "1", "HOME": "ANNAN"}
    assert prune_hidden_answers(small, answers) == {"Q1": "2", "HOME": "ANNAN"}


# --------------------------------------------------------------------------- answers


def test_valid_answers_are_cleaned_into_codes_lists_and_numbers(small: Questionnaire) -> None:
    raw = {"Q1": ["1"], "PLACES": ["2", "1"], "AGE": [" 14 "], "csrfmiddlewaretoken": ["x"]}
    answers, errors = clean_page_answers(small, 0, raw, district_codes=["SKI"])
    assert errors == {}
    assert answers == {"Q1": "1", "PLACES": ["1", "2"], "AGE": 14}


def test_a_skipped_question_has_no_key(small: Questionnaire) -> None:
    answers, errors = clean_page_answers(small, 0, {"Q1": [""], "PLACES": []}, district_codes=[])
    assert answers == {}
    assert errors == {}


def test_an_unknown_option_is_an_error_not_silently_dropped(small: Questionnaire) -> None:
    answers, errors = clean_page_answers(small, 0, {"Q1": ["7"], "PLACES": ["1", "8"]}, [])
    assert answers == {}
    assert errors == {"Q1": "unknown_option", "PLACES": "unknown_option"}


def test_a_tampered_extra_field_is_an_error(small: Questionnaire) -> None:
    raw = {"Q1": ["1"], "TRY99": ["1"], "FOLLOW": ["1"]}  # FOLLOW is on another page
    answers, errors = clean_page_answers(small, 0, raw, [])
    assert answers == {"Q1": "1"}
    assert errors == {"TRY99": "unknown_field", "FOLLOW": "unknown_field"}


def test_two_values_for_a_single_choice_is_an_error(small: Questionnaire) -> None:
    _, errors = clean_page_answers(small, 0, {"Q1": ["1", "2"]}, [])
    assert errors == {"Q1": "too_many_values"}


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("9", "out_of_range"),
        ("21", "out_of_range"),
        ("abc", "not_a_number"),
        ("1.5", "not_a_number"),
    ],
)
def test_a_bad_number_is_an_error(small: Questionnaire, value: str, error: str) -> None:
    _, errors = clean_page_answers(small, 0, {"AGE": [value]}, [])
    assert errors == {"AGE": error}


def test_an_exclusive_option_cannot_be_combined_with_others(small: Questionnaire) -> None:
    answers, errors = clean_page_answers(small, 0, {"PLACES": ["1", "9"]}, [])
    assert answers == {}
    assert errors == {"PLACES": "exclusive_conflict"}


def test_the_exclusive_option_alone_is_a_valid_answer(small: Questionnaire) -> None:
    answers, errors = clean_page_answers(small, 0, {"PLACES": ["9"]}, [])
    assert (answers, errors) == ({"PLACES": ["9"]}, {})


def test_a_district_answer_is_a_run_time_district_or_a_fixed_option(small: Questionnaire) -> None:
    previous = {"Q1": "1"}
    for value in ("SKI", "ANNAN", "EJSVAR"):
        answers, errors = clean_page_answers(small, 1, {"HOME": [value]}, ["SKI"], previous)
        assert (answers, errors) == ({"HOME": value}, {})
    _, errors = clean_page_answers(small, 1, {"HOME": ["ARB"]}, ["SKI"], previous)
    assert errors == {"HOME": "unknown_option"}


def test_a_required_question_left_empty_is_an_error(small: Questionnaire) -> None:
    _, errors = clean_page_answers(small, 1, {}, ["SKI"], {"Q1": "1"})
    assert errors == {"HOME": "required"}


def test_matrix_statements_are_answered_under_their_own_codes(small: Questionnaire) -> None:
    raw = {"G1": ["3"], "G2": ["4"], "HOME": ["SKI"]}
    answers, errors = clean_page_answers(small, 1, raw, ["SKI"], {"Q1": "2"})
    assert answers == {"G1": "3", "HOME": "SKI"}
    assert errors == {"G2": "unknown_option"}


def test_answers_to_hidden_questions_are_dropped(small: Questionnaire) -> None:
    raw = {"FOLLOW": ["1"], "G1": ["1"], "HOME": ["SKI"]}
    answers, errors = clean_page_answers(small, 1, raw, ["SKI"], previous={"Q1": "2"})
    assert answers == {"G1": "1", "HOME": "SKI"}
    assert errors == {}


# --------------------------------------------------------------------------- round trips


def test_the_default_questionnaire_survives_a_yaml_round_trip(default: Questionnaire) -> None:
    assert parse_yaml(to_yaml(default)) == default
    assert load_questionnaire(dump_questionnaire(default)) == default


def test_the_default_questionnaire_survives_an_xlsform_round_trip(default: Questionnaire) -> None:
    assert from_xlsform(to_xlsform(default)) == default


def test_the_xlsform_uses_the_standard_types(small: Questionnaire) -> None:
    rows = survey_rows(to_xlsform(small))
    types = {row["name"]: row["type"] for row in rows if row["name"]}
    assert types["Q1"] == "select_one q1"
    assert types["PLACES"] == "select_multiple places"
    assert types["AGE"] == "integer"
    assert types["NOTE"] == "note"
    assert types["HOME"] == "select_one home"  # marked by our trygghet_type column
    assert next(r for r in rows if r["name"] == "HOME")["trygghet_type"] == "district"
    assert types["GRID"] == "begin group"
    assert types["G1"] == types["G2"] == "select_one grid"
    by_name = {row["name"]: row for row in rows if row["name"]}
    assert by_name["GRID"]["appearance"] == "table-list"
    assert (
        by_name["GRID"]["relevant"]
        == "selected(${PLACES}, '1') or selected(${PLACES}, '2') or ${Q1} = '2'"
    )
    assert by_name["AGE"]["constraint"] == ". >= 10 and . <= 20"


def survey_rows(workbook: bytes) -> list[dict[str, Any]]:
    sheet = load_workbook(io.BytesIO(workbook))["survey"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = [str(column) for column in values[0]]
    return [dict(zip(header, row, strict=True)) for row in values[1:]]


def with_survey_cell(workbook: bytes, name: str, column: str, value: str) -> bytes:
    book = load_workbook(io.BytesIO(workbook))
    sheet = book["survey"]
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("name")].value == name:
            row[header.index(column)].value = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_bad_relevant_expression_gives_a_precise_error(small: Questionnaire) -> None:
    workbook = with_survey_cell(to_xlsform(small), "FOLLOW", "relevant", "${Q1} != '1'")
    with pytest.raises(QuestionnaireError) as caught:
        from_xlsform(workbook)
    assert [str(problem) for problem in caught.value.problems] == [
        "survey[8] (FOLLOW).relevant: unsupported comparison '!=' (only = is supported) "
        "at character 7 of \"${Q1} != '1'\""
    ]


def test_an_unclosed_parenthesis_in_relevant_is_reported(small: Questionnaire) -> None:
    workbook = with_survey_cell(to_xlsform(small), "FOLLOW", "relevant", "(${Q1} = '1'")
    with pytest.raises(QuestionnaireError) as caught:
        from_xlsform(workbook)
    assert str(caught.value.problems[0]).startswith(
        "survey[8] (FOLLOW).relevant: expected ')', found end of expression at character 13"
    )


def test_equality_on_a_multiple_choice_question_is_rejected_in_favour_of_selected(
    small: Questionnaire,
) -> None:
    workbook = with_survey_cell(to_xlsform(small), "FOLLOW", "relevant", "${PLACES} = '1'")
    with pytest.raises(QuestionnaireError) as caught:
        from_xlsform(workbook)
    assert "use selected(${PLACES}, 'x')" in str(caught.value)


def test_a_document_problem_in_an_xlsform_names_the_row(small: Questionnaire) -> None:
    workbook = with_survey_cell(to_xlsform(small), "FOLLOW", "relevant", "${Q1} = '5'")
    with pytest.raises(QuestionnaireError) as caught:
        from_xlsform(workbook)
    assert [str(problem) for problem in caught.value.problems] == [
        "pages[1].items[0] (FOLLOW).show_if.in[0] at survey[8] (FOLLOW): "
        "'5' is not an option of Q1 (options: 1, 2)"
    ]


def test_free_text_questions_are_not_supported_in_an_xlsform(small: Questionnaire) -> None:
    workbook = with_survey_cell(to_xlsform(small), "Q1", "type", "text")
    with pytest.raises(QuestionnaireError) as caught:
        from_xlsform(workbook)
    assert "free-text questions are not supported" in str(caught.value)


# --------------------------------------------------------------------------- properties

WORDS = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), min_size=1, max_size=12
).filter(lambda text: text.strip() != "")
OPTION_CODES = st.lists(
    st.from_regex(r"[A-Za-z0-9_]{1,4}", fullmatch=True), min_size=2, max_size=4, unique=True
)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """Small valid documents of every item type, with show_if on earlier choice questions."""
    languages = draw(st.sampled_from([["sv"], ["sv", "en"], ["sv", "en", "ar"]]))
    drafts = draw(st.sampled_from([[], languages[1:]]))

    def text() -> dict[str, str]:
        return {
            language: draw(WORDS)
            for language in languages
            if language not in drafts or draw(st.booleans())
        }

    codes = (f"Q{number}" for number in itertools.count())
    targets: list[tuple[str, list[str]]] = []  # earlier choice fields and their options

    def condition(depth: int) -> dict[str, Any]:
        if depth > 0 and draw(st.booleans()):
            key = draw(st.sampled_from(["any_of", "all_of"]))
            return {key: [condition(depth - 1) for _ in range(draw(st.integers(1, 3)))]}
        code, codes_of_target = draw(st.sampled_from(targets))
        values = draw(st.lists(st.sampled_from(codes_of_target), min_size=1, unique=True))
        return {"question": code, "in": values}

    def item() -> dict[str, Any]:
        kind = draw(st.sampled_from(QUESTION_TYPES))
        result: dict[str, Any] = {"code": next(codes), "type": kind, "text": text()}
        if kind != "info" and draw(st.booleans()):
            result["hint"] = text()
        if kind != "info" and draw(st.booleans()):
            result["required"] = True
        if len(targets) > 0 and draw(st.booleans()):
            result["show_if"] = condition(depth=2)
        if kind in ("single", "multiple", "matrix"):
            option_codes = draw(OPTION_CODES)
            exclusive = draw(st.sampled_from([None, *option_codes])) if kind == "multiple" else None
            result["options"] = [
                {"code": code, "text": text(), **({"exclusive": True} if code == exclusive else {})}
                for code in option_codes
            ]
        if kind == "district":
            result["options"] = [{"code": code, "text": text()} for code in DISTRICT_FIXED_OPTIONS]
        if kind == "number":
            low = draw(st.integers(-5, 5))
            result.update(min=low, max=low + draw(st.integers(0, 50)))
        if kind == "matrix":
            result["statements"] = [
                {"code": next(codes), "text": text()} for _ in range(draw(st.integers(1, 3)))
            ]
            targets.extend((s["code"], option_codes) for s in result["statements"])
        elif kind in ("single", "multiple"):
            targets.append((result["code"], option_codes))
        return result

    pages = [
        {
            "code": f"P{number}",
            "title": text(),
            **({"intro": text()} if draw(st.booleans()) else {}),
            **({"help_after": True} if draw(st.booleans()) else {}),
            "items": [item() for _ in range(draw(st.integers(1, 4)))],
        }
        for number in range(draw(st.integers(1, 3)))
    ]
    return {
        "code": "GEN",
        "version": draw(st.integers(1, 100)),
        "languages": languages,
        "draft_languages": drafts,
        "title": text(),
        "pages": pages,
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_generated_questionnaires_survive_yaml_round_trips(document: dict[str, Any]) -> None:
    questionnaire = load_questionnaire(copy.deepcopy(document))
    assert load_questionnaire(dump_questionnaire(questionnaire)) == questionnaire
    assert parse_yaml(to_yaml(questionnaire)) == questionnaire


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_generated_questionnaires_survive_xlsform_round_trips(document: dict[str, Any]) -> None:
    questionnaire = load_questionnaire(document)
    assert from_xlsform(to_xlsform(questionnaire)) == questionnaire


def allowed_values(item: Question, districts: list[str]) -> set[str]:
    return set(item.option_codes) | (set(districts) if item.type == "district" else set())


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, 1),
    st.dictionaries(
        st.sampled_from(["Q1", "PLACES", "AGE", "FOLLOW", "G1", "G2", "HOME", "X1"]),
        st.lists(st.sampled_from(["", "1", "2", "3", "9", "12", "SKI", "ANNAN", "x"]), max_size=3),
    ),
)
def test_cleaned_answers_only_ever_contain_options_of_their_question(
    page_index: int, raw: dict[str, list[str]]
) -> None:
    questionnaire = load_questionnaire(small_document())
    answers, errors = clean_page_answers(questionnaire, page_index, raw, ["SKI"], {"Q1": "1"})
    assert not set(answers) & set(errors)
    for item in questionnaire.pages[page_index].items:
        fields = item.field_codes
        for code in fields:
            if code not in answers:
                continue
            answer = answers[code]
            if item.type == "number":
                assert isinstance(answer, int)
                assert item.min_value is not None and item.max_value is not None
                assert item.min_value <= answer <= item.max_value
            elif item.type == "multiple":
                assert isinstance(answer, list)
                assert set(answer) <= allowed_values(item, ["SKI"])
            else:
                assert answer in allowed_values(item, ["SKI"])
