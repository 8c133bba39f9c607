import pytest
from django.test import Client

from accounts.access import Role
from accounts.models import AuditLog
from surveys.entry import code_enter
from surveys.models import AccessCode, School, SchoolClass, Wave
from surveys.selectors import response_progress, response_rates
from surveys.services import codes_issue, sheet_submit
from tests.accounts.accounts_helpers import login_verified, make_staff
from tests.surveys.factories import make_class

pytestmark = pytest.mark.django_db


def _issue_form(wave: Wave, school_class: SchoolClass, count: int = 3) -> dict[str, object]:
    return {"wave": wave.pk, "school_class": school_class.pk, "count": count}


def test_a_coordinator_gets_a_pdf_code_sheet(
    client: Client, open_wave: Wave, school_class: SchoolClass
) -> None:
    login_verified(client, make_staff(Role.COORDINATOR))
    response = client.post("/skola/koder/", _issue_form(open_wave, school_class))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AccessCode.objects.filter(school_class=school_class).count() == 3


def test_issuing_codes_is_audited_without_the_codes(
    client: Client, open_wave: Wave, school_class: SchoolClass
) -> None:
    login_verified(client, make_staff(Role.COORDINATOR))
    client.post("/skola/koder/", _issue_form(open_wave, school_class))
    row = AuditLog.objects.get(event="codes issued")
    assert row.details["count"] == 3
    assert "codes" not in row.details


def test_a_school_contact_can_issue_codes_only_for_their_school(
    client: Client, open_wave: Wave, school_class: SchoolClass
) -> None:
    other = make_class()
    login_verified(client, make_staff(Role.SCHOOL_CONTACT, school=school_class.school))
    refused = client.post("/skola/koder/", _issue_form(open_wave, other))
    assert refused.status_code == 200  # the form says the class is not a valid choice
    assert not AccessCode.objects.filter(school_class=other).exists()
    allowed = client.post("/skola/koder/", _issue_form(open_wave, school_class))
    assert allowed["Content-Type"] == "application/pdf"


def test_an_analyst_may_not_issue_codes(client: Client) -> None:
    login_verified(client, make_staff(Role.ANALYST, organisation="polis"))
    assert client.get("/skola/koder/").status_code == 403


def test_anonymous_users_are_sent_to_login_from_the_response_rates(client: Client) -> None:
    assert client.get("/skola/svarsfrekvens/").status_code == 302


def test_response_rates_count_issued_codes_and_submitted_sheets(
    open_wave: Wave, school_class: SchoolClass
) -> None:
    codes = codes_issue(wave=open_wave, school_class=school_class, count=4)
    entry = code_enter(typed=codes[0], language="sv")
    assert entry.code_id and entry.draft
    sheet_submit(
        code_id=entry.code_id, submission_id=entry.draft.submission_id, answers={}, language="sv"
    )
    [school] = response_rates(wave=open_wave, schools=School.objects.all())
    assert (school.school.issued, school.school.submitted, school.school.rate_pct) == (4, 1, 25)
    assert [(c.label, c.issued, c.submitted) for c in school.classes] == [(school_class.name, 4, 1)]


def test_a_school_contact_sees_only_their_schools_rates(
    client: Client, open_wave: Wave, school_class: SchoolClass
) -> None:
    other = make_class()
    codes_issue(wave=open_wave, school_class=school_class, count=2)
    codes_issue(wave=open_wave, school_class=other, count=2)
    login_verified(client, make_staff(Role.SCHOOL_CONTACT, school=school_class.school))
    html = client.get("/skola/svarsfrekvens/").content.decode()
    assert school_class.school.name in html
    assert other.school.name not in html


def test_response_progress_counts_per_grade_and_in_total(
    open_wave: Wave, school_class: SchoolClass
) -> None:
    other = make_class(grade=7)
    codes = codes_issue(wave=open_wave, school_class=school_class, count=4)
    codes_issue(wave=open_wave, school_class=other, count=6)
    entry = code_enter(typed=codes[0], language="sv")
    assert entry.code_id and entry.draft
    sheet_submit(
        code_id=entry.code_id, submission_id=entry.draft.submission_id, answers={}, language="sv"
    )
    progress = response_progress(wave=open_wave, schools=School.objects.all())
    assert [(g.label, g.issued, g.submitted) for g in progress.grades] == [
        ("åk 7", 6, 0),
        ("åk 9", 4, 1),
    ]
    assert (progress.total.issued, progress.total.submitted, progress.total.rate_pct) == (
        10,
        1,
        10,
    )
    assert len(progress.schools) == 2


def test_a_coordinator_follows_an_open_wave_by_counts_only(
    client: Client, open_wave: Wave, school_class: SchoolClass
) -> None:
    codes_issue(wave=open_wave, school_class=school_class, count=3)
    login_verified(client, make_staff(Role.COORDINATOR))
    html = client.get(f"/skola/svarsfrekvens/?omgang={open_wave.slug}").content.decode()
    assert "Per årskurs" in html
    assert "Totalt 0 inskickade svar av 3 utdelade koder" in html
    assert "Omgången är inte publicerad" in html
