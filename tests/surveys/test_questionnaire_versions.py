from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.access import Role
from surveys import questionnaire as qn
from surveys.models import QuestionnaireVersion, SchoolClass, Wave
from surveys.services import questionnaire_import, questionnaire_import_default
from tests.accounts.accounts_helpers import login_verified, make_staff
from tests.surveys.factories import make_wave

pytestmark = pytest.mark.django_db


def test_the_default_questionnaire_is_imported_once() -> None:
    first = questionnaire_import_default()
    again = questionnaire_import_default()
    assert first.pk == again.pk
    assert QuestionnaireVersion.objects.count() == 1
    assert (first.code, first.version) == ("DEFAULT", 3)


def test_a_version_locks_when_a_wave_uses_it() -> None:
    version = questionnaire_import_default()
    make_wave(questionnaire=version)
    version.refresh_from_db()
    assert version.locked


def test_a_locked_version_refuses_a_changed_document() -> None:
    version = questionnaire_import_default()
    make_wave(questionnaire=version)
    parsed = qn.load_yaml_file()
    changed = qn.load_questionnaire(
        {**qn.dump_questionnaire(parsed), "title": dict.fromkeys(parsed.languages, "Ny titel")}
    )
    with pytest.raises(ValidationError):
        questionnaire_import(questionnaire=changed)


def test_a_locked_version_cannot_be_saved_with_another_definition() -> None:
    version = questionnaire_import_default()
    make_wave(questionnaire=version)
    version.refresh_from_db()
    version.definition = {}
    with pytest.raises(ValidationError):
        version.save()


def test_import_command_reports_precise_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        qn.DEFAULT_QUESTIONNAIRE_PATH.read_text().replace("type: single", "type: singel", 1)
    )
    with pytest.raises(CommandError, match=r"pages\[\d+\]\.items\[\d+\] \(KON\)\.type"):
        call_command("import_questionnaire", str(bad))


def test_export_then_import_round_trips_through_xlsform(tmp_path: Path) -> None:
    questionnaire_import_default()
    target = tmp_path / "default.xlsx"
    call_command("export_questionnaire", "DEFAULT", "3", "--format=xlsx", f"--output={target}")
    assert qn.from_xlsform(target) == qn.load_yaml_file()


def test_export_command_writes_yaml_to_standard_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    questionnaire_import_default()
    call_command("export_questionnaire", "DEFAULT", "3")
    assert qn.parse_yaml(capsys.readouterr().out) == qn.load_yaml_file()


def test_admin_exports_yaml(client: Client) -> None:
    version = questionnaire_import_default()
    login_verified(client, make_staff(Role.ADMIN, is_superuser=True, is_staff=True))
    response = client.get(f"/admin/surveys/questionnaireversion/{version.pk}/exportera/yaml/")
    assert response.status_code == 200
    assert qn.parse_yaml(response.content.decode()) == qn.load_yaml_file()


def test_admin_import_shows_problems_of_an_invalid_file(client: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    login_verified(client, make_staff(Role.ADMIN, is_superuser=True, is_staff=True))
    upload = SimpleUploadedFile("q.yaml", b"code: X\nversion: 1\n")
    html = client.post(
        "/admin/surveys/questionnaireversion/importera/", {"file": upload}
    ).content.decode()
    assert "kunde inte importeras" in html
    assert not QuestionnaireVersion.objects.exists()


def test_admin_action_issues_codes_for_selected_classes(
    client: Client, open_wave: Wave, school_class: SchoolClass
) -> None:
    login_verified(client, make_staff(Role.ADMIN, is_superuser=True, is_staff=True))
    response = client.post(
        "/admin/surveys/schoolclass/",
        {
            "action": "issue_codes",
            "_selected_action": [school_class.pk],
            "wave": open_wave.pk,
            "count": 5,
        },
    )
    assert response["Content-Type"] == "application/pdf"
    assert school_class.codes.count() == 5
