import json
import logging
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from surveys.entry import code_enter
from surveys.models import AccessCode, AnswerSheet, SheetDraft, Wave
from surveys.services import codes_issue, sheet_submit
from tests.surveys.factories import make_class, make_wave

pytestmark = pytest.mark.django_db

ANSWERS = {"KON": "1", "HEMOMR": "ANNAN", "TRY01": "2", "TRY07": ["1", "3"]}


def _started() -> tuple[uuid.UUID, uuid.UUID]:
    wave = make_wave()
    [code] = codes_issue(wave=wave, school_class=make_class(grade=8), count=1)
    entry = code_enter(typed=code, language="sv")
    assert entry.code_id and entry.draft
    return entry.code_id, entry.draft.submission_id


def test_submit_stores_one_sheet_and_the_code_counts_as_answered() -> None:
    code_id, sid = _started()
    assert AccessCode.objects.get(id=code_id).spent  # spent at its first entry
    assert not AccessCode.objects.answered().exists()
    result = sheet_submit(code_id=code_id, submission_id=sid, answers=ANSWERS, language="sv")
    assert result.status == "stored"
    assert AnswerSheet.objects.count() == 1
    assert list(AccessCode.objects.answered().values_list("id", flat=True)) == [code_id]


def test_the_sheet_takes_grade_from_the_class_and_gender_from_kon() -> None:
    code_id, sid = _started()
    sheet_submit(code_id=code_id, submission_id=sid, answers=ANSWERS, language="sv")
    sheet = AnswerSheet.objects.get()
    assert (sheet.grade, sheet.gender, sheet.home_answer) == (8, "1", "ANNAN")
    assert sheet.home_district is None
    assert sheet.submitted_on == timezone.localdate()


def test_the_home_district_comes_from_hemomr() -> None:
    code_id, sid = _started()
    code = AccessCode.objects.select_related("school_class__school__district").get(id=code_id)
    district = code.school_class.school.district
    answers = {**ANSWERS, "HEMOMR": district.code}
    sheet_submit(code_id=code_id, submission_id=sid, answers=answers, language="sv")
    assert AnswerSheet.objects.get().home_district == district


def test_a_retried_submit_returns_duplicate_and_stores_nothing_twice() -> None:
    code_id, sid = _started()
    sheet_submit(code_id=code_id, submission_id=sid, answers=ANSWERS, language="sv")
    again = sheet_submit(code_id=code_id, submission_id=sid, answers=ANSWERS, language="sv")
    assert again.status == "duplicate"
    assert AnswerSheet.objects.count() == 1


def test_the_same_submission_id_with_other_answers_is_refused_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    code_id, sid = _started()
    sheet_submit(code_id=code_id, submission_id=sid, answers=ANSWERS, language="sv")
    with caplog.at_level(logging.WARNING, logger="surveys.services"):
        other = sheet_submit(
            code_id=code_id, submission_id=sid, answers={"TRY01": "4"}, language="sv"
        )
    assert other.status == "conflict"
    sheet = AnswerSheet.objects.get()
    assert sheet.answers == ANSWERS
    assert "submission id" in caplog.text
    # The log line has a time of day; nothing in it may name the sheet.
    for value in (sheet.id, sheet.submission_id):
        assert str(value) not in caplog.text and value.hex not in caplog.text


def test_a_spent_code_cannot_store_a_second_sheet() -> None:
    code_id, sid = _started()
    sheet_submit(code_id=code_id, submission_id=sid, answers=ANSWERS, language="sv")
    other = sheet_submit(
        code_id=code_id, submission_id=uuid.uuid4(), answers=ANSWERS, language="sv"
    )
    assert other.status == "spent"
    assert AnswerSheet.objects.count() == 1


def test_a_closed_wave_accepts_no_sheet() -> None:
    code_id, sid = _started()
    Wave.objects.update(closes_at=timezone.now(), opens_at=timezone.now() - timedelta(days=1))
    result = sheet_submit(code_id=code_id, submission_id=sid, answers=ANSWERS, language="sv")
    assert result.status == "closed"
    assert not AnswerSheet.objects.exists()
    assert not AccessCode.objects.answered().exists()
    assert SheetDraft.objects.filter(code_id=code_id).exists()


def test_a_published_wave_accepts_no_sheet_even_within_its_dates() -> None:
    # The dates alone would let it through: the guard that ends the transaction reads
    # the wave row again and refuses, rolling back the sheet and the draft's deletion.
    code_id, sid = _started()
    Wave.objects.update(published_at=timezone.now())
    result = sheet_submit(code_id=code_id, submission_id=sid, answers=ANSWERS, language="sv")
    assert result.status == "closed"
    assert not AnswerSheet.objects.exists()
    assert not AccessCode.objects.answered().exists()
    assert SheetDraft.objects.filter(code_id=code_id).exists()  # the pupil's answers stay


def test_submit_deletes_the_draft_keyed_to_the_code() -> None:
    code_id, sid = _started()
    sheet_submit(code_id=code_id, submission_id=sid, answers=ANSWERS, language="sv")
    assert not SheetDraft.objects.exists()


def test_submit_marks_the_waves_indicators_dirty() -> None:
    code_id, sid = _started()
    assert Wave.objects.get().indicators_dirty_at is None
    sheet_submit(code_id=code_id, submission_id=sid, answers=ANSWERS, language="sv")
    assert Wave.objects.get().indicators_dirty_at is not None


def test_a_sheet_has_no_field_that_could_link_it_to_a_code_or_a_device() -> None:
    names = {field.name for field in AnswerSheet._meta.get_fields()}
    forbidden = {"code", "access_code", "ip", "ip_address", "user_agent", "session", "created_at"}
    assert not names & forbidden
    assert not any(f.get_internal_type() == "DateTimeField" for f in AnswerSheet._meta.fields)


def test_a_stored_sheet_cannot_be_joined_to_its_draft_by_the_submission_id() -> None:
    """A backup taken while the pupil answered holds the draft: its code and its
    submission id. The sheet stored later must not carry that id, nor anything computable
    from it without the server's key."""
    import hashlib

    code_id, sid = _started()
    sheet_submit(code_id=code_id, submission_id=sid, answers=ANSWERS, language="sv")
    sheet = AnswerSheet.objects.get()
    known = {sid, uuid.UUID(bytes=hashlib.sha256(sid.bytes).digest()[:16])}
    assert sheet.submission_id not in known
    assert str(sid) not in json.dumps(sheet.answers)
    # A retry of the same submit still finds it (duplicate), and stores nothing twice.
    again = sheet_submit(code_id=code_id, submission_id=sid, answers=ANSWERS, language="sv")
    assert again.status == "duplicate"
    assert AnswerSheet.objects.count() == 1
