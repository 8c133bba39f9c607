"""Concurrent submits on the real PostgreSQL: row locks, not luck, keep sheets single."""

import threading
import uuid
from collections.abc import Callable
from unittest import mock

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone

from surveys import services
from surveys.entry import code_enter
from surveys.models import AccessCode, AnswerSheet, PupilSession, SheetDraft
from surveys.services import SubmitResult, codes_issue, sheet_submit
from tests.surveys.factories import make_class, make_wave

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _concurrently(calls: int, submit: Callable[[], SubmitResult]) -> list[str]:
    results: list[str] = []
    barrier = threading.Barrier(calls)

    def run() -> None:
        barrier.wait()
        try:
            results.append(submit().status)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_a_double_click_stores_one_sheet_and_both_see_the_thank_you() -> None:
    [code] = codes_issue(wave=make_wave(), school_class=make_class(), count=1)
    entry = code_enter(typed=code, language="sv")
    assert entry.code_id and entry.draft
    code_id, sid = entry.code_id, entry.draft.submission_id
    results = _concurrently(
        4,
        lambda: sheet_submit(
            code_id=code_id, submission_id=sid, answers={"TRY01": "1"}, language="sv"
        ),
    )
    assert sorted(results) == ["duplicate", "duplicate", "duplicate", "stored"]
    assert AnswerSheet.objects.count() == 1


def test_one_code_cannot_take_two_sheets_even_at_the_same_moment() -> None:
    [code] = codes_issue(wave=make_wave(), school_class=make_class(), count=1)
    entry = code_enter(typed=code, language="sv")
    assert entry.code_id
    code_id = entry.code_id
    results = _concurrently(
        4,
        lambda: sheet_submit(
            code_id=code_id, submission_id=uuid.uuid4(), answers={}, language="sv"
        ),
    )
    assert sorted(results) == ["spent", "spent", "spent", "stored"]
    assert AnswerSheet.objects.count() == 1


def test_a_session_row_that_still_points_at_the_draft_rolls_the_submit_back() -> None:
    """A session row pointing at the draft when the submit commits (another device entered
    the same code meanwhile) fails the foreign key: nothing of the submit is kept (the
    draft and its answers still there, the code not answered), and the pupil can try again."""
    [code] = codes_issue(wave=make_wave(), school_class=make_class(), count=1)
    entry = code_enter(typed=code, language="sv")
    assert entry.code_id and entry.draft
    draft = entry.draft
    accept = services.wave_sheets_accept

    def another_device_arrives_then_accept(*, wave_id: int) -> None:
        PupilSession.objects.create(token="another-device", draft=draft, last_seen=timezone.now())
        accept(wave_id=wave_id)

    with (
        mock.patch.object(services, "wave_sheets_accept", another_device_arrives_then_accept),
        pytest.raises(IntegrityError),
    ):
        sheet_submit(
            code_id=draft.code_id, submission_id=draft.submission_id, answers={}, language="sv"
        )
    assert not AnswerSheet.objects.exists()
    assert not AccessCode.objects.answered().exists()
    assert SheetDraft.objects.filter(pk=draft.code_id).exists()
    PupilSession.objects.filter(token="another-device").delete()
    retried = sheet_submit(
        code_id=draft.code_id, submission_id=draft.submission_id, answers={}, language="sv"
    )
    assert retried.status == "stored"
