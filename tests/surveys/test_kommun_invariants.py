"""A wave, its classes, class keys, codes and answer sheets belong to one kommun.

Each path is tried with a second kommun: the services and the admin form refuse it with
a message, and on PostgreSQL the database refuses it too (ORM writes and raw SQL).
"""

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from surveys.admin import WaveAdminForm
from surveys.models import (
    AccessCode,
    AnswerSheet,
    ClassKey,
    District,
    Municipality,
    School,
    SchoolClass,
    Wave,
)
from surveys.services import codes_issue, sheets_store
from tests.surveys.factories import make_class, make_wave

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class TwoKommuner:
    wave: Wave  # Eskilstuna's
    own_class: SchoolClass
    other: Municipality
    other_district: District
    other_school: School
    other_class: SchoolClass


@pytest.fixture
def two() -> TwoKommuner:
    wave = make_wave()
    own_class = make_class(school__district__municipality=wave.municipality)
    other = Municipality.objects.create(code="0480", name="Nyköping")
    other_district = District.objects.create(municipality=other, code="BRA", name="Brandkärr")
    other_school = School.objects.create(district=other_district, name="Nyköpingsskolan")
    other_class = SchoolClass.objects.create(school=other_school, name="7A", grade=7)
    return TwoKommuner(wave, own_class, other, other_district, other_school, other_class)


def _sheet(wave: Wave, school: School, **fields: Any) -> AnswerSheet:
    values: dict[str, Any] = {
        "submission_id": uuid.uuid4(),
        "wave": wave,
        "questionnaire_id": wave.questionnaire_id,
        "school": school,
        "school_district_id": school.district_id,
        "grade": 7,
        "language": "sv",
        "submitted_on": timezone.localdate(),
        "answers": {},
        "answers_digest": "0" * 64,
        **fields,
    }
    return AnswerSheet(**values)


def _raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- services and forms (every database) ---------------------------------------------------


def test_codes_are_not_issued_for_a_class_of_another_kommun(two: TwoKommuner) -> None:
    with pytest.raises(ValidationError, match="annan kommun"):
        codes_issue(wave=two.wave, school_class=two.other_class, count=1)
    assert not two.wave.classes.exists()
    assert not AccessCode.objects.exists()
    assert not ClassKey.objects.exists()


def _form_data(wave: Wave, classes: list[SchoolClass]) -> dict[str, Any]:
    return {
        "municipality": wave.municipality_id,
        "name": wave.name,
        "slug": wave.slug,
        "questionnaire": wave.questionnaire_id,
        "opens_at": timezone.localtime(wave.opens_at).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": timezone.localtime(wave.closes_at).strftime("%Y-%m-%dT%H:%M"),
        "classes": [c.pk for c in classes],
        "languages": [],
        "analysis_text": "",
    }


def test_the_wave_form_offers_only_the_waves_kommuns_classes(two: TwoKommuner) -> None:
    form = WaveAdminForm(instance=two.wave)
    offered = set(form.fields["classes"].queryset)  # type: ignore[attr-defined]
    assert two.own_class in offered
    assert two.other_class not in offered


def test_the_wave_form_refuses_a_class_of_another_kommun(two: TwoKommuner) -> None:
    # A new wave (no kommun yet) is offered every class: the choice is checked on save.
    form = WaveAdminForm(data={**_form_data(two.wave, [two.other_class]), "slug": "ny"})
    assert not form.is_valid()
    assert "Nyköpingsskolan 7A" in str(form.errors["classes"])
    assert "annan kommun" in str(form.errors["classes"])


def test_the_wave_form_accepts_the_kommuns_own_classes(two: TwoKommuner) -> None:
    form = WaveAdminForm(data=_form_data(two.wave, [two.own_class]), instance=two.wave)
    assert form.is_valid(), form.errors
    form.save()
    assert list(two.wave.classes.all()) == [two.own_class]


def test_a_wave_with_classes_keeps_its_kommun(two: TwoKommuner) -> None:
    two.wave.classes.add(two.own_class)
    two.wave.municipality = two.other
    with pytest.raises(ValidationError, match="kommun"):
        two.wave.full_clean()
    with pytest.raises(ValidationError, match="kommun"):
        two.wave.save()


def test_a_wave_without_classes_codes_or_sheets_may_change_kommun(two: TwoKommuner) -> None:
    two.wave.municipality = two.other
    two.wave.save()
    two.wave.refresh_from_db()
    assert two.wave.municipality == two.other


def test_a_class_school_or_district_in_use_stays_in_its_kommun(two: TwoKommuner) -> None:
    two.wave.classes.add(two.own_class)
    school_class = two.own_class
    school = school_class.school
    district = school.district
    school_class.school = two.other_school
    with pytest.raises(ValidationError, match="annan kommun"):
        school_class.full_clean()
    school.district = two.other_district
    with pytest.raises(ValidationError, match="annan kommun"):
        school.full_clean()
    district.municipality = two.other
    with pytest.raises(ValidationError, match="kommun kan inte"):
        district.full_clean()


def test_a_class_school_or_district_not_in_use_may_move(two: TwoKommuner) -> None:
    two.other_class.school = two.own_class.school
    two.other_class.full_clean()
    two.other_school.district = two.own_class.school.district
    two.other_school.full_clean()
    idle = District.objects.create(municipality=two.other, code="IDL", name="Tomt")
    idle.municipality = two.wave.municipality
    idle.full_clean()


# --- the database itself (PostgreSQL) -------------------------------------------------------


