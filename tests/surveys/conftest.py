"""Fixtures of the pupil flow: an open wave on the default questionnaire and fresh codes."""

from collections.abc import Callable

import pytest

from surveys.models import SchoolClass, Wave
from surveys.services import codes_issue, questionnaire_import_default
from tests.surveys.factories import make_class, make_wave
from tests.surveys.pupil_client import PupilClient


@pytest.fixture
def open_wave(db: None) -> Wave:
    return make_wave(questionnaire=questionnaire_import_default(), languages=["sv", "en", "ar"])


@pytest.fixture
def school_class(db: None) -> SchoolClass:
    return make_class(grade=9)


@pytest.fixture
def new_code(open_wave: Wave, school_class: SchoolClass) -> Callable[[], str]:
    def issue() -> str:
        return codes_issue(wave=open_wave, school_class=school_class, count=1)[0]

    return issue


@pytest.fixture
def client() -> PupilClient:
    """Django's test client, adding the current page token to question-page posts."""
    return PupilClient()
