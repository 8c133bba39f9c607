"""A published wave is frozen: its report and exports print the same numbers forever.

Publish a wave, render the report's content and the exports, then try a late sheet by
every path (all refused), purge codes and sheets as the retention job does, edit what
can still be edited, and render again: the same numbers and the same files.
"""

import uuid
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone

from accounts.access import Role
from lagesbild import selectors
from lagesbild.catalogue import load_catalogue
from lagesbild.exports.appendix import appendix
from lagesbild.exports.cells import ExportFilters
from lagesbild.exports.report import build_report
from lagesbild.exports.services import cells_export
from lagesbild.models import WavePublication
from lagesbild.services import wave_publish
from lagesbild.snapshot import SNAPSHOT_VERSION, published_facts
from lagesbild.synthetic import sheets_insert
from surveys.entry import code_enter
from surveys.models import AccessCode, AnswerSheet, Municipality, SchoolClass, Wave
from surveys.retention import retention_purge
from surveys.services import (
    WaveClosedError,
    codes_issue,
    sheet_submit,
    wave_sheets_accept,
)
from tests.accounts.accounts_helpers import login_verified, make_staff
from tests.lagesbild.dashboard_factories import eskilstuna_id

pytestmark = pytest.mark.django_db

MakeWave = Callable[..., Wave]
ANALYSIS = "Fler unga känner sig otrygga i centrum.\n\nSkolorna gör mer."


@pytest.fixture
def published(make_wave: MakeWave) -> tuple[Wave, uuid.UUID, uuid.UUID, str]:
    """A wave answered while open (synthetic sheets, and pupils through their codes),
    closed and published. Returns the wave, a started pupil's code and submission id,
    and one unused code."""
    wave = make_wave("ht-fryst", closed=False)
    classes = list(SchoolClass.objects.order_by("pk"))
    codes: list[str] = []
    for school_class in classes[:3]:
        codes += codes_issue(wave=wave, school_class=school_class, count=15)
    for code in codes[:12]:
        entry = code_enter(typed=code, language="sv")
        assert entry.code_id and entry.draft
        result = sheet_submit(
            code_id=entry.code_id,
            submission_id=entry.draft.submission_id,
            answers={"KON": "1"},
            language="sv",
        )
        assert result.status == "stored"
    sheets_insert(wave=wave, count=300, seed=7)
    late = code_enter(typed=codes[20], language="sv")  # started, never sent in
    assert late.code_id and late.draft
    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now(), analysis_text=ANALYSIS)
    wave_publish(wave_id=wave.pk)
    wave.refresh_from_db()
    return wave, late.code_id, late.draft.submission_id, codes[30]


def _rendered(wave: Wave) -> dict[str, object]:
    """Everything the report and the exports print, as comparable values."""
    ref = selectors.resolve_wave(wave.slug, municipality_id=eskilstuna_id())
    assert ref is not None and ref.id == wave.pk
    report = build_report(wave=ref, area=None, today=date(2030, 1, 1))
    filters = ExportFilters(wave=wave.slug)
    csv = cells_export(actor=None, filters=filters, file_type="csv")
    notes = cells_export(actor=None, filters=filters, file_type="notes")
    return {
        "appendix": appendix(wave_id=wave.pk, catalogue=load_catalogue()),
        "report_appendix": report.appendix,
        "analysis": report.analysis,
        "subtitle": report.subtitle,
        "wave_name": report.wave_name,
        "csv": csv.sha256,
        "notes": notes.sha256,
    }


def test_the_snapshot_holds_what_the_report_prints(
    published: tuple[Wave, uuid.UUID, uuid.UUID, str],
) -> None:
    wave = published[0]
    snapshot = WavePublication.objects.get(wave=wave).snapshot
    assert snapshot["version"] == SNAPSHOT_VERSION
    facts = published_facts(wave_id=wave.pk)
    assert sum(facts.submitted.values()) == 312 == AnswerSheet.objects.filter(wave=wave).count()
    assert sum(facts.issued.values()) == 45
    assert facts.analysis_paragraphs == (
        "Fler unga känner sig otrygga i centrum.",
        "Skolorna gör mer.",
    )
    assert facts.wordings["EXP02"][0].code == "EXP02"
    text = " ".join(appendix(wave_id=wave.pk, catalogue=load_catalogue()).how)
    assert f"{facts.schools} skolor och {facts.classes} klasser deltog" in text


