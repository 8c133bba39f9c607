"""Pupil session tokens: idle ones and the markers of submitted drafts are purged."""

from datetime import timedelta
from unittest import mock

import pytest
from django.test import override_settings
from django.utils import timezone

from surveys import entry
from surveys.entry import code_enter
from surveys.models import AccessCode, PupilSession, SheetDraft, Wave
from surveys.pupil_sessions import pupil_session_open, pupil_session_touch
from surveys.services import codes_issue, draft_page_save, sheet_submit, survey_housekeeping
from tests.surveys.factories import make_class, make_wave

pytestmark = pytest.mark.django_db


def _draft() -> SheetDraft:
    [code] = codes_issue(wave=make_wave(), school_class=make_class(), count=1)
    entry = code_enter(typed=code, language="sv")
    assert entry.draft
    PupilSession.objects.filter(token=entry.token).delete()  # each test opens its own
    return entry.draft


@override_settings(PUPIL_IDLE_TIMEOUT=60)
def test_housekeeping_deletes_idle_tokens_and_keeps_the_draft() -> None:
    draft = _draft()
    idle, fresh = pupil_session_open(draft=draft), pupil_session_open(draft=draft)
    PupilSession.objects.filter(token=idle).update(last_seen=timezone.now() - timedelta(hours=1))
    survey_housekeeping()
    assert list(PupilSession.objects.values_list("token", flat=True)) == [fresh]
    assert SheetDraft.objects.filter(pk=draft.pk).exists()


def test_submitting_detaches_every_token_of_the_draft() -> None:
    draft = _draft()
    tokens = [pupil_session_open(draft=draft) for _ in range(2)]
    sheet_submit(
        code_id=draft.code_id, submission_id=draft.submission_id, answers={}, language="sv"
    )
    assert not PupilSession.objects.filter(draft__isnull=False).exists()
    assert not PupilSession.objects.filter(submitted=False).exists()
    assert [pupil_session_touch(token=t).status for t in tokens] == ["submitted"] * 2


def test_a_submitted_marker_holds_no_time_of_day_and_goes_at_the_next_purge() -> None:
    """The rows written in the submit's transaction (PostgreSQL gives them the sheet's
    transaction id) must not carry the time the sheet was stored."""
    draft = _draft()
    pupil_session_open(draft=draft)
    sheet_submit(
        code_id=draft.code_id, submission_id=draft.submission_id, answers={}, language="sv"
    )
    seen = set(PupilSession.objects.values_list("last_seen", flat=True))
    assert len(seen) == 1
    assert seen.pop() < timezone.now() - timedelta(days=365)
    survey_housekeeping()
    assert not PupilSession.objects.exists()


@override_settings(PUPIL_IDLE_TIMEOUT=60)
def test_an_idle_token_is_deleted_when_it_is_next_used() -> None:
    token = pupil_session_open(draft=_draft())
    PupilSession.objects.update(last_seen=timezone.now() - timedelta(minutes=2))
    assert pupil_session_touch(token=token).status == "expired"
    assert not PupilSession.objects.exists()


def test_an_active_token_leads_to_its_draft_and_says_whether_the_wave_takes_answers() -> None:
    draft = _draft()
    token = pupil_session_open(draft=draft)
    found = pupil_session_touch(token=token)
    assert found.status == "active" and found.takes_answers
    assert found.draft is not None
    assert (found.draft.code_id, found.draft.submission_id, found.draft.answers) == (
        draft.code_id,
        draft.submission_id,
        draft.answers,
    )
    assert found.draft.updated_at == SheetDraft.objects.get(pk=draft.pk).updated_at
    Wave.objects.update(closes_at=timezone.now() - timedelta(minutes=1))
    assert not pupil_session_touch(token=token).takes_answers
    assert pupil_session_touch(token="nothing-like-it").status == "gone"


def test_a_page_save_needs_the_current_version_and_never_lowers_the_furthest_page() -> None:
    draft = SheetDraft.objects.get(pk=_draft().pk)
    first = draft_page_save(
        code_id=draft.code_id, version=draft.updated_at, answers={"KON": "1"}, page=3, reached=3
    )
    assert first is not None
    # The form of the version before: nothing saved.
    assert (
        draft_page_save(
            code_id=draft.code_id, version=draft.updated_at, answers={"KON": "2"}, page=1
        )
        is None
    )
    second = draft_page_save(
        code_id=draft.code_id, version=first, answers={"KON": "2"}, page=2, reached=2
    )
    assert second is not None
    third = draft_page_save(code_id=draft.code_id, version=second, answers={"KON": "3"}, page=1)
    saved = SheetDraft.objects.get(pk=draft.pk)
    assert (saved.answers, saved.page, saved.furthest, saved.updated_at) == (
        {"KON": "3"},
        1,
        3,
        third,
    )


def test_a_draft_another_device_created_meanwhile_is_the_one_opened() -> None:
    """Two devices entering one fresh code at once: the one that comes second read the code
    unspent and found no draft, its conditional UPDATE then spends nothing (no error, no
    savepoint), and it opens the first one's draft."""
    existing = _draft()
    code = AccessCode.objects.select_related("wave").get(pk=existing.code_id)
    code.spent = False  # as this device read it, before the other one's entry committed
    real = entry._one
    missed: list[str] = []

    def first_lookup_misses(name: str, params: list[object]) -> tuple[object, ...] | None:
        if name == "draft" and not missed:
            missed.append(name)
            return None  # the other device's draft was not committed yet
        return real(name, params)

    with mock.patch.object(entry, "_one", first_lookup_misses):
        opened = entry._draft_open(code, "en")
    assert missed
    assert opened is not None
    assert (opened.code_id, opened.submission_id) == (existing.code_id, existing.submission_id)
    assert SheetDraft.objects.count() == 1


def test_purging_a_closed_waves_drafts_gives_their_codes_back_and_counts_no_sheet() -> None:
    """A code is answered when it is spent and has no draft: a draft the housekeeping
    deletes (its wave closed before the pupil sent in) must not turn into an answer."""
    draft = _draft()
    assert AccessCode.objects.get(pk=draft.code_id).spent
    Wave.objects.update(
        opens_at=timezone.now() - timedelta(days=20), closes_at=timezone.now() - timedelta(days=8)
    )
    survey_housekeeping()
    assert not SheetDraft.objects.exists()
    assert not AccessCode.objects.get(pk=draft.code_id).spent
    assert not AccessCode.objects.answered().exists()


def test_a_wave_closed_by_mistake_and_opened_again_keeps_the_unsent_answers() -> None:
    draft = _draft()
    draft_page_save(code_id=draft.code_id, version=draft.updated_at, answers={"KON": "2"}, page=2)
    Wave.objects.update(closes_at=timezone.now() - timedelta(hours=2))
    survey_housekeeping()
    assert SheetDraft.objects.get().answers == {"KON": "2"}
    Wave.objects.update(closes_at=timezone.now() + timedelta(days=1))
    assert AccessCode.objects.get(pk=draft.code_id).spent


def test_a_published_waves_unsent_answers_go_at_the_next_housekeeping() -> None:
    _draft()
    Wave.objects.update(closes_at=timezone.now() - timedelta(hours=2), published_at=timezone.now())
    survey_housekeeping()
    assert not SheetDraft.objects.exists()
    assert not AccessCode.objects.answered().exists()