@pytest.mark.postgres
def test_the_database_refuses_another_kommuns_class_in_a_wave(two: TwoKommuner) -> None:
    with pytest.raises(IntegrityError, match="kommun"), transaction.atomic():
        two.wave.classes.add(two.other_class)
    with pytest.raises(IntegrityError, match="kommun"), transaction.atomic():
        _raw(
            "INSERT INTO surveys_wave_classes (wave_id, schoolclass_id) VALUES (%s, %s)",
            [two.wave.pk, two.other_class.pk],
        )
    two.wave.classes.add(two.own_class)
    with pytest.raises(IntegrityError, match="kommun"), transaction.atomic():
        _raw(
            "UPDATE surveys_wave_classes SET schoolclass_id = %s WHERE wave_id = %s",
            [two.other_class.pk, two.wave.pk],
        )


@pytest.mark.postgres
def test_the_database_refuses_a_code_of_another_kommuns_class(two: TwoKommuner) -> None:
    with pytest.raises(IntegrityError, match="kommun"), transaction.atomic():
        AccessCode.objects.create(wave=two.wave, school_class=two.other_class, code_hash="a")
    with pytest.raises(IntegrityError, match="kommun"), transaction.atomic():
        AccessCode.objects.bulk_create(
            [AccessCode(wave=two.wave, school_class=two.other_class, code_hash="b")]
        )
    with pytest.raises(IntegrityError, match="kommun"), transaction.atomic():
        _raw(
            "INSERT INTO surveys_accesscode (id, wave_id, school_class_id, code_hash, "
            "issued_on, spent) VALUES (%s, %s, %s, 'c', CURRENT_DATE, false)",
            [uuid.uuid4(), two.wave.pk, two.other_class.pk],
        )
    code = AccessCode.objects.create(wave=two.wave, school_class=two.own_class, code_hash="d")
    with pytest.raises(IntegrityError, match="kommun"), transaction.atomic():
        AccessCode.objects.filter(pk=code.pk).update(school_class=two.other_class)


@pytest.mark.postgres
def test_the_database_refuses_a_class_key_of_another_kommuns_class(two: TwoKommuner) -> None:
    with pytest.raises(IntegrityError, match="kommun"), transaction.atomic():
        ClassKey.objects.create(wave=two.wave, school_class=two.other_class, key="ABCD")
    with pytest.raises(IntegrityError, match="kommun"), transaction.atomic():
        _raw(
            "INSERT INTO surveys_classkey (wave_id, school_class_id, key) VALUES (%s, %s, 'EFGH')",
            [two.wave.pk, two.other_class.pk],
        )
    key = ClassKey.objects.create(wave=two.wave, school_class=two.own_class, key="JKLM")
    with pytest.raises(IntegrityError, match="kommun"), transaction.atomic():
        ClassKey.objects.filter(pk=key.pk).update(school_class=two.other_class)


@pytest.mark.postgres
def test_the_database_refuses_a_sheet_that_mixes_kommuner(two: TwoKommuner) -> None:
    own_school = two.own_class.school
    mixes: list[dict[str, Any]] = [
        {"school": two.other_school, "school_district_id": two.other_district.pk},
        {"school": own_school, "school_district_id": two.other_district.pk},
        {"school": own_school, "home_district_id": two.other_district.pk},
    ]
    for fields in mixes:
        with pytest.raises(IntegrityError, match="kommun"), transaction.atomic():
            sheets_store(sheets=[_sheet(two.wave, **fields)])
    sheet = _sheet(two.wave, own_school, home_district_id=own_school.district_id)
    sheets_store(sheets=[sheet])
    updates = [
        ("UPDATE surveys_answersheet SET school_id = %s WHERE id = %s", two.other_school.pk),
        (
            "UPDATE surveys_answersheet SET school_district_id = %s WHERE id = %s",
            two.other_district.pk,
        ),
        (
            "UPDATE surveys_answersheet SET home_district_id = %s WHERE id = %s",
            two.other_district.pk,
        ),
    ]
    for sql, value in updates:
        with pytest.raises(IntegrityError, match="kommun"), transaction.atomic():
            _raw(sql, [value, sheet.pk])
    assert AnswerSheet.objects.filter(wave=two.wave).count() == 1


@pytest.mark.postgres
def test_the_database_keeps_the_kommun_of_a_wave_in_use(two: TwoKommuner) -> None:
    codes_issue(wave=two.wave, school_class=two.own_class, count=1)
    with pytest.raises(IntegrityError, match="kommun"), transaction.atomic():
        Wave.objects.filter(pk=two.wave.pk).update(municipality=two.other)
    two.wave.classes.clear()
    with pytest.raises(IntegrityError, match="kommun"), transaction.atomic():
        # Codes (and their class key) alone hold the kommun too.
        _raw(
            "UPDATE surveys_wave SET municipality_id = %s WHERE id = %s",
            [two.other.pk, two.wave.pk],
        )
    unused = make_wave(municipality=two.wave.municipality)
    Wave.objects.filter(pk=unused.pk).update(municipality=two.other)


@pytest.mark.postgres
def test_the_database_keeps_a_class_school_or_district_in_use_in_its_kommun(
    two: TwoKommuner,
) -> None:
    two.wave.classes.add(two.own_class)
    school = two.own_class.school
    with pytest.raises(IntegrityError, match="kommun"), transaction.atomic():
        School.objects.filter(pk=school.pk).update(district=two.other_district)
    with pytest.raises(IntegrityError, match="kommun"), transaction.atomic():
        District.objects.filter(pk=school.district_id).update(municipality=two.other)
    with pytest.raises(IntegrityError, match="kommun"), transaction.atomic():
        SchoolClass.objects.filter(pk=two.own_class.pk).update(school=two.other_school)
    # Within its own kommun a school may move to another district.
    moved_to = District.objects.create(
        municipality=two.wave.municipality, code="NY", name="Nytt område"
    )
    School.objects.filter(pk=school.pk).update(district=moved_to)