def test_a_published_report_and_its_exports_never_change(
    published: tuple[Wave, uuid.UUID, uuid.UUID, str],
) -> None:
    wave, code_id, submission_id, unused = published
    before = _rendered(wave)
    sheets = AnswerSheet.objects.filter(wave=wave).count()

    # A late sheet, by every path: refused, nothing stored.
    late = sheet_submit(
        code_id=code_id, submission_id=submission_id, answers={"KON": "2"}, language="sv"
    )
    assert late.status == "closed"
    assert code_enter(typed=unused, language="sv").status == "closed"
    with pytest.raises(WaveClosedError):
        sheets_insert(wave=wave, count=5, seed=1)
    with pytest.raises(CommandError):
        call_command("synth_responses", "--wave", wave.slug, "--count", "5")
    with pytest.raises(WaveClosedError), transaction.atomic():
        wave_sheets_accept(wave_id=wave.pk)
    assert AnswerSheet.objects.filter(wave=wave).count() == sheets

    # The retention purge deletes every code and sheet; the analysis, the kommun's name
    # and the wave's classes are edited afterwards.
    purged = retention_purge(dry_run=False, now=timezone.now() + timedelta(days=1), years=0)
    assert [p.wave_id for p in purged] == [wave.pk]
    assert not AnswerSheet.objects.filter(wave=wave).exists()
    assert not AccessCode.objects.filter(wave=wave).exists()
    Wave.objects.filter(pk=wave.pk).update(analysis_text="Ändrad efteråt.")
    Municipality.objects.filter(pk=wave.municipality_id).update(name="Annanstad")
    wave.classes.clear()

    assert _rendered(wave) == before


def test_a_published_waves_dates_and_questionnaire_cannot_change(
    published: tuple[Wave, uuid.UUID, uuid.UUID, str],
) -> None:
    wave = published[0]
    wave.closes_at += timedelta(days=7)
    with pytest.raises(ValidationError) as error:
        wave.full_clean()
    assert "Omgången är publicerad" in str(error.value.message_dict["closes_at"])
    with pytest.raises(ValidationError):
        wave.save()
    wave.refresh_from_db()
    wave.name = "Nytt namn"  # the name is not frozen on the row (the snapshot holds it)
    wave.save()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_new_dates_for_a_published_wave(
    published: tuple[Wave, uuid.UUID, uuid.UUID, str],
) -> None:
    wave = published[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        Wave.objects.filter(pk=wave.pk).update(opens_at=wave.opens_at - timedelta(days=1))
    with transaction.atomic():
        Wave.objects.filter(pk=wave.pk).update(analysis_text="Ändras utan att synas.")


def test_the_admin_shows_a_published_waves_dates_read_only(
    published: tuple[Wave, uuid.UUID, uuid.UUID, str], client: Client
) -> None:
    wave = published[0]
    login_verified(client, make_staff(Role.ADMIN))
    html = client.get(f"/admin/surveys/wave/{wave.pk}/change/").content.decode()
    assert 'name="closes_at' not in html
    assert 'name="questionnaire"' not in html
    assert 'name="analysis_text"' not in html
    html = client.get(f"/admin/lagesbild/waveresult/{wave.pk}/change/").content.decode()
    assert 'name="analysis_text"' not in html


def test_an_open_wave_takes_a_synthetic_sheet_and_a_closed_one_none(
    make_wave: MakeWave,
) -> None:
    wave = make_wave("vt-oppen", closed=False)
    assert sheets_insert(wave=wave, count=3, seed=2) == 3
    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now())
    wave.refresh_from_db()
    with pytest.raises(WaveClosedError):
        sheets_insert(wave=wave, count=3, seed=3)
    assert AnswerSheet.objects.filter(wave=wave).count() == 3


def test_a_sheet_committed_after_the_wave_closed_is_rolled_back(make_wave: MakeWave) -> None:
    """The guard at the end of the transaction, not only the check at its start: a wave
    that closes (or is published) while a sheet is being stored takes nothing."""
    wave = make_wave("vt-stanger", closed=False)
    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now())
    with pytest.raises(WaveClosedError):
        # The stale in-memory wave still looks open, so only the guard can refuse.
        sheets_insert(wave=wave, count=3, seed=4)
    assert not AnswerSheet.objects.filter(wave=wave).exists()
