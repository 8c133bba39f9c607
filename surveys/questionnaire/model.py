"""The questionnaire document model: codes, frozen dataclasses, and the error of a bad file.

The file format and what each part means: ``docs/questionnaire-format.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from eskilstuna_trygghet.document_reader import Problem as Problem
from eskilstuna_trygghet.document_reader import describe as describe
from eskilstuna_trygghet.document_reader import join_path as join_path
from eskilstuna_trygghet.document_reader import problems_text

MASTER_LANGUAGE: Final = "sv"
DISTRICT_FIXED_OPTIONS: Final = ("ANNAN", "EJSVAR")
QUESTION_TYPES: Final = ("single", "multiple", "matrix", "number", "district", "info")
RTL_LANGUAGES: Final = frozenset({"ar", "fa", "he", "ur", "ps", "ckb", "yi", "dv"})
DEFAULT_QUESTIONNAIRE_PATH: Final = (
    Path(__file__).parent.parent / "questionnaires" / "default-v3.yaml"
)

CODE_PATTERN: Final = re.compile(r"[A-Z][A-Z0-9_]{1,31}")
OPTION_CODE_PATTERN: Final = re.compile(r"[A-Za-z0-9_]{1,16}")
LANGUAGE_PATTERN: Final = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")

type QuestionType = Literal["single", "multiple", "matrix", "number", "district", "info"]
type Texts = Mapping[str, str]
type Answer = str | list[str] | int


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Option:
    code: str
    text: Texts
    exclusive: bool = False


@dataclass(frozen=True)
class Statement:
    """One row of a matrix; its code is the answer field."""

    code: str
    text: Texts


@dataclass(frozen=True)
class Condition:
    """True when the answer to ``question`` is one of ``values`` (multiple choice: contains one)."""

    question: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class AnyOf:
    conditions: tuple[ShowIf, ...]


@dataclass(frozen=True)
class AllOf:
    conditions: tuple[ShowIf, ...]


type ShowIf = Condition | AnyOf | AllOf


@dataclass(frozen=True)
class Question:
    """Any page item, including ``info`` (text only) and ``matrix`` (a group of statements)."""

    code: str
    type: QuestionType
    text: Texts
    hint: Texts | None = None
    required: bool = False
    options: tuple[Option, ...] = ()
    statements: tuple[Statement, ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    show_if: ShowIf | None = None

    @property
    def field_codes(self) -> tuple[str, ...]:
        """The answer keys this item produces."""
        if self.type == "matrix":
            return tuple(statement.code for statement in self.statements)
        if self.type == "info":
            return ()
        return (self.code,)

    @property
    def option_codes(self) -> tuple[str, ...]:
        return tuple(option.code for option in self.options)


@dataclass(frozen=True)
class Page:
    code: str
    title: Texts
    items: tuple[Question, ...]
    intro: Texts | None = None
    help_after: bool = False


@dataclass(frozen=True)
class HelpResource:
    code: str
    name: Texts
    text: Texts
    phone: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Questionnaire:
    code: str
    version: int
    title: Texts
    languages: tuple[str, ...]
    pages: tuple[Page, ...]
    draft_languages: tuple[str, ...] = ()
    help_resources: tuple[HelpResource, ...] = ()

    def items(self) -> Iterator[tuple[int, Question]]:
        """All items in order, with their page index."""
        for page_index, page in enumerate(self.pages):
            for item in page.items:
                yield page_index, item

    def field_codes(self) -> list[str]:
        """Every answer key of the questionnaire, in order."""
        return [code for _, item in self.items() for code in item.field_codes]


def translate(texts: Texts, language: str) -> str:
    """The text in ``language``, falling back to the master language (draft translations)."""
    return texts.get(language) or texts[MASTER_LANGUAGE]


def text_direction(language: str) -> Literal["ltr", "rtl"]:
    return "rtl" if language.split("-")[0] in RTL_LANGUAGES else "ltr"


def page_count(questionnaire: Questionnaire) -> int:
    return len(questionnaire.pages)


# --------------------------------------------------------------------------- errors


class QuestionnaireError(ValueError):
    """An invalid questionnaire; ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__(problems_text("questionnaire", self.problems))
