"""Small object builders for the accounts tests (plain functions, not fixtures)."""

from surveys.models import District, Municipality, School


def make_school(name: str = "Testskolan Skiftinge") -> School:
    municipality, _ = Municipality.objects.get_or_create(
        code="0484", defaults={"name": "Eskilstuna"}
    )
    district, _ = District.objects.get_or_create(
        municipality=municipality, code="SKI", defaults={"name": "Skiftinge"}
    )
    return School.objects.create(district=district, name=name)
