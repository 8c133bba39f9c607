"""The backup and restore procedure of docs/operations.md, run against the test database."""

import datetime
import subprocess
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from surveys.models import AnswerSheet, Wave
from surveys.services import questionnaire_import_default, sheets_store
from tests.surveys.factories import make_class

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def _some_data() -> None:
    school = make_class().school
    version = questionnaire_import_default()  # the sheet's vector needs its layout
    now = datetime.datetime.now(tz=datetime.UTC)
    wave = Wave.objects.create(
        municipality=school.district.municipality,
        name="Restore",
        slug="restore-test",
        questionnaire=version,
        opens_at=now,
        closes_at=now + datetime.timedelta(days=1),
    )
    sheet = AnswerSheet(
        submission_id=uuid.uuid4(),
        wave=wave,
        questionnaire=version,
        school=school,
        school_district=school.district,
        grade=8,
        gender="1",
        language="sv",
        submitted_on=now.date(),
        answers={"TRY01": "2", "TRY07": ["1", "3"]},
        answers_digest="x",
    )
    sheets_store(sheets=[sheet])


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(ROOT / "ops" / "restore_check.sh"), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_backup_restores_into_a_fresh_database_with_equal_counts_and_checksums() -> None:
    _some_data()
    result = _run(_database_url())
    assert result.returncode == 0, result.stderr
    assert "restore check: OK" in result.stdout


def test_the_check_fails_when_the_restore_differs(tmp_path: Path) -> None:
    _some_data()
    dump = tmp_path / "old.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", _database_url()],
        check=True,
        timeout=120,
    )
    AnswerSheet.objects.update(answers={"TRY01": "4"})  # the source moves on after the dump
    result = _run("--dump", str(dump), _database_url())
    assert result.returncode == 1
    assert "MISMATCH" in result.stderr
