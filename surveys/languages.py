"""Languages of the pupil pages: which exist, their own names, and their status.

A language is offered to pupils only when both its questionnaire texts and its interface
texts exist. Each carries a status: *checked* by a human translator, or *unchecked* (a
draft, for example a machine translation). The questionnaire's status is in the document
(`draft_languages`); the interface's is the setting `PUPIL_LANGUAGES_CHECKED`, changed by
the operator once a translator has read `locale/<code>/LC_MESSAGES/django.po`. A wave offers
the languages its coordinator chose; without a choice, the checked ones.
"""

from collections.abc import Sequence
from typing import Final

from django.conf import settings

from . import questionnaire as qn

# Every language the pupil pages have interface texts for (a test checks they are complete).
INTERFACE_LANGUAGES: Final = ("sv", "en", "ar", "fi", "so", "ti")
# Each language's name in itself, as a pupil looks for it.
NAMES: Final = {
    "sv": "Svenska",
    "en": "English",
    "ar": "العربية",
    "fi": "Suomi",
    "so": "Soomaali",
    "ti": "ትግርኛ",
}


def name(code: str) -> str:
    return NAMES.get(code, code)


def interface_checked(code: str) -> bool:
    return code == qn.MASTER_LANGUAGE or code in settings.PUPIL_LANGUAGES_CHECKED


def questionnaire_checked(questionnaire: qn.Questionnaire, code: str) -> bool:
    return code in questionnaire.languages and code not in questionnaire.draft_languages


def checked(questionnaire: qn.Questionnaire, code: str) -> bool:
    """Both the questions and the pages around them were checked by a translator."""
    return questionnaire_checked(questionnaire, code) and interface_checked(code)


def available(questionnaire: qn.Questionnaire) -> list[str]:
    """Languages a wave on this questionnaire could offer: both kinds of text exist."""
    return [code for code in questionnaire.languages if code in INTERFACE_LANGUAGES]


def offered(chosen: Sequence[str], questionnaire: qn.Questionnaire) -> list[str]:
    """What a wave offers: the coordinator's choice (`chosen`), else the checked languages;
    always the master language, in the questionnaire's order."""
    wanted = (
        set(chosen)
        if chosen
        else {c for c in available(questionnaire) if checked(questionnaire, c)}
    )
    wanted.add(qn.MASTER_LANGUAGE)
    return [code for code in available(questionnaire) if code in wanted]
