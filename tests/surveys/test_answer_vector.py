"""The answer vector's layout and coding (`surveys.answer_vector`), without a database,
and the pupil's submit storing it beside the JSON answers."""

import uuid
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from surveys import answer_vector as av
from surveys import questionnaire as qn
from surveys.entry import code_enter
from surveys.models import AnswerSheet, Wave
from surveys.selectors import sheets_disagreeing
from surveys.services import codes_issue, sheet_submit
from tests.surveys.factories import make_class, make_wave

DEFAULT = qn.load_yaml_file()
LAYOUT = av.layout(DEFAULT)
DEFAULT_V2 = qn.DEFAULT_QUESTIONNAIRE_PATH.with_name("default-v2.yaml")


def _at(answers: dict[str, Any], field: str) -> int:
    slot = LAYOUT.slot(field)
    assert slot is not None
    return av.encode(LAYOUT, answers)[slot.position - 1]


def test_the_layout_gives_every_answer_field_one_position_in_questionnaire_order() -> None:
    assert [slot.field for slot in LAYOUT.slots] == DEFAULT.field_codes()
    positions = [
        p for slot in LAYOUT.slots for p in range(slot.position, slot.position + slot.width)
    ]
    assert positions == list(range(1, LAYOUT.size + 1))


def test_the_layout_of_version_2_equals_version_1s() -> None:
    v2 = qn.load_yaml_file(DEFAULT_V2)
    assert av.layout(v2) == LAYOUT


def test_a_skipped_question_is_zero_and_an_option_its_place_from_one() -> None:
    assert _at({}, "TRY01") == av.NOT_ANSWERED
    assert _at({"TRY01": "1"}, "TRY01") == 1
    slot = LAYOUT.slot("TRY01")
    assert slot is not None
    assert _at({"TRY01": slot.options[-1]}, "TRY01") == len(slot.options)


@pytest.mark.parametrize("value", ["99", "", None, True, ["1"], 1.0, {"1": 1}])
def test_anything_but_an_option_code_is_minus_one(value: object) -> None:
    assert _at({"TRY01": value}, "TRY01") == av.NOT_AN_OPTION


def test_a_number_reads_as_the_option_code_it_spells() -> None:
    assert _at({"TRY01": 2}, "TRY01") == _at({"TRY01": "2"}, "TRY01")


def test_a_district_is_no_option_of_the_version_but_annan_and_ejsvar_are() -> None:
    slot = LAYOUT.slot("HEMOMR")
    assert slot is not None
    assert _at({"HEMOMR": "SKI"}, "HEMOMR") == av.NOT_AN_OPTION
    assert _at({"HEMOMR": "ANNAN"}, "HEMOMR") == slot.option_value("ANNAN")
    assert _at({"HEMOMR": "EJSVAR"}, "HEMOMR") == slot.option_value("EJSVAR")


def test_a_multiple_choice_is_a_bit_mask_of_the_known_string_options() -> None:
    slot = LAYOUT.slot("TRY07")
    assert slot is not None and slot.kind == "multiple"
    assert _at({"TRY07": ["1", "3"]}, "TRY07") == 0b101
    assert _at({"TRY07": "3"}, "TRY07") == 0b100  # one code string: a list of one
    assert _at({"TRY07": [3, "99", True, None, ["1"]]}, "TRY07") == 0
    assert _at({"TRY07": []}, "TRY07") == 0


def test_a_long_multiple_choice_spreads_over_positions_of_15_bits() -> None:
    options = tuple(str(i) for i in range(1, 21))
    slot = av.Slot("M", "multiple", options, position=4, width=2)
    assert slot.option_bit("1") == (4, 1)
    assert slot.option_bit("15") == (4, 1 << 14)
    assert slot.option_bit("16") == (5, 1)


def test_a_number_question_stores_the_number_plus_one() -> None:
    layout = av.Layout((av.Slot("ANTAL", "number", (), position=1, width=1),))
    assert av.encode(layout, {"ANTAL": 0}) == [1]
    assert av.encode(layout, {"ANTAL": 12}) == [13]
    assert av.encode(layout, {"ANTAL": -3}) == [av.NOT_AN_OPTION]
    assert av.encode(layout, {"ANTAL": 40_000}) == [av.NOT_AN_OPTION]
    assert av.encode(layout, {}) == [av.NOT_ANSWERED]


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=4),
    max_leaves=6,
)
_option_like = st.sampled_from(["1", "2", "3", "4", "5", "9", "ANNAN"])


