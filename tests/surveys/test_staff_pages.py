from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.access import Role
from accounts.models import AuditLog
from surveys.entry import code_enter
from surveys.models import AccessCode, School, SchoolClass, Wave
from surveys.selectors import response_progress, response_rates
from surveys.services import codes_issue, sheet_submit
from tests.accounts.accounts_helpers import login_verified, make_staff
from tests.surveys.factories import make_class, make_wave

pytestmark = pytest.mark.django_db


def _issue_form(wave: Wave, school_class: SchoolClass, count: int = 3) -> dict[str, object]:
    return {"wave": wave.pk, "school_class": school_class.pk, "count": count}


def test_a_coordinator_gets_a_pdf_code_sheet(
    client: Client, open_wave: Wave, school_class: SchoolClass
) -> None:
    login_verified(client, make_staff(Role.COORDINATOR))
    response = client.post("/0484/skola/koder/", _issue_form(open_wave, school_class))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AccessCode.objects.filter(school_class=school_class).count() == 3


def test_issuing_codes_is_audited_without_the_codes(
    client: Client, open_wave: Wave, school_class: SchoolClass
) -> None:
    login_verified(client, make_staff(Role.COORDINATOR))
    client.post("/0484/skola/koder/", _issue_form(open_wave, school_class))
    row = AuditLog.objects.get(event="codes issued")
    assert row.details["count"] == 3
    assert "codes" not in row.details


def test_a_school_contact_can_issue_codes_only_for_their_school(
    client: Client, open_wave: Wave, school_class: SchoolClass
) -> None:
    other = make_class()
    open_wave.classes.add(school_class, other)
    login_verified(client, make_staff(Role.SCHOOL_CONTACT, school=school_class.school))
    refused = client.post("/0484/skola/koder/", _issue_form(open_wave, other))
    assert refused.status_code == 200  # the form says the class is not a valid choice
    assert not AccessCode.objects.filter(school_class=other).exists()
    allowed = client.post("/0484/skola/koder/", _issue_form(open_wave, school_class))
    assert allowed["Content-Type"] == "application/pdf"


def test_an_analyst_may_not_issue_codes(client: Client) -> None:
    login_verified(client, make_staff(Role.ANALYST, organisation="polis"))
    assert client.get("/0484/skola/koder/").status_code == 403


def test_anonymous_users_are_sent_to_login_from_the_response_rates(client: Client) -> None:
    assert client.get("/0484/skola/svarsfrekvens/").status_code == 302


def test_response_rates_count_issued_codes_and_submitted_sheets(
    open_wave: Wave, school_class: SchoolClass
) -> None:
    codes = codes_issue(wave=open_wave, school_class=school_class, count=4)
    entry = code_enter(typed=codes[0], language="sv")
    assert entry.code_id and entry.draft
    sheet_submit(
        code_id=entry.code_id, submission_id=entry.draft.submission_id, answers={}, language="sv"
    )
    # A pupil who entered a code and is still answering has sent in nothing yet.
    assert code_enter(typed=codes[1], language="sv").status == "ok"
    SchoolClass.objects.filter(pk=school_class.pk).update(expected_size=20)
    [school] = response_rates(wave=open_wave, schools=School.objects.all())
    # The rate is sheets ÷ pupils: one of 20 pupils answered, whatever the codes issued.
    assert (school.school.issued, school.school.submitted, school.school.rate_pct) == (4, 1, 5)
    assert [(c.label, c.seats, c.issued, c.submitted) for c in school.classes] == [
        (school_class.name, 20, 4, 1)
    ]


def test_every_class_of_the_wave_is_listed_with_0_percent_before_any_code(
    open_wave: Wave, school_class: SchoolClass
) -> None:
    waiting = make_class(school=school_class.school, expected_size=22)
    open_wave.classes.add(waiting)
    codes_issue(wave=open_wave, school_class=school_class, count=2)
    [school] = response_rates(wave=open_wave, schools=School.objects.all())
    rows = {c.label: (c.seats, c.issued, c.submitted, c.rate_pct) for c in school.classes}
    assert rows[waiting.name] == (22, 0, 0, 0)
    assert school.school.seats == 22 + school_class.expected_size


