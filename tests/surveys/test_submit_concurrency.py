"""Concurrent submits on the real PostgreSQL: row locks, not luck, keep sheets single."""

import threading
import uuid
from collections.abc import Callable

import pytest
from django.db import connection

from surveys.entry import code_enter
from surveys.models import AnswerSheet
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
