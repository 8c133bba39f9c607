import uuid
from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import AuditLog
from surveys.models import AccessCode, AnswerSheet, SchoolClass, Wave
from surveys.retention import retention_cutoff, retention_purge
from surveys.services import questionnaire_import_default, sheets_store
from surveys.tasks import retention_purge as retention_purge_task
from tests.accounts.accounts_helpers import make_school

pytestmark = pytest.mark.django_db


def _wave(slug: str, closed_years_ago: float, sheets: int = 3) -> Wave:
    school = make_school(f"Skola {slug}")
    school_class = SchoolClass.objects.create(school=school, name="7A", grade=7)
    questionnaire = questionnaire_import_default()  # the sheets' vectors need its layout
    closes = timezone.now() - timedelta(days=365.25 * closed_years_ago)
    wave = Wave.objects.create(
        municipality=school.district.municipality,
        name=slug,
        slug=slug,
        questionnaire=questionnaire,
        opens_at=closes - timedelta(days=20),
        closes_at=closes,
        published_at=closes + timedelta(days=5),
    )
    for _ in range(sheets):
        sheet = AnswerSheet(
            submission_id=uuid.uuid4(),
            wave=wave,
            questionnaire=questionnaire,
            school=school,
            school_district=school.district,
            grade=7,
            language="sv",
            submitted_on=date.today(),
            answers={"TRY01": "1"},
            answers_digest="x",
        )
        sheets_store(sheets=[sheet])
        AccessCode.objects.create(
            wave=wave, school_class=school_class, code_hash=uuid.uuid4().hex, spent=True
        )
    return wave


def test_cutoff_is_whole_calendar_years_back() -> None:
    now = datetime(2030, 3, 1, 12, tzinfo=timezone.get_current_timezone())
    assert retention_cutoff(now=now, years=5) == now.replace(year=2025)


def test_cutoff_from_a_leap_day_falls_back_to_the_28th() -> None:
    now = datetime(2028, 2, 29, tzinfo=timezone.get_current_timezone())
    assert retention_cutoff(now=now, years=5).date() == date(2023, 2, 28)


def test_purge_deletes_only_sheets_of_waves_past_retention() -> None:
    old = _wave("vt2019", closed_years_ago=6)
    recent = _wave("vt2024", closed_years_ago=1)
    result = retention_purge(dry_run=False)
    assert [item.slug for item in result] == ["vt2019"]
    assert not AnswerSheet.objects.filter(wave=old).exists()
    assert not AccessCode.objects.filter(wave=old).exists()
    assert AnswerSheet.objects.filter(wave=recent).count() == 3
    assert Wave.objects.filter(pk=old.pk).exists()  # the wave (and its cells) stay


def test_purge_writes_one_audit_row_per_wave() -> None:
    _wave("vt2019", closed_years_ago=6)
    retention_purge(dry_run=False)
    row = AuditLog.objects.get(event="retention purge")
    assert row.details["wave"] == "vt2019"
    assert row.details["sheets_deleted"] == 3


def test_dry_run_deletes_and_logs_nothing() -> None:
    old = _wave("vt2019", closed_years_ago=6)
    result = retention_purge(dry_run=True)
    assert [(item.slug, item.sheets) for item in result] == [("vt2019", 3)]
    assert AnswerSheet.objects.filter(wave=old).count() == 3
    assert not AuditLog.objects.filter(event="retention purge").exists()


def test_purge_twice_deletes_nothing_the_second_time() -> None:
    _wave("vt2019", closed_years_ago=6)
    retention_purge(dry_run=False)
    assert retention_purge(dry_run=False) == []
    assert AuditLog.objects.filter(event="retention purge").count() == 1


def test_retention_years_come_from_settings(settings: object) -> None:
    _wave("ht2022", closed_years_ago=2.5)
    settings.ANSWER_RETENTION_YEARS = 2  # type: ignore[attr-defined]
    assert [item.slug for item in retention_purge(dry_run=True)] == ["ht2022"]


def test_the_command_reports_a_dry_run() -> None:
    _wave("vt2019", closed_years_ago=6)
    out = StringIO()
    call_command("retention_purge", "--dry-run", stdout=out)
    assert "vt2019" in out.getvalue()
    assert "would delete 3 answer sheets" in out.getvalue()
    assert AnswerSheet.objects.count() == 3


def test_the_beat_task_purges() -> None:
    _wave("vt2019", closed_years_ago=6)
    retention_purge_task.delay()
    assert AnswerSheet.objects.count() == 0