def test_codes_per_class_stop_at_its_pupils_and_a_few_spares(
    client: Client, open_wave: Wave, school_class: SchoolClass, settings: Any
) -> None:
    settings.CODES_EXTRA_PER_CLASS = 3
    SchoolClass.objects.filter(pk=school_class.pk).update(expected_size=25)
    login_verified(client, make_staff(Role.COORDINATOR))
    assert client.post("/0484/skola/koder/", _issue_form(open_wave, school_class, 26))[
        "Content-Type"
    ].startswith("application/pdf")
    refused = client.post("/0484/skola/koder/", _issue_form(open_wave, school_class, 3))
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "25 elever" in page and "högst 28 koder" in page and "2 till" in page
    # What the coordinator typed is still in the form.
    assert 'name="count" value="3"' in page
    assert AccessCode.objects.filter(school_class=school_class).count() == 26
    with pytest.raises(ValidationError):
        codes_issue(wave=open_wave, school_class=school_class, count=3)
    codes_issue(wave=open_wave, school_class=school_class, count=2)
    assert AccessCode.objects.filter(school_class=school_class).count() == 28


def test_codes_never_join_a_class_to_another_municipalitys_wave(open_wave: Wave) -> None:
    foreign = make_class(school__district__municipality__code="0480")
    with pytest.raises(ValidationError):
        codes_issue(wave=open_wave, school_class=foreign, count=1)
    assert not AccessCode.objects.filter(school_class=foreign).exists()
    assert not open_wave.classes.filter(pk=foreign.pk).exists()


def test_a_school_contact_issues_codes_only_in_waves_their_school_is_in(
    client: Client, open_wave: Wave, school_class: SchoolClass
) -> None:
    other_wave = make_wave(municipality=open_wave.municipality)
    open_wave.classes.add(school_class)
    login_verified(client, make_staff(Role.SCHOOL_CONTACT, school=school_class.school))
    refused = client.post("/0484/skola/koder/", _issue_form(other_wave, school_class))
    assert refused.status_code == 200
    assert not AccessCode.objects.filter(wave=other_wave).exists()
    newcomer = make_class(school=school_class.school)
    refused = client.post("/0484/skola/koder/", _issue_form(open_wave, newcomer))
    assert "Klassen är inte med i omgången" in refused.content.decode()
    assert not AccessCode.objects.filter(school_class=newcomer).exists()


def test_a_school_contact_sees_only_their_schools_rates(
    client: Client, open_wave: Wave, school_class: SchoolClass
) -> None:
    other = make_class()
    codes_issue(wave=open_wave, school_class=school_class, count=2)
    codes_issue(wave=open_wave, school_class=other, count=2)
    login_verified(client, make_staff(Role.SCHOOL_CONTACT, school=school_class.school))
    html = client.get("/0484/skola/svarsfrekvens/").content.decode()
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
    assert [(g.label, g.seats, g.issued, g.submitted) for g in progress.grades] == [
        ("åk 7", 25, 6, 0),
        ("åk 9", 25, 4, 1),
    ]
    assert (progress.total.seats, progress.total.submitted, progress.total.rate_pct) == (
        50,
        1,
        2,
    )
    assert len(progress.schools) == 2


def test_a_coordinator_follows_an_open_wave_by_counts_only(
    client: Client, open_wave: Wave, school_class: SchoolClass
) -> None:
    codes_issue(wave=open_wave, school_class=school_class, count=3)
    login_verified(client, make_staff(Role.COORDINATOR))
    html = client.get(f"/0484/skola/svarsfrekvens/?omgang={open_wave.slug}").content.decode()
    assert "Per årskurs" in html
    assert "Totalt 0 inskickade svar från 25 elever (3 utdelade koder)" in html
    assert "Omgången är inte publicerad" in html
