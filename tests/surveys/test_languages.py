"""Which languages a wave offers pupils, and their status."""

from collections.abc import Callable
from dataclasses import replace

import pytest
from django.test import Client

from surveys import questionnaire as qn
from surveys.admin import WaveAdminForm
from surveys.models import QuestionnaireVersion, SchoolClass, Wave
from surveys.services import codes_issue, questionnaire_import, questionnaire_import_default
from tests.surveys.factories import make_wave

pytestmark = pytest.mark.django_db

# Version 1 of the default questionnaire: Swedish, English and Arabic, no Finnish.
VERSION_1 = qn.DEFAULT_QUESTIONNAIRE_PATH.with_name("default-v1.yaml")


def _version_1() -> QuestionnaireVersion:
    version, _created = questionnaire_import(questionnaire=qn.load_yaml_file(VERSION_1))
    return version


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
    wave = make_wave(questionnaire=_version_1())
    labels = dict(WaveAdminForm(instance=wave).fields["languages"].choices)  # type: ignore[attr-defined]
    assert labels["en"] == "English (granskad)"
    assert labels["ar"] == "العربية (ogranskad)"
    assert labels["fi"] == "Suomi (finns inte i enkätversionen)"


def test_the_wave_form_refuses_a_language_the_questionnaire_lacks() -> None:
    wave = make_wave(questionnaire=_version_1())
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


def test_the_start_page_is_in_arabic_when_an_open_wave_offers_it(client: Client) -> None:
    make_wave(questionnaire=questionnaire_import_default(), languages=["sv", "en", "ar"])
    html = client.get("/").content.decode()
    assert 'href="?sprak=ar"' in html
    arabic = client.get("/?sprak=ar").content.decode()
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "مرحباً" in arabic or "أهلاً" in arabic
    wrong = client.post("/?sprak=ar", {"code": "AAAA-BBBB-CCCC"}).content.decode()
    assert '<html lang="ar" dir="rtl">' in wrong


def test_a_language_not_offered_by_any_open_wave_is_not_on_the_start_page(
    client: Client,
) -> None:
    make_wave(questionnaire=questionnaire_import_default())
    html = client.get("/?sprak=ar").content.decode()
    assert 'href="?sprak=ar"' not in html
    assert '<html lang="sv"' in html


def test_a_draft_language_of_the_questionnaire_gets_the_draft_interface(
    school_class: SchoolClass,
) -> None:
    base = qn.load_yaml_file(VERSION_1)
    finnish = replace(
        base,
        code="SUOMI",
        languages=(*base.languages, "fi"),
        draft_languages=(*base.draft_languages, "fi"),
    )
    version, _created = questionnaire_import(questionnaire=finnish)
    wave = make_wave(questionnaire=version, languages=["sv", "fi"])
    [code] = codes_issue(wave=wave, school_class=school_class, count=1)
    client = Client()
    client.get("/?sprak=fi")
    client.post("/?sprak=fi", {"code": code})
    choices = client.get("/sprak/").content.decode()
    assert "Suomi" in choices
    assert "käännöstä ei ole vielä tarkistettu" in choices
    client.post("/sprak/", {"language": "fi"})
    page = client.get("/sida/1/").content.decode()
    assert '<html lang="fi"' in page
    assert "Seuraava" in page
