"""Which languages a wave offers pupils, and their status."""

from collections.abc import Callable

import pytest
from django.test import Client

from surveys.admin import WaveAdminForm
from surveys.models import SchoolClass, Wave
from surveys.services import codes_issue, questionnaire_import_default
from tests.surveys.factories import make_wave

pytestmark = pytest.mark.django_db


def _language_page(wave: Wave, school_class: SchoolClass) -> str:
    [code] = codes_issue(wave=wave, school_class=school_class, count=1)
    client = Client()
    client.post("/", {"code": code})
    return client.get("/sprak/").content.decode()


def test_a_wave_without_a_choice_offers_only_checked_languages(school_class: SchoolClass) -> None:
    html = _language_page(make_wave(questionnaire=questionnaire_import_default()), school_class)
    assert 'value="sv"' in html
    assert 'value="en"' in html
    assert 'value="ar"' not in html


def test_an_unchecked_language_the_coordinator_chose_is_offered_as_a_draft(
    school_class: SchoolClass,
) -> None:
    wave = make_wave(questionnaire=questionnaire_import_default(), languages=["ar"])
    html = _language_page(wave, school_class)
    assert 'value="ar"' in html
    assert 'value="sv"' in html  # the master language is always there
    assert 'value="en"' not in html
    assert "översättningen är inte granskad ännu" in html


def test_a_language_the_wave_does_not_offer_cannot_be_chosen(
    client: Client, new_code: Callable[[], str], open_wave: Wave
) -> None:
    Wave.objects.filter(pk=open_wave.pk).update(languages=["sv"])
    client.post("/", {"code": new_code()})
    client.post("/sprak/", {"language": "ar"})
    assert '<html lang="sv"' in client.get("/sida/1/").content.decode()


def test_the_wave_form_shows_each_languages_status() -> None:
    wave = make_wave(questionnaire=questionnaire_import_default())
    labels = dict(WaveAdminForm(instance=wave).fields["languages"].choices)  # type: ignore[attr-defined]
    assert labels["en"] == "English (granskad)"
    assert labels["ar"] == "العربية (ogranskad)"
    assert labels["fi"] == "Suomi (finns inte i enkätversionen)"


def test_the_wave_form_refuses_a_language_the_questionnaire_lacks() -> None:
    wave = make_wave(questionnaire=questionnaire_import_default())
    data = {
        "municipality": wave.municipality_id,
        "name": wave.name,
        "slug": wave.slug,
        "questionnaire": wave.questionnaire_id,
        "opens_at": wave.opens_at,
        "closes_at": wave.closes_at,
        "languages": ["fi"],
    }
    form = WaveAdminForm(data, instance=wave)
    assert not form.is_valid()
    assert "languages" in form.errors
