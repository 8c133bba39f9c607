"""Default questionnaire v2: version 1 plus unchecked Finnish, Somali and Tigrinya."""

import re
from dataclasses import replace
from pathlib import Path

import pytest
from django.test import Client

from surveys import questionnaire as qn
from surveys.models import SchoolClass
from surveys.services import codes_issue, questionnaire_import
from tests.surveys.factories import make_wave
from tests.surveys.test_questionnaire import all_texts

V2 = Path(qn.DEFAULT_QUESTIONNAIRE_PATH).with_name("default-v2.yaml")
ETHIOPIC = re.compile(r"[\u1200-\u137F]")


@pytest.fixture(scope="module")
def v2() -> qn.Questionnaire:
    return qn.load_yaml_file(V2)


def _without_texts(questionnaire: qn.Questionnaire) -> dict[str, object]:
    """The document with every text reduced to Swedish: codes, types, options, rules."""
    document = qn.dump_questionnaire(questionnaire)

    def strip(node: object) -> object:
        if isinstance(node, dict):
            if "sv" in node and all(isinstance(v, str) for v in node.values()):
                return node["sv"]
            return {k: strip(v) for k, v in node.items()}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    stripped = strip(document)
    assert isinstance(stripped, dict)
    return stripped


def test_v2_asks_exactly_what_v1_asks(v2: qn.Questionnaire) -> None:
    v1 = qn.load_yaml_file(V2.with_name("default-v1.yaml"))
    same = replace(v2, version=1, languages=v1.languages, draft_languages=v1.draft_languages)
    assert _without_texts(same) == _without_texts(v1)


def test_v2_has_every_text_in_six_languages_and_the_new_ones_are_drafts(
    v2: qn.Questionnaire,
) -> None:
    assert v2.languages == ("sv", "en", "ar", "fi", "so", "ti")
    assert set(v2.draft_languages) == {"ar", "fi", "so", "ti"}
    for where, texts in all_texts(v2):
        assert set(texts) == set(v2.languages), where
        assert ETHIOPIC.search(texts["ti"]) or texts["ti"] == texts["sv"], where


@pytest.mark.django_db
def test_a_wave_on_v2_that_offers_finnish_shows_the_questions_in_finnish(
    v2: qn.Questionnaire, school_class: SchoolClass
) -> None:
    version, _created = questionnaire_import(questionnaire=v2)
    wave = make_wave(questionnaire=version, languages=["sv", "fi"])
    [code] = codes_issue(wave=wave, school_class=school_class, count=1)
    client = Client()
    client.post("/?sprak=fi", {"code": code})
    client.post("/sprak/", {"language": "fi"})
    html = client.get("/sida/1/").content.decode()
    assert "Oletko tyttö vai poika?" in html
    assert "Seuraava" in html
