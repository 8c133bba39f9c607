"""The whole-sheet check at final submit (pure, no database)."""

from surveys import questionnaire as qn

DOCUMENT = """
code: CHECK
version: 1
languages: [sv]
title: {sv: Kontroll}
pages:
  - code: P1
    title: {sv: Ett}
    items:
      - code: Q1
        type: single
        required: true
        text: {sv: Fråga ett}
        options: [{code: "1", text: {sv: Ja}}, {code: "2", text: {sv: Nej}}]
      - code: Q2
        type: single
        text: {sv: Följdfråga}
        show_if: {question: Q1, in: ["1"]}
        options: [{code: "1", text: {sv: Ja}}, {code: "2", text: {sv: Nej}}]
  - code: P2
    title: {sv: Två}
    items:
      - code: NUM
        type: number
        min: 0
        max: 30
        text: {sv: Antal}
      - code: MANY
        type: multiple
        text: {sv: Flera}
        options:
          - {code: "1", text: {sv: A}}
          - {code: "2", text: {sv: B}}
          - {code: "9", text: {sv: Ingen}, exclusive: true}
      - code: HEM
        type: district
        text: {sv: Område}
        options: [{code: ANNAN, text: {sv: Annan}}, {code: EJSVAR, text: {sv: Vill inte}}]
"""
CHECK = qn.parse_yaml(DOCUMENT)


def test_a_complete_sheet_passes_unchanged() -> None:
    answers: dict[str, qn.Answer] = {
        "Q1": "1",
        "Q2": "2",
        "NUM": 3,
        "MANY": ["1", "2"],
        "HEM": "D1",
    }
    assert qn.clean_sheet(CHECK, answers, ["D1"]) == (answers, {})


def test_a_missing_required_answer_is_an_error() -> None:
    assert qn.clean_sheet(CHECK, {"NUM": 3}, [])[1] == {"Q1": qn.FieldError.REQUIRED}


def test_an_answer_to_a_hidden_question_is_dropped() -> None:
    cleaned, errors = qn.clean_sheet(CHECK, {"Q1": "2", "Q2": "1"}, [])
    assert (cleaned, errors) == ({"Q1": "2"}, {})


def test_options_ranges_and_exclusive_options_are_checked_again() -> None:
    answers: dict[str, qn.Answer] = {"Q1": "7", "NUM": 31, "MANY": ["1", "9"], "HEM": "GONE"}
    assert qn.clean_sheet(CHECK, answers, ["D1"])[1] == {
        "Q1": qn.FieldError.UNKNOWN_OPTION,
        "NUM": qn.FieldError.OUT_OF_RANGE,
        "MANY": qn.FieldError.EXCLUSIVE_CONFLICT,
        "HEM": qn.FieldError.UNKNOWN_OPTION,
    }


def test_fields_the_version_does_not_have_are_dropped() -> None:
    assert qn.clean_sheet(CHECK, {"Q1": "1", "OLD": "1"}, []) == ({"Q1": "1"}, {})