@given(
    st.dictionaries(
        st.sampled_from(DEFAULT.field_codes()), _json_values | _option_like | st.lists(_option_like)
    )
)
def test_every_value_fits_a_smallint_and_the_vector_has_the_layouts_size(
    answers: dict[str, Any],
) -> None:
    vector = av.encode(LAYOUT, answers)
    assert len(vector) == LAYOUT.size
    assert all(-32_768 <= v <= 32_767 for v in vector)


@given(st.lists(st.integers(-32_768, 32_767), max_size=40))
def test_the_stored_form_takes_two_bytes_per_position_and_gives_the_vector_back(
    vector: list[int],
) -> None:
    packed = av.pack(vector)
    assert len(packed) == 2 * len(vector)
    assert av.unpack(packed) == vector


def test_the_stored_form_is_big_endian_twos_complement() -> None:
    assert av.pack([1, -1, 0b101, 256]) == bytes.fromhex("0001ffff00050100")
    with pytest.raises(ValueError, match="even number"):
        av.unpack(b"\x00\x01\x02")


@pytest.mark.django_db
def test_a_submitted_sheet_stores_the_vector_of_its_answers() -> None:
    wave = make_wave()
    [code] = codes_issue(wave=wave, school_class=make_class(grade=8), count=1)
    entry = code_enter(typed=code, language="sv")
    assert entry.code_id and entry.draft
    answers: dict[str, Any] = {"KON": "1", "HEMOMR": "ANNAN", "TRY01": "2", "TRY07": ["1", "3"]}
    result = sheet_submit(
        code_id=entry.code_id,
        submission_id=entry.draft.submission_id,
        answers=answers,
        language="sv",
    )
    assert result.status == "stored"
    sheet = AnswerSheet.objects.get()
    assert sheet.answer_vector == av.encode(LAYOUT, answers)
    assert _at(answers, "TRY07") == 0b101
    assert sheets_disagreeing() == []


def _one_sheet_submitted(answers: dict[str, Any]) -> Wave:
    """A wave with one sheet, stored by a pupil's code through the submit service."""
    wave = make_wave()
    [code] = codes_issue(wave=wave, school_class=make_class(grade=8), count=1)
    entry = code_enter(typed=code, language="sv")
    assert entry.code_id and entry.draft
    sheet_submit(
        code_id=entry.code_id,
        submission_id=entry.draft.submission_id,
        answers=answers,
        language="sv",
    )
    return wave


@pytest.mark.django_db
def test_the_check_finds_a_sheet_whose_vector_was_changed_behind_the_service() -> None:
    wave = _one_sheet_submitted({"TRY01": "2"})
    AnswerSheet.objects.update(answers={"TRY01": "3"})  # the JSON alone, bypassing the service
    assert sheets_disagreeing(wave_id=wave.pk) == [AnswerSheet.objects.get().pk]


@pytest.mark.django_db
@pytest.mark.parametrize("stored", [b"", b"\x00", "one position short", "one byte more"])
def test_the_check_finds_a_stored_vector_of_the_wrong_length(stored: bytes | str) -> None:
    """Compared byte for byte: a vector cut short or grown is found, even where the
    integers it holds are a prefix of the right ones (or it holds no whole integer)."""
    wave = _one_sheet_submitted({"TRY01": "2"})
    right = av.pack(av.encode(LAYOUT, {"TRY01": "2"}))
    wrong = {"one position short": right[:-2], "one byte more": right + b"\x00"}.get(
        str(stored), stored
    )
    AnswerSheet.objects.update(answer_vector=wrong)  # bytes pass through unchanged
    # (The pk alone: an odd number of bytes is no vector, and loading the sheet says so.)
    assert sheets_disagreeing(wave_id=wave.pk) == [
        AnswerSheet.objects.values_list("pk", flat=True).get()
    ]


@pytest.mark.django_db
def test_a_writer_that_leaves_the_vector_out_fails() -> None:
    wave = make_wave()
    school_class = make_class(grade=8)
    with pytest.raises(IntegrityError), transaction.atomic():
        AnswerSheet.objects.create(
            submission_id=uuid.uuid4(),
            wave=wave,
            questionnaire_id=wave.questionnaire_id,
            school=school_class.school,
            school_district_id=school_class.school.district_id,
            grade=8,
            language="sv",
            submitted_on=wave.opens_at.date(),
            answers={"TRY01": "2"},
            answers_digest="x",
        )
