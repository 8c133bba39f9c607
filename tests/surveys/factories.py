# factory_boy's declarations (Sequence, SubFactory, …) carry no type hints.
# mypy: disable-error-code="no-untyped-call"
"""factory_boy factories of the survey app."""

import functools
from datetime import timedelta
from typing import Any

from django.utils import timezone
from factory.declarations import LazyFunction, Sequence, SubFactory
from factory.django import DjangoModelFactory

from surveys import questionnaire as qn
from surveys.models import District, Municipality, QuestionnaireVersion, School, SchoolClass, Wave


@functools.cache
def _default() -> qn.Questionnaire:
    return qn.load_yaml_file()


class MunicipalityFactory(DjangoModelFactory[Municipality]):
    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    code = "0484"
    name = "Eskilstuna"


class DistrictFactory(DjangoModelFactory[District]):
    class Meta:
        model = District
        django_get_or_create = ("municipality", "code")

    municipality = SubFactory(MunicipalityFactory)
    code = Sequence(lambda n: f"D{n:02d}")
    name = Sequence(lambda n: f"Område {n}")


class SchoolFactory(DjangoModelFactory[School]):
    class Meta:
        model = School

    district = SubFactory(DistrictFactory)
    name = Sequence(lambda n: f"Skola {n}")


class SchoolClassFactory(DjangoModelFactory[SchoolClass]):
    class Meta:
        model = SchoolClass

    school = SubFactory(SchoolFactory)
    name = Sequence(lambda n: f"7{chr(65 + n % 26)}{n}")
    grade = 7


class QuestionnaireVersionFactory(DjangoModelFactory[QuestionnaireVersion]):
    class Meta:
        model = QuestionnaireVersion

    code = "test"
    version = Sequence(lambda n: n + 1)
    title = "Testenkät"
    # The default questionnaire's document: a wave's pupils can answer it.
    definition = LazyFunction(lambda: qn.dump_questionnaire(_default()))


class WaveFactory(DjangoModelFactory[Wave]):
    class Meta:
        model = Wave

    municipality = SubFactory(MunicipalityFactory)
    name = Sequence(lambda n: f"Omgång {n}")
    slug = Sequence(lambda n: f"omgang-{n}")
    questionnaire = SubFactory(QuestionnaireVersionFactory)
    opens_at = LazyFunction(lambda: timezone.now() - timedelta(days=1))
    closes_at = LazyFunction(lambda: timezone.now() + timedelta(days=14))


# Typed entry points: factory_boy has no type hints, the tests want real model types.
def make_school(**fields: Any) -> School:
    return SchoolFactory.create(**fields)


def make_class(**fields: Any) -> SchoolClass:
    return SchoolClassFactory.create(**fields)


def make_questionnaire(**fields: Any) -> QuestionnaireVersion:
    return QuestionnaireVersionFactory.create(**fields)


def make_wave(**fields: Any) -> Wave:
    return WaveFactory.create(**fields)
