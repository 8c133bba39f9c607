"""Default questionnaire v3, the core every kommun asks: version 2 in words that name no
kommun."""

from dataclasses import replace
from pathlib import Path

import pytest

from surveys import questionnaire as qn
from tests.surveys.test_questionnaire import all_texts

QUESTIONNAIRES = Path(qn.DEFAULT_QUESTIONNAIRE_PATH).parent
# Eskilstuna as versions 1 and 2 wrote it: Latin (with its Finnish case endings), Arabic
# and Ethiopic script; and the second demo kommun.
KOMMUN_NAMES = ("Eskilstun", "إسكيلستونا", "ኤስኪልስቱና", "Norrköping")


@pytest.fixture(scope="module")
def v2() -> qn.Questionnaire:
    return qn.load_yaml_file(QUESTIONNAIRES / "default-v2.yaml")


@pytest.fixture(scope="module")
def v3() -> qn.Questionnaire:
    return qn.load_yaml_file(QUESTIONNAIRES / "default-v3.yaml")


def _structure(questionnaire: qn.Questionnaire) -> object:
    """The document without its texts: codes, types, options, conditions, help flags."""

    def strip(node: object) -> object:
        if isinstance(node, dict):
            if node and all(isinstance(v, str) for v in node.values()) and "sv" in node:
                return "<text>"
            return {k: strip(v) for k, v in node.items()}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return strip(qn.dump_questionnaire(questionnaire))


def test_the_default_questionnaire_is_version_3() -> None:
    default = qn.load_yaml_file()
    assert (default.code, default.version) == ("DEFAULT", 3)


def test_v3_asks_exactly_what_v2_asks_in_the_same_languages(
    v2: qn.Questionnaire, v3: qn.Questionnaire
) -> None:
    assert _structure(v3) == _structure(replace(v2, version=3))
    assert v3.languages == v2.languages
    assert v3.draft_languages == v2.draft_languages


def test_no_text_of_v3_names_a_kommun_in_any_language(v3: qn.Questionnaire) -> None:
    named = [
        (where, language)
        for where, texts in all_texts(v3)
        for language, text in texts.items()
        if any(name in text for name in KOMMUN_NAMES)
    ]
    assert named == []


def test_v3_changes_only_the_texts_that_named_eskilstuna(
    v2: qn.Questionnaire, v3: qn.Questionnaire
) -> None:
    before = dict(all_texts(v2))
    after = dict(all_texts(v3))
    assert before.keys() == after.keys()
    changed = {where for where in before if before[where] != after[where]}
    named = {
        where
        for where, texts in before.items()
        if any(name in text for text in texts.values() for name in KOMMUN_NAMES)
    }
    assert changed == named
    assert len(changed) == 4  # the title, the introduction, "about you", the thank-you
    for where in changed:
        assert before[where].keys() == after[where].keys(), where
        for language in before[where]:
            assert before[where][language] != after[where][language], (where, language)
