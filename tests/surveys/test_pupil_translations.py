"""Every pupil-facing interface string has a translation in every language the pupil
pages can offer (checked or not: an unchecked language is still shown when chosen)."""

import io
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.pofile import read_po
from django.utils.translation.template import templatize

from surveys import languages
from surveys import questionnaire as qn

ROOT = Path(__file__).resolve().parents[2]
# What a pupil can see: the pupil templates (not staff/), the frame around them, and the
# modules that put text on pupil pages.
PUPIL_TEMPLATES = [
    *sorted((ROOT / "templates" / "surveys").glob("*.html")),
    ROOT / "templates" / "base.html",
]
PUPIL_MODULES = [ROOT / "surveys" / name for name in ("views.py", "pupil.py", "pupil_forms.py")]
KEYWORDS = {**DEFAULT_KEYWORDS, "gettext_lazy": None, "ngettext_lazy": (1, 2)}
TRANSLATED = [code for code in languages.INTERFACE_LANGUAGES if code != qn.MASTER_LANGUAGE]


def _messages(code: str) -> set[str]:
    found = set()
    for _line, message, _comments, _context in extract(
        "python", io.BytesIO(code.encode()), keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


@cache
def pupil_messages() -> frozenset[str]:
    found: set[str] = set()
    for path in PUPIL_TEMPLATES:
        found |= _messages(templatize(path.read_text(encoding="utf-8"), origin=str(path)))
    for path in PUPIL_MODULES:
        found |= _messages(path.read_text(encoding="utf-8"))
    return frozenset(found)


def _catalog(language: str) -> Catalog:
    path = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    with path.open("rb") as po:
        return read_po(po, locale=language)


def test_the_pupil_pages_have_interface_texts_to_check() -> None:
    assert "Välkommen till enkäten om trygghet" in pupil_messages()
    assert "Avsluta utan att skicka" in pupil_messages()


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_pupil_facing_string_is_translated(language: str) -> None:
    catalog = _catalog(language)
    missing = []
    for msgid in sorted(pupil_messages()):
        message = catalog.get(msgid)
        if message is None or not message.string or message.fuzzy:
            missing.append(msgid)
    assert missing == [], f"{len(missing)} pupil strings lack a {language} translation"
