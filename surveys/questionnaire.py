"""Questionnaire engine: document model, validation, answer cleaning, YAML and XLSForm.

Pure Python on purpose (no Django): management commands, the survey views, the
indicator code and offline tooling all share one definition of what a valid
questionnaire and a valid answer are.

Document format (YAML or the equivalent mapping)
================================================

::

    code: DEFAULT                 # [A-Z][A-Z0-9_]{1,31}, like every question code
    version: 1
    languages: [sv, en, ar]       # must contain the master language sv
    draft_languages: [ar]         # translations not yet checked by a translator
    title: {sv: ..., en: ..., ar: ...}
    pages:
      - code: TRYGGHET
        title: {sv: ..., en: ...}
        intro: {sv: ..., en: ...}         # optional
        help_after: true                  # show the help box after this page
        items:
          - code: TRY01
            type: single                  # single|multiple|matrix|number|district|info
            text: {sv: ..., en: ...}
            hint: {sv: ..., en: ...}      # optional, not for info
            required: false               # default false
            options:
              - {code: "1", text: {sv: ..., en: ...}}
          - code: TRY07
            type: multiple
            options:
              - {code: "9", text: {...}, exclusive: true}   # e.g. "nowhere"
            show_if: {question: TRY01, in: ["3", "4"]}
          - code: SKOLAN
            type: matrix                  # statements share one scale (options)
            options: [...]
            statements:
              - {code: TRY02, text: {...}}
          - {code: N, type: number, min: 0, max: 30, text: {...}}
          - code: HEMOMR
            type: district                # districts come from the municipality
            options: [{code: ANNAN, ...}, {code: EJSVAR, ...}]
    help_resources:
      - {code: BRIS, name: {...}, text: {...}, phone: "116 111", url: "https://..."}

Rules: codes of the questionnaire, pages, items and matrix statements are unique
across the whole document; option codes are unique per question and match
``[A-Za-z0-9_]{1,16}`` (a plain YAML integer such as ``1`` is accepted and stored
as the string ``"1"``). Every text has the master language; a declared language
may be missing only if it is a draft language (the UI then falls back to
Swedish). Texts are stored stripped. ``show_if`` is ``{question: CODE, in: [...]}``
or ``{any_of: [...]}`` / ``{all_of: [...]}`` of those; it may refer only to
choice questions (or matrix statements) that come earlier in the document. For a
multiple-choice question "in" means "any selected option is in the list". Loading
stores ``show_if`` in a canonical form (nested groups of the same kind flattened,
one-element groups unwrapped, conditions on the same question inside ``any_of``
merged); the meaning never changes. Paths in errors use 0-based indexes, e.g.
``pages[2].items[3] (TRY05A).options[1].text.en``.

Answers
=======

An answer sheet maps field codes (question codes, or statement codes for a
matrix) to an option code (``str``), a list of option codes (multiple choice) or
an ``int`` (number). A skipped question has no key.

XLSForm subset
==============

Sheets ``survey`` (type, name, label::LANG, hint::LANG, required, relevant,
appearance, constraint, help_after), ``choices`` (list_name, name, label::LANG,
exclusive), ``settings`` (form_id, version, default_language, form_title::LANG,
draft_languages) and our own optional ``help_resources`` (code, phone, url,
name::LANG, text::LANG). ``label::Swedish (sv)`` style headers are accepted.
Mapping:

* ``begin group`` / ``end group`` at top level: a page (name = page code,
  label = title, hint = intro, our column ``help_after`` = yes/no);
* ``select_one L``: single; ``select_multiple L``: multiple (our ``choices``
  column ``exclusive`` = yes marks an exclusive option); ``integer``: number with
  ``constraint`` ``. >= MIN and . <= MAX`` (either part optional); ``note``: info;
* a ``begin group`` *inside* a page with ``appearance`` ``table-list``: a matrix
  (name = matrix code, label = text, required/relevant on the group row), whose
  rows are ``select_one L`` statements that all use the same list;
* ``select_one_district L``: the home-district picker; ``L`` holds only the
  fixed options ANNAN and EJSVAR, the districts are added at run time;
* ``relevant`` supports ``${CODE} = 'x'``, ``selected(${CODE}, 'x')``, ``and``,
  ``or`` and parentheses; ``=`` is rejected for multiple choice (in ODK it would
  mean "exactly this selection"), use ``selected``;
* settings ``draft_languages`` is a space-separated list (our extension).

Spreadsheet problems are reported as ``survey[14] (TRY05A).relevant`` (sheet,
1-based Excel row, column); document problems found after conversion get the
row appended, e.g. ``pages[2].items[3] (TRY05A).text.en at survey[14]``.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, Literal, cast

import yaml

MASTER_LANGUAGE: Final = "sv"
DISTRICT_FIXED_OPTIONS: Final = ("ANNAN", "EJSVAR")
QUESTION_TYPES: Final = ("single", "multiple", "matrix", "number", "district", "info")
RTL_LANGUAGES: Final = frozenset({"ar", "fa", "he", "ur", "ps", "ckb", "yi", "dv"})
DEFAULT_QUESTIONNAIRE_PATH: Final = Path(__file__).with_name("questionnaires") / "default-v1.yaml"

CODE_PATTERN: Final = re.compile(r"[A-Z][A-Z0-9_]{1,31}")
OPTION_CODE_PATTERN: Final = re.compile(r"[A-Za-z0-9_]{1,16}")
LANGUAGE_PATTERN: Final = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
_PHONE_PATTERN: Final = re.compile(r"[0-9][0-9 +-]{1,19}")
# Nine digits keep parsed numbers far from any database integer limit and stop
# a tampered field from making int() chew on a huge string.
_INTEGER_PATTERN: Final = re.compile(r"[+-]?[0-9]{1,9}")

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


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '<document>'}: {self.message}"


class QuestionnaireError(ValueError):
    """An invalid questionnaire; ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        count = f"{len(self.problems)} problem{'' if len(self.problems) == 1 else 's'}"
        super().__init__(f"invalid questionnaire ({count}):\n{lines}")


# --------------------------------------------------------------------------- show_if


def normalize_show_if(condition: ShowIf) -> ShowIf:
    """Canonical form of a condition, so that equal meanings written alike compare equal.

    XLSForm can only say ``a = '1' or a = '2'``; merging such leaves back into one
    ``Condition`` is what makes YAML -> XLSForm -> YAML an identity.
    """
    match condition:
        case Condition():
            return Condition(condition.question, tuple(dict.fromkeys(condition.values)))
        case AnyOf():
            children = _flatten(AnyOf, condition.conditions)
            return _unwrap(AnyOf(tuple(_merge_leaves(children))))
        case AllOf():
            return _unwrap(AllOf(tuple(_flatten(AllOf, condition.conditions))))


def _flatten(kind: type[AnyOf] | type[AllOf], conditions: Sequence[ShowIf]) -> list[ShowIf]:
    flat: list[ShowIf] = []
    for child in map(normalize_show_if, conditions):
        if isinstance(child, kind):
            flat.extend(child.conditions)
        else:
            flat.append(child)
    return flat


def _merge_leaves(conditions: Sequence[ShowIf]) -> list[ShowIf]:
    merged: list[ShowIf] = []
    leaf_at: dict[str, int] = {}
    for child in conditions:
        if isinstance(child, Condition) and child.question in leaf_at:
            index = leaf_at[child.question]
            earlier = cast(Condition, merged[index])
            values = tuple(dict.fromkeys(earlier.values + child.values))
            merged[index] = Condition(child.question, values)
            continue
        if isinstance(child, Condition):
            leaf_at[child.question] = len(merged)
        merged.append(child)
    return merged


def _unwrap(group: AnyOf | AllOf) -> ShowIf:
    return group.conditions[0] if len(group.conditions) == 1 else group


def condition_holds(condition: ShowIf, answers: Mapping[str, Answer]) -> bool:
    """Evaluate ``show_if``; a skipped question satisfies no condition."""
    match condition:
        case Condition():
            answer = answers.get(condition.question)
            if isinstance(answer, list):
                return any(value in condition.values for value in answer)
            return isinstance(answer, str) and answer in condition.values
        case AnyOf():
            return any(condition_holds(child, answers) for child in condition.conditions)
        case AllOf():
            return all(condition_holds(child, answers) for child in condition.conditions)


def is_visible(item: Question, answers: Mapping[str, Answer]) -> bool:
    return item.show_if is None or condition_holds(item.show_if, answers)


def visible_items(
    questionnaire: Questionnaire, page_index: int, answers: Mapping[str, Answer]
) -> list[Question]:
    """The items of a page that should be shown, given the answers so far."""
    return [item for item in questionnaire.pages[page_index].items if is_visible(item, answers)]


def prune_hidden_answers(
    questionnaire: Questionnaire, answers: Mapping[str, Answer]
) -> dict[str, Answer]:
    """Drop answers to questions that are hidden, walking in order so hiding cascades.

    Needed when a pupil goes back and changes an answer that an already answered
    later question depended on.
    """
    kept: dict[str, Answer] = {}
    for _, item in questionnaire.items():
        if not is_visible(item, kept):
            continue
        for code in item.field_codes:
            if code in answers:
                kept[code] = answers[code]
    return kept


# --------------------------------------------------------------------------- loading


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _describe(value: object) -> str:
    names = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}
    for kind, name in names.items():
        if isinstance(value, kind):
            return name
    if isinstance(value, int):
        return "an integer"
    return "nothing" if value is None else type(value).__name__


@dataclass(frozen=True)
class _Target:
    """What a show_if may know about a question it refers to."""

    type: QuestionType | Literal["statement"]
    options: tuple[str, ...] | None  # None: open set (district codes come at run time)
    statements: tuple[str, ...] = ()


@dataclass
class _PendingShowIf:
    condition: ShowIf
    path: str
    position: int


_QUESTION_KEYS: Final = ("hint", "required", "show_if")
# type -> (required keys besides code/type/text, optional keys)
_ITEM_KEYS: Final[Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "single": (("options",), _QUESTION_KEYS),
    "multiple": (("options",), _QUESTION_KEYS),
    "matrix": (("options", "statements"), _QUESTION_KEYS),
    "number": ((), ("min", "max", *_QUESTION_KEYS)),
    "district": (("options",), _QUESTION_KEYS),
    "info": ((), ("show_if",)),
}


class _Loader:
    """Validates a document mapping, collecting every problem with its path."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.languages: tuple[str, ...] = (MASTER_LANGUAGE,)
        self.drafts: frozenset[str] = frozenset()
        self.code_paths: dict[str, str] = {}
        self.code_positions: dict[str, int] = {}
        self.targets: dict[str, _Target] = {}
        self.pending: list[_PendingShowIf] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    # -- generic shapes

    def mapping(
        self, value: object, path: str, required: Collection[str], optional: Collection[str] = ()
    ) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            self.fail(path, f"expected a mapping, got {_describe(value)}")
            return None
        allowed = set(required) | set(optional)
        for key in value:
            if key not in allowed:
                expected = ", ".join(sorted(allowed))
                self.fail(_join(path, str(key)), f"unknown key (allowed here: {expected})")
        for key in required:
            if key not in value:
                self.fail(path, f"missing required key '{key}'")
        return cast(Mapping[str, Any], value)

    def sequence(self, value: object, path: str, *, non_empty: bool = True) -> list[Any]:
        if not isinstance(value, list):
            self.fail(path, f"expected a list, got {_describe(value)}")
            return []
        if non_empty and not value:
            self.fail(path, "must not be empty")
        return value

    def string(self, value: object, path: str) -> str | None:
        if isinstance(value, str) and value.strip():
            return value.strip()
        self.fail(path, f"expected a non-empty string, got {_describe(value)}")
        return None

    def boolean(self, value: object, path: str) -> bool:
        if isinstance(value, bool):
            return value
        self.fail(path, f"expected true or false, got {_describe(value)}")
        return False

    def integer(self, value: object, path: str) -> int | None:
        # bool is an int subclass; "required: yes" must not pass as the number 1.
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        self.fail(path, f"expected an integer, got {_describe(value)}")
        return None

    def option_code(self, value: object, path: str) -> str | None:
        """Option codes are strings; YAML reads ``1`` as an int, so accept and convert those."""
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            value = str(value)
        if isinstance(value, str) and OPTION_CODE_PATTERN.fullmatch(value):
            return value
        self.fail(path, f"invalid option code {value!r}: expected 1-16 letters, digits or _")
        return None

    def claim(self, value: object, path: str) -> str | None:
        """Check a document-wide code and remember where it is, for uniqueness and show_if order."""
        if value is None:
            return None  # a missing code is reported as a missing key
        code_path = _join(path, "code")
        if not isinstance(value, str) or not CODE_PATTERN.fullmatch(value):
            message = "expected an upper-case letter, then 1-31 of A-Z, 0-9 or _"
            self.fail(code_path, f"invalid code {value!r}: {message}")
            return None
        if value in self.code_paths:
            first = self.code_paths[value] or "the questionnaire code"
            self.fail(code_path, f"duplicate code {value} (first used at {first})")
            return None
        self.code_paths[value] = path
        self.code_positions[value] = len(self.code_positions)
        return value

    def texts(self, value: object, path: str) -> dict[str, str]:
        texts: dict[str, str] = {}
        if not isinstance(value, Mapping):
            self.fail(path, f"expected a mapping language -> text, got {_describe(value)}")
            return texts
        for language, text in value.items():
            if language not in self.languages:
                declared = ", ".join(self.languages)
                self.fail(_join(path, str(language)), f"undeclared language (declared: {declared})")
            elif (cleaned := self.string(text, _join(path, language))) is not None:
                texts[language] = cleaned
        for language in self.languages:
            if language in value:
                continue
            if language == MASTER_LANGUAGE:
                self.fail(_join(path, language), "missing master-language text")
            elif language not in self.drafts:
                self.fail(
                    _join(path, language),
                    f"missing translation ({language} is not a draft language)",
                )
        return texts

    def optional_texts(
        self, document: Mapping[str, Any], key: str, path: str
    ) -> dict[str, str] | None:
        return self.texts(document[key], _join(path, key)) if key in document else None

    def texts_at(self, document: Mapping[str, Any], key: str, path: str) -> dict[str, str]:
        """Texts under a required key; a missing key was already reported by mapping()."""
        return self.optional_texts(document, key, path) or {}

    def flag_at(self, document: Mapping[str, Any], key: str, path: str) -> bool:
        return self.boolean(document[key], _join(path, key)) if key in document else False

    # -- the document

    def questionnaire(self, value: object) -> Questionnaire | None:
        document = self.mapping(
            value,
            "",
            required=("code", "version", "languages", "title", "pages"),
            optional=("draft_languages", "help_resources"),
        )
        if document is None:
            return None
        self.claim(document.get("code"), "")
        self.read_languages(document)
        version = (
            self.integer(document.get("version"), "version") if "version" in document else None
        )
        title = self.texts_at(document, "title", "")
        raw_pages = self.sequence(document["pages"], "pages") if "pages" in document else []
        pages = [self.page(raw, f"pages[{index}]") for index, raw in enumerate(raw_pages)]
        resources = self.help_resources(document.get("help_resources", []))
        self.check_pending_show_ifs()
        if self.problems or version is None:
            return None
        return Questionnaire(
            code=document["code"],
            version=version,
            title=title,
            languages=self.languages,
            pages=tuple(page for page in pages if page is not None),
            draft_languages=tuple(sorted(self.drafts, key=self.languages.index)),
            help_resources=resources,
        )

    def read_languages(self, document: Mapping[str, Any]) -> None:
        languages: list[str] = []
        raw_languages = (
            self.sequence(document["languages"], "languages") if "languages" in document else []
        )
        for index, raw in enumerate(raw_languages):
            path = f"languages[{index}]"
            if not isinstance(raw, str) or not LANGUAGE_PATTERN.fullmatch(raw):
                self.fail(path, f"invalid language code {raw!r} (expected e.g. sv, en, ar)")
            elif raw in languages:
                self.fail(path, f"duplicate language {raw}")
            else:
                languages.append(raw)
        if "languages" in document and MASTER_LANGUAGE not in languages:
            self.fail("languages", f"must include the master language {MASTER_LANGUAGE}")
        self.languages = (
            tuple(languages) if MASTER_LANGUAGE in languages else (MASTER_LANGUAGE, *languages)
        )
        drafts: set[str] = set()
        raw_drafts = self.sequence(
            document.get("draft_languages", []), "draft_languages", non_empty=False
        )
        for index, raw in enumerate(raw_drafts):
            path = f"draft_languages[{index}]"
            if raw == MASTER_LANGUAGE:
                self.fail(path, "the master language cannot be a draft")
            elif raw not in self.languages:
                self.fail(path, f"{raw!r} is not in languages")
            else:
                drafts.add(raw)
        self.drafts = frozenset(drafts)

    def page(self, value: object, path: str) -> Page | None:
        document = self.mapping(
            value, path, required=("code", "title", "items"), optional=("intro", "help_after")
        )
        if document is None:
            return None
        code = self.claim(document.get("code"), path)
        title = self.texts_at(document, "title", path)
        intro = self.optional_texts(document, "intro", path)
        help_after = self.flag_at(document, "help_after", path)
        raw_items = (
            self.sequence(document["items"], _join(path, "items")) if "items" in document else []
        )
        items = [self.item(raw, f"{path}.items[{index}]") for index, raw in enumerate(raw_items)]
        if code is None:
            return None
        built = tuple(item for item in items if item is not None)
        return Page(code=code, title=title, items=built, intro=intro, help_after=help_after)

    def item(self, value: object, path: str) -> Question | None:
        if not isinstance(value, Mapping):
            self.fail(path, f"expected a mapping, got {_describe(value)}")
            return None
        raw_code = value.get("code")
        if isinstance(raw_code, str):
            path = f"{path} ({raw_code})"
        code = self.claim(raw_code, path)
        kind = value.get("type")
        if kind not in QUESTION_TYPES:
            self.fail(
                _join(path, "type"),
                f"unknown type {kind!r} (expected one of {', '.join(QUESTION_TYPES)})",
            )
            return None
        kind = cast(QuestionType, kind)
        required, optional = _ITEM_KEYS[kind]
        document = self.mapping(value, path, ("code", "type", "text", *required), optional)
        if document is None or code is None:
            return None
        question = Question(
            code=code,
            type=kind,
            text=self.texts_at(document, "text", path),
            hint=self.optional_texts(document, "hint", path),
            required=self.flag_at(document, "required", path),
        )
        question = self.type_specific(question, document, path)
        self.register_target(question)
        if "show_if" in document:
            condition = self.show_if(document["show_if"], _join(path, "show_if"))
            if condition is not None:
                self.pending.append(
                    _PendingShowIf(condition, _join(path, "show_if"), self.code_positions[code])
                )
                question = replace(question, show_if=normalize_show_if(condition))
        return question

    def type_specific(self, question: Question, document: Mapping[str, Any], path: str) -> Question:
        kind = question.type
        if "options" in document:
            options = self.options(document["options"], _join(path, "options"), kind)
            question = replace(question, options=options)
        if "statements" in document:
            statements = self.statements(document["statements"], _join(path, "statements"))
            question = replace(question, statements=statements)
        if kind == "number":
            question = self.number_range(question, document, path)
        return question

    def options(self, value: object, path: str, kind: QuestionType) -> tuple[Option, ...]:
        options: list[Option] = []
        for index, raw in enumerate(self.sequence(value, path)):
            option_path = f"{path}[{index}]"
            document = self.mapping(
                raw, option_path, required=("code", "text"), optional=("exclusive",)
            )
            if document is None:
                continue
            code = self.option_code(document.get("code"), _join(option_path, "code"))
            if code is not None and code in {option.code for option in options}:
                self.fail(_join(option_path, "code"), f"duplicate option code {code!r}")
                code = None
            text = self.texts_at(document, "text", option_path)
            exclusive = self.flag_at(document, "exclusive", option_path)
            if "exclusive" in document and kind != "multiple":
                self.fail(
                    _join(option_path, "exclusive"),
                    "only multiple-choice options can be exclusive",
                )
            if code is not None:
                options.append(Option(code=code, text=text, exclusive=exclusive))
        minimum = 2 if kind in ("single", "matrix") else 1
        if isinstance(value, list) and 0 < len(value) < minimum:
            self.fail(path, f"a {kind} question needs at least {minimum} options")
        if kind == "district" and isinstance(value, list) and value:
            codes = tuple(option.code for option in options)
            if sorted(codes) != sorted(DISTRICT_FIXED_OPTIONS):
                self.fail(
                    path,
                    "a district question's own options must be exactly ANNAN and EJSVAR "
                    "(the districts themselves come from the municipality)",
                )
        return tuple(options)

    def statements(self, value: object, path: str) -> tuple[Statement, ...]:
        statements: list[Statement] = []
        for index, raw in enumerate(self.sequence(value, path)):
            statement_path = f"{path}[{index}]"
            if isinstance(raw, Mapping) and isinstance(raw.get("code"), str):
                statement_path = f"{statement_path} ({raw['code']})"
            document = self.mapping(raw, statement_path, required=("code", "text"))
            if document is None:
                continue
            code = self.claim(document.get("code"), statement_path)
            text = self.texts_at(document, "text", statement_path)
            if code is not None:
                statements.append(Statement(code=code, text=text))
        return tuple(statements)

    def number_range(self, question: Question, document: Mapping[str, Any], path: str) -> Question:
        minimum = self.integer(document["min"], _join(path, "min")) if "min" in document else None
        maximum = self.integer(document["max"], _join(path, "max")) if "max" in document else None
        if minimum is not None and maximum is not None and minimum > maximum:
            self.fail(_join(path, "max"), f"max ({maximum}) is less than min ({minimum})")
        return replace(question, min_value=minimum, max_value=maximum)

    def register_target(self, question: Question) -> None:
        options = question.option_codes
        if question.type == "matrix":
            for statement in question.statements:
                self.targets[statement.code] = _Target("statement", options)
        statements = tuple(statement.code for statement in question.statements)
        self.targets[question.code] = _Target(
            question.type, None if question.type == "district" else options, statements
        )

    # -- show_if

    def show_if(self, value: object, path: str) -> ShowIf | None:
        if isinstance(value, Mapping) and ("any_of" in value or "all_of" in value):
            key = "any_of" if "any_of" in value else "all_of"
            document = self.mapping(value, path, required=(key,))
            if document is None:
                return None
            children = [
                self.show_if(raw, f"{path}.{key}[{index}]")
                for index, raw in enumerate(self.sequence(document[key], _join(path, key)))
            ]
            if any(child is None for child in children) or not children:
                return None
            conditions = tuple(cast(list[ShowIf], children))
            return AnyOf(conditions) if key == "any_of" else AllOf(conditions)
        document = self.mapping(value, path, required=("question", "in"))
        if document is None or "question" not in document or "in" not in document:
            return None
        question = document["question"]
        if not isinstance(question, str):
            self.fail(
                _join(path, "question"), f"expected a question code, got {_describe(question)}"
            )
            return None
        raw_values = self.sequence(document["in"], _join(path, "in"))
        values = [
            self.option_code(raw, f"{path}.in[{index}]") for index, raw in enumerate(raw_values)
        ]
        if not raw_values or None in values:
            return None
        return Condition(question, tuple(cast(list[str], values)))

    def check_pending_show_ifs(self) -> None:
        # Deferred to the end so that "refers to a later question" can be told
        # apart from "refers to a question that does not exist".
        for pending in self.pending:
            self.check_show_if(pending.condition, pending.path, pending.position)

    def check_show_if(self, condition: ShowIf, path: str, position: int) -> None:
        if isinstance(condition, AnyOf | AllOf):
            key = "any_of" if isinstance(condition, AnyOf) else "all_of"
            for index, child in enumerate(condition.conditions):
                self.check_show_if(child, f"{path}.{key}[{index}]", position)
            return
        question_path = _join(path, "question")
        code = condition.question
        if code not in self.code_positions:
            self.fail(question_path, f"refers to unknown question {code!r}")
            return
        if self.code_positions[code] >= position:
            self.fail(question_path, f"refers to {code}, which does not come before this item")
            return
        target = self.targets.get(code)
        if target is None:
            return  # the target itself is invalid and already reported
        if target.type == "matrix":
            choices = ", ".join(target.statements)
            self.fail(
                question_path, f"{code} is a matrix; refer to one of its statements ({choices})"
            )
        elif target.type in ("number", "info"):
            self.fail(
                question_path, f"{code} is a {target.type} item; show_if needs a choice question"
            )
        elif target.options is not None:
            for index, value in enumerate(condition.values):
                if value not in target.options:
                    known = ", ".join(target.options)
                    self.fail(
                        f"{path}.in[{index}]",
                        f"{value!r} is not an option of {code} (options: {known})",
                    )

    # -- help resources

    def help_resources(self, value: object) -> tuple[HelpResource, ...]:
        resources: list[HelpResource] = []
        seen: set[str] = set()
        for index, raw in enumerate(self.sequence(value, "help_resources", non_empty=False)):
            path = f"help_resources[{index}]"
            document = self.mapping(
                raw, path, required=("code", "name", "text"), optional=("phone", "url")
            )
            if document is None:
                continue
            code = document.get("code")
            if not isinstance(code, str) or not CODE_PATTERN.fullmatch(code) or code in seen:
                self.fail(_join(path, "code"), f"invalid or duplicate help resource code {code!r}")
                continue
            seen.add(code)
            resources.append(
                HelpResource(
                    code=code,
                    name=self.texts_at(document, "name", path),
                    text=self.texts_at(document, "text", path),
                    phone=self.phone(document, path),
                    url=self.url(document, path),
                )
            )
        return tuple(resources)

    def phone(self, document: Mapping[str, Any], path: str) -> str | None:
        if "phone" not in document:
            return None
        phone = document["phone"]
        if isinstance(phone, int) and not isinstance(phone, bool):
            phone = str(phone)  # "112" written without quotes
        if isinstance(phone, str) and _PHONE_PATTERN.fullmatch(phone):
            return phone
        self.fail(_join(path, "phone"), f"invalid phone number {phone!r}")
        return None

    def url(self, document: Mapping[str, Any], path: str) -> str | None:
        if "url" not in document:
            return None
        url = document["url"]
        if isinstance(url, str) and re.fullmatch(r"https?://\S+", url):
            return url
        self.fail(_join(path, "url"), f"invalid url {url!r} (expected http:// or https://)")
        return None


def load_questionnaire(data: Mapping[str, Any]) -> Questionnaire:
    """Validate a document mapping and build the questionnaire, or raise QuestionnaireError."""
    loader = _Loader()
    questionnaire = loader.questionnaire(data)
    if loader.problems or questionnaire is None:
        raise QuestionnaireError(loader.problems or [Problem("", "invalid questionnaire")])
    return questionnaire


# --------------------------------------------------------------------------- YAML


def parse_yaml(text: str) -> Questionnaire:
    try:
        _check_duplicate_keys(yaml.compose(text, Loader=yaml.SafeLoader), "", set())
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "<yaml>"
        raise QuestionnaireError([Problem(where, f"YAML syntax: {error.problem}")]) from None
    except yaml.YAMLError as error:
        raise QuestionnaireError([Problem("<yaml>", f"YAML syntax: {error}")]) from None
    if not isinstance(data, Mapping):
        raise QuestionnaireError(
            [Problem("", f"expected a mapping at the top level, got {_describe(data)}")]
        )
    return load_questionnaire(data)


def load_yaml_file(path: str | os.PathLike[str] = DEFAULT_QUESTIONNAIRE_PATH) -> Questionnaire:
    return parse_yaml(Path(path).read_text(encoding="utf-8"))


def _check_duplicate_keys(node: yaml.Node | None, path: str, visited: set[int]) -> None:
    """PyYAML silently keeps the last of two equal keys; a duplicated ``sv:`` must be an error."""
    if node is None or id(node) in visited:
        return  # aliases point at nodes already checked; skipping also defuses alias bombs
    visited.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                line = key_node.start_mark.line + 1
                raise QuestionnaireError(
                    [Problem(_join(path, key), f"duplicate key (line {line})")]
                )
            seen.add(key)
            _check_duplicate_keys(value_node, _join(path, key), visited)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            _check_duplicate_keys(child, f"{path}[{index}]", visited)


def dump_questionnaire(questionnaire: Questionnaire) -> dict[str, Any]:
    """The document mapping; ``load_questionnaire(dump_questionnaire(q)) == q``."""
    document: dict[str, Any] = {
        "code": questionnaire.code,
        "version": questionnaire.version,
        "languages": list(questionnaire.languages),
    }
    if questionnaire.draft_languages:
        document["draft_languages"] = list(questionnaire.draft_languages)
    document["title"] = dict(questionnaire.title)
    document["pages"] = [_dump_page(page) for page in questionnaire.pages]
    if questionnaire.help_resources:
        document["help_resources"] = [
            _dump_help_resource(resource) for resource in questionnaire.help_resources
        ]
    return document


def _dump_page(page: Page) -> dict[str, Any]:
    document: dict[str, Any] = {"code": page.code, "title": dict(page.title)}
    if page.intro is not None:
        document["intro"] = dict(page.intro)
    if page.help_after:
        document["help_after"] = True
    document["items"] = [_dump_item(item) for item in page.items]
    return document


def _dump_item(item: Question) -> dict[str, Any]:
    document: dict[str, Any] = {"code": item.code, "type": item.type, "text": dict(item.text)}
    if item.hint is not None:
        document["hint"] = dict(item.hint)
    if item.required:
        document["required"] = True
    if item.min_value is not None:
        document["min"] = item.min_value
    if item.max_value is not None:
        document["max"] = item.max_value
    if item.options:
        document["options"] = [_dump_option(option) for option in item.options]
    if item.statements:
        document["statements"] = [{"code": s.code, "text": dict(s.text)} for s in item.statements]
    if item.show_if is not None:
        document["show_if"] = dump_show_if(item.show_if)
    return document


def _dump_option(option: Option) -> dict[str, Any]:
    document: dict[str, Any] = {"code": option.code, "text": dict(option.text)}
    if option.exclusive:
        document["exclusive"] = True
    return document


def dump_show_if(condition: ShowIf) -> dict[str, Any]:
    match condition:
        case Condition():
            return {"question": condition.question, "in": list(condition.values)}
        case AnyOf():
            return {"any_of": [dump_show_if(child) for child in condition.conditions]}
        case AllOf():
            return {"all_of": [dump_show_if(child) for child in condition.conditions]}


def _dump_help_resource(resource: HelpResource) -> dict[str, Any]:
    document: dict[str, Any] = {"code": resource.code, "name": dict(resource.name)}
    if resource.phone is not None:
        document["phone"] = resource.phone
    if resource.url is not None:
        document["url"] = resource.url
    document["text"] = dict(resource.text)
    return document


def to_yaml(questionnaire: Questionnaire) -> str:
    return yaml.safe_dump(
        dump_questionnaire(questionnaire), sort_keys=False, allow_unicode=True, width=100
    )


# --------------------------------------------------------------------------- answers


class FieldError(StrEnum):
    """Error keys returned by clean_page_answers; the UI translates them."""

    REQUIRED = "required"
    UNKNOWN_FIELD = "unknown_field"
    UNKNOWN_OPTION = "unknown_option"
    TOO_MANY_VALUES = "too_many_values"
    DUPLICATE_OPTION = "duplicate_option"
    EXCLUSIVE_CONFLICT = "exclusive_conflict"
    NOT_A_NUMBER = "not_a_number"
    OUT_OF_RANGE = "out_of_range"


def clean_page_answers(
    questionnaire: Questionnaire,
    page_index: int,
    raw: Mapping[str, Sequence[str]],
    district_codes: Collection[str],
    previous: Mapping[str, Answer] | None = None,
) -> tuple[dict[str, Answer], dict[str, str]]:
    """Validate the submitted values of one page.

    ``raw`` maps field names to submitted values (like ``QueryDict.lists()``).
    Keys that cannot be question codes (``csrfmiddlewaretoken``, ``action``)
    belong to the form machinery and are ignored; any code-shaped key that is
    not a field of this page is an ``unknown_field`` error. ``previous`` holds
    the answers of earlier pages, needed to evaluate ``show_if``. Answers to
    hidden questions are dropped without error (the pupil may have changed the
    answer that hid them). Returns (answers, errors by field code).
    """
    page = questionnaire.pages[page_index]
    fields = {code for item in page.items for code in item.field_codes}
    errors: dict[str, str] = {
        key: FieldError.UNKNOWN_FIELD
        for key in raw
        if key not in fields and CODE_PATTERN.fullmatch(key)
    }
    # Stale answers for this page's own fields must not decide its show_ifs.
    context = {code: answer for code, answer in (previous or {}).items() if code not in fields}
    answers: dict[str, Answer] = {}
    for item in page.items:
        if not is_visible(item, {**context, **answers}):
            continue
        for code, result in _clean_item(item, raw, district_codes):
            if isinstance(result, FieldError):
                errors[code] = result
            elif result is not None:
                answers[code] = result
    return answers, errors


def clean_sheet(
    questionnaire: Questionnaire, answers: Mapping[str, Answer], district_codes: Collection[str]
) -> tuple[dict[str, Answer], dict[str, str]]:
    """Check a whole answer sheet against its questionnaire, page by page in order.

    Every answer is cleaned again as if its page had just been posted: options and ranges
    as the version defines them, required questions that are shown, and answers to hidden
    questions (or to fields the version does not have) dropped. Returns (answers, errors
    by field code); the answers are what may be stored when there are no errors.
    """
    cleaned: dict[str, Answer] = {}
    errors: dict[str, str] = {}
    for page_index, page in enumerate(questionnaire.pages):
        raw = {
            code: [str(value) for value in _as_values(answers[code])]
            for item in page.items
            for code in item.field_codes
            if code in answers
        }
        page_answers, page_errors = clean_page_answers(
            questionnaire, page_index, raw, district_codes, cleaned
        )
        cleaned.update(page_answers)
        errors.update(page_errors)
    return prune_hidden_answers(questionnaire, cleaned), errors


def _as_values(answer: Answer) -> list[str | int]:
    return list(answer) if isinstance(answer, list) else [answer]


def _submitted(raw: Mapping[str, Sequence[str]], code: str) -> list[str]:
    return [value.strip() for value in raw.get(code, ()) if value.strip()]


def _clean_item(
    item: Question, raw: Mapping[str, Sequence[str]], district_codes: Collection[str]
) -> list[tuple[str, Answer | FieldError | None]]:
    """(field code, answer, error, or None when skipped) for each field of the item."""
    results: list[tuple[str, Answer | FieldError | None]]
    match item.type:
        case "info":
            return []
        case "matrix":
            results = [
                (s.code, _clean_single(_submitted(raw, s.code), item.option_codes))
                for s in item.statements
            ]
        case "single":
            results = [(item.code, _clean_single(_submitted(raw, item.code), item.option_codes))]
        case "district":
            allowed = {*district_codes, *item.option_codes}
            results = [(item.code, _clean_single(_submitted(raw, item.code), allowed))]
        case "multiple":
            results = [(item.code, _clean_multiple(_submitted(raw, item.code), item.options))]
        case "number":
            results = [(item.code, _clean_number(_submitted(raw, item.code), item))]
    if item.required:
        return [
            (code, FieldError.REQUIRED if result is None else result) for code, result in results
        ]
    return results


def _clean_single(values: list[str], allowed: Collection[str]) -> str | FieldError | None:
    if not values:
        return None
    if len(values) > 1:
        return FieldError.TOO_MANY_VALUES
    return values[0] if values[0] in allowed else FieldError.UNKNOWN_OPTION


def _clean_multiple(values: list[str], options: Sequence[Option]) -> list[str] | FieldError | None:
    if not values:
        return None
    by_code = {option.code: option for option in options}
    if any(value not in by_code for value in values):
        return FieldError.UNKNOWN_OPTION
    if len(set(values)) != len(values):
        return FieldError.DUPLICATE_OPTION
    if len(values) > 1 and any(by_code[value].exclusive for value in values):
        return FieldError.EXCLUSIVE_CONFLICT
    # Option order, not submission order, so equal answers compare equal.
    return [option.code for option in options if option.code in values]


def _clean_number(values: list[str], item: Question) -> int | FieldError | None:
    if not values:
        return None
    if len(values) > 1:
        return FieldError.TOO_MANY_VALUES
    if not _INTEGER_PATTERN.fullmatch(values[0]):
        return FieldError.NOT_A_NUMBER
    number = int(values[0])
    too_small = item.min_value is not None and number < item.min_value
    too_large = item.max_value is not None and number > item.max_value
    return FieldError.OUT_OF_RANGE if too_small or too_large else number


# --------------------------------------------------------------------------- XLSForm: relevant


class _RelevantError(Exception):
    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


_TOKEN: Final = re.compile(
    r"""\s*(?:
        (?P<ref>\$\{(?P<code>[^}]*)\})
      | (?P<string>'[^']*'|"[^"]*")
      | (?P<number>-?[0-9]+)
      | (?P<word>[A-Za-z_][A-Za-z0-9_:-]*)
      | (?P<op>!=|<=|>=|[(),=<>+*/|-])
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Token:
    kind: str
    value: str
    position: int


def _tokenize(expression: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while expression[position:].strip():
        match = _TOKEN.match(expression, position)
        if match is None:
            start = len(expression) - len(expression[position:].lstrip())
            raise _RelevantError(f"unexpected character {expression[start]!r}", start)
        kind = cast(str, match.lastgroup)
        value = match.group("code") if kind == "ref" else match.group(kind)
        if kind == "string":
            value = value[1:-1]
        tokens.append(_Token(kind, value, match.start(kind)))
        position = match.end()
    tokens.append(_Token("end", "", len(expression)))
    return tokens


class _RelevantParser:
    """Recursive descent over the supported subset; yields a show_if document mapping.

    Grammar: or := and ('or' and)* ; and := atom ('and' atom)* ;
    atom := '(' or ')' | ${CODE} '=' value | selected '(' ${CODE} ',' value ')'.
    """

    def __init__(self, expression: str) -> None:
        self.tokens = _tokenize(expression)
        self.index = 0
        self.equality_refs: list[tuple[str, int]] = []

    def parse(self) -> dict[str, Any]:
        result = self.disjunction()
        self.expect("end", "end of expression")
        return result

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, kind: str, what: str, value: str | None = None) -> _Token:
        token = self.take()
        if token.kind != kind or (value is not None and token.value != value):
            found = "end of expression" if token.kind == "end" else repr(token.value)
            raise _RelevantError(f"expected {what}, found {found}", token.position)
        return token

    def is_word(self, word: str) -> bool:
        token = self.peek()
        return token.kind == "word" and token.value == word

    def disjunction(self) -> dict[str, Any]:
        parts = [self.conjunction()]
        while self.is_word("or"):
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else {"any_of": parts}

    def conjunction(self) -> dict[str, Any]:
        parts = [self.atom()]
        while self.is_word("and"):
            self.take()
            parts.append(self.atom())
        return parts[0] if len(parts) == 1 else {"all_of": parts}

    def atom(self) -> dict[str, Any]:
        token = self.peek()
        if token.kind == "op" and token.value == "(":
            self.take()
            inner = self.disjunction()
            self.expect("op", "')'", ")")
            return inner
        if token.kind == "ref":
            self.take()
            operator = self.take()
            if operator.kind != "op" or operator.value != "=":
                found = "end of expression" if operator.kind == "end" else repr(operator.value)
                raise _RelevantError(
                    f"unsupported comparison {found} (only = is supported)", operator.position
                )
            self.equality_refs.append((token.value, token.position))
            return {"question": token.value, "in": [self.value()]}
        if self.is_word("selected"):
            self.take()
            self.expect("op", "'('", "(")
            reference = self.expect("ref", "${CODE}")
            self.expect("op", "','", ",")
            value = self.value()
            self.expect("op", "')'", ")")
            return {"question": reference.value, "in": [value]}
        found = "end of expression" if token.kind == "end" else repr(token.value)
        raise _RelevantError(
            f"unsupported expression at {found} (expected ${{CODE}} = 'x' or selected(...))",
            token.position,
        )

    def value(self) -> str:
        token = self.take()
        if token.kind not in ("string", "number"):
            raise _RelevantError("expected a quoted option code", token.position)
        return token.value


# --------------------------------------------------------------------------- XLSForm: export


_YES: Final = "yes"


class _XlsFormWriter:
    def __init__(self, questionnaire: Questionnaire) -> None:
        self.questionnaire = questionnaire
        self.languages = questionnaire.languages
        self.multiple = {item.code for _, item in questionnaire.items() if item.type == "multiple"}
        self.lists: list[tuple[str, tuple[Option, ...]]] = []
        self.survey: list[dict[str, Any]] = []

    def columns(self, prefix: str, texts: Texts | None) -> dict[str, str]:
        return {f"{prefix}::{language}": text for language, text in (texts or {}).items()}

    def list_name(self, item: Question) -> str:
        """Questions with identical options share one choice list, as hand-written XLSForms do."""
        for name, options in self.lists:
            if options == item.options:
                return name
        name = item.code.lower()
        self.lists.append((name, item.options))
        return name

    def relevant(self, condition: ShowIf | None, parent: str | None = None) -> str:
        """Render show_if; parenthesise a part whose joiner differs from its parent's.

        ``and`` binds tighter than ``or``, so an ``and`` inside an ``or`` needs no
        parentheses, but they are kept there too because people misread it.
        """
        match condition:
            case None:
                return ""
            case Condition():
                question = condition.question
                if question in self.multiple:
                    parts = [f"selected(${{{question}}}, '{value}')" for value in condition.values]
                else:
                    parts = [f"${{{question}}} = '{value}'" for value in condition.values]
                joiner = "or" if len(parts) > 1 else parent
            case AnyOf() | AllOf():
                joiner = "or" if isinstance(condition, AnyOf) else "and"
                parts = [self.relevant(child, joiner) for child in condition.conditions]
        text = f" {joiner} ".join(parts)
        return f"({text})" if parent is not None and joiner != parent else text

    def item_rows(self, item: Question) -> list[dict[str, Any]]:
        row: dict[str, Any] = {
            "name": item.code,
            **self.columns("label", item.text),
            **self.columns("hint", item.hint),
        }
        row["required"] = _YES if item.required else ""
        row["relevant"] = self.relevant(item.show_if)
        match item.type:
            case "info":
                return [{"type": "note", **row}]
            case "number":
                limits = []
                if item.min_value is not None:
                    limits.append(f". >= {item.min_value}")
                if item.max_value is not None:
                    limits.append(f". <= {item.max_value}")
                return [{"type": "integer", **row, "constraint": " and ".join(limits)}]
            case "single":
                return [{"type": f"select_one {self.list_name(item)}", **row}]
            case "multiple":
                return [{"type": f"select_multiple {self.list_name(item)}", **row}]
            case "district":
                return [{"type": f"select_one_district {self.list_name(item)}", **row}]
            case "matrix":
                list_type = f"select_one {self.list_name(item)}"
                statements = [
                    {"type": list_type, "name": s.code, **self.columns("label", s.text)}
                    for s in item.statements
                ]
                group = {"type": "begin group", **row, "appearance": "table-list"}
                return [group, *statements, {"type": "end group"}]

    def page_rows(self, page: Page) -> list[dict[str, Any]]:
        begin = {
            "type": "begin group",
            "name": page.code,
            **self.columns("label", page.title),
            **self.columns("hint", page.intro),
            "help_after": _YES if page.help_after else "",
        }
        items = [row for item in page.items for row in self.item_rows(item)]
        return [begin, *items, {"type": "end group"}]

    def workbook_bytes(self) -> bytes:
        from openpyxl import Workbook  # type: ignore[import-untyped, unused-ignore]

        survey = [row for page in self.questionnaire.pages for row in self.page_rows(page)]
        labels = [f"label::{language}" for language in self.languages]
        hints = [f"hint::{language}" for language in self.languages]
        book: Any = Workbook()
        sheet: Any = book.active
        sheet.title = "survey"
        survey_columns = [
            "type",
            "name",
            *labels,
            *hints,
            "required",
            "relevant",
            "appearance",
            "constraint",
            "help_after",
        ]
        _fill(sheet, survey_columns, survey)
        choices = [
            {
                "list_name": name,
                "name": o.code,
                **self.columns("label", o.text),
                "exclusive": _YES if o.exclusive else "",
            }
            for name, options in self.lists
            for o in options
        ]
        _fill(book.create_sheet("choices"), ["list_name", "name", *labels, "exclusive"], choices)
        _fill(book.create_sheet("settings"), *self.settings())
        if self.questionnaire.help_resources:
            _fill(book.create_sheet("help_resources"), *self.help_resources())
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()

    def settings(self) -> tuple[list[str], list[dict[str, Any]]]:
        q = self.questionnaire
        titles = [f"form_title::{language}" for language in self.languages]
        row = {
            "form_id": q.code,
            "version": q.version,
            "default_language": MASTER_LANGUAGE,
            **self.columns("form_title", q.title),
            "draft_languages": " ".join(q.draft_languages),
        }
        return ["form_id", "version", "default_language", *titles, "draft_languages"], [row]

    def help_resources(self) -> tuple[list[str], list[dict[str, Any]]]:
        names = [f"name::{language}" for language in self.languages]
        texts = [f"text::{language}" for language in self.languages]
        rows = [
            {
                "code": r.code,
                "phone": r.phone or "",
                "url": r.url or "",
                **self.columns("name", r.name),
                **self.columns("text", r.text),
            }
            for r in self.questionnaire.help_resources
        ]
        return ["code", "phone", "url", *names, *texts], rows


def _fill(sheet: Any, columns: list[str], rows: list[dict[str, Any]]) -> None:
    sheet.append(columns)
    for number, row in enumerate(rows, start=2):
        for column_number, column in enumerate(columns, start=1):
            value = row.get(column, "")
            cell = sheet.cell(row=number, column=column_number, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # a text, not a formula (openpyxl guesses from the "=")


def to_xlsform(questionnaire: Questionnaire) -> bytes:
    """The questionnaire as an .xlsx XLSForm (see the module docstring for the conventions)."""
    return _XlsFormWriter(questionnaire).workbook_bytes()


# --------------------------------------------------------------------------- XLSForm: import


@dataclass(frozen=True)
class _Row:
    sheet: str
    number: int  # Excel row number, header is row 1
    cells: Mapping[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")

    def where(self, column: str | None = None) -> str:
        name = self.get("name") or self.get("code")
        location = f"{self.sheet}[{self.number}]" + (f" ({name})" if name else "")
        return f"{location}.{column}" if column else location


_SHEET_COLUMNS: Final[Mapping[str, tuple[frozenset[str], frozenset[str]]]] = {
    # sheet -> (plain columns, prefixes of per-language columns)
    "survey": (
        frozenset(
            {"type", "name", "required", "relevant", "appearance", "constraint", "help_after"}
        ),
        frozenset({"label", "hint"}),
    ),
    "choices": (frozenset({"list_name", "name", "exclusive"}), frozenset({"label"})),
    "settings": (
        frozenset({"form_id", "version", "default_language", "draft_languages"}),
        frozenset({"form_title"}),
    ),
    "help_resources": (frozenset({"code", "phone", "url"}), frozenset({"name", "text"})),
}
_REQUIRED_SHEETS: Final = ("survey", "settings")
_XLSFORM_TYPES: Final[Mapping[str, QuestionType]] = {
    "note": "info",
    "integer": "number",
    "select_one": "single",
    "select_multiple": "multiple",
    "select_one_district": "district",
}


def _header(value: object, prefixes: Collection[str]) -> str:
    """Normalise ``label::Swedish (sv)`` to ``label::sv``; bare ``label`` is the master language."""
    text = _cell_text(value)
    prefix, separator, language = text.partition("::")
    prefix = prefix.strip().lower()
    if not separator:
        return f"{prefix}::{MASTER_LANGUAGE}" if prefix in prefixes else prefix
    if "(" in language and language.rstrip().endswith(")"):
        language = language[language.rindex("(") + 1 : language.rindex(")")]
    return f"{prefix}::{language.strip()}"


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an option name typed as 1 in Excel is stored as 1.0
    return str(value).strip()


def _read_sheets(source: str | os.PathLike[str] | bytes) -> dict[str, list[list[object]]]:
    from openpyxl import load_workbook  # type: ignore[import-untyped, unused-ignore]

    stream: Any = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        book: Any = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise QuestionnaireError(
            [Problem("<workbook>", f"cannot read the workbook: {error}")]
        ) from None
    try:
        return {
            sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets
        }
    finally:
        book.close()


@dataclass
class _OpenMatrix:
    """A matrix group being read: statements are appended until its end group."""

    item: dict[str, Any]
    path: str
    list_name: str | None = None


class _XlsFormReader:
    """Converts workbook rows into a document mapping for load_questionnaire.

    Spreadsheet-level problems (unknown columns, types, relevant syntax) are
    reported here; everything else is left to the document validation, whose
    paths ``locate`` then annotates with the row they came from.
    """

    def __init__(self, sheets: Mapping[str, list[list[object]]]) -> None:
        self.problems: list[Problem] = []
        self.locations: dict[str, str] = {}
        self.headers: dict[str, list[str]] = {}
        self.rows: dict[str, list[_Row]] = {}
        for name, raw_rows in sheets.items():
            if name in _SHEET_COLUMNS:
                self.read_sheet(name, raw_rows)
            else:
                self.fail(name, f"unsupported sheet (expected {', '.join(_SHEET_COLUMNS)})")
        for name in _REQUIRED_SHEETS:
            if name not in sheets:
                self.fail(name, "missing sheet")
        self.types = {row.get("name"): row.get("type") for row in self.rows.get("survey", [])}
        self.lists: dict[str, list[_Row]] = {}
        for row in self.rows.get("choices", []):
            self.lists.setdefault(row.get("list_name"), []).append(row)

    def fail(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def read_sheet(self, name: str, raw_rows: list[list[object]]) -> None:
        plain, prefixes = _SHEET_COLUMNS[name]
        header = [_header(value, prefixes) for value in (raw_rows[0] if raw_rows else [])]
        for column in header:
            if column and column not in plain and column.partition("::")[0] not in prefixes:
                self.fail(f"{name}[1].{column}", "unsupported column")
        self.headers[name] = header
        self.rows[name] = []
        for number, values in enumerate(raw_rows[1:], start=2):
            cells = {
                column: _cell_text(value)
                for column, value in zip(header, values, strict=False)
                if column
            }
            if any(cells.values()):
                self.rows[name].append(_Row(name, number, cells))

    def languages(self) -> list[str]:
        """Declared languages: every ``X`` of a ``prefix::X`` column, survey labels first."""
        languages: list[str] = []
        for header in self.headers.values():
            for column in header:
                language = column.partition("::")[2]
                if language and language not in languages:
                    languages.append(language)
        return languages

    def texts(self, row: _Row, prefix: str) -> dict[str, str]:
        return {
            column.partition("::")[2]: value
            for column, value in row.cells.items()
            if column.startswith(f"{prefix}::") and value
        }

    def flag(self, row: _Row, column: str) -> bool:
        value = row.get(column).lower()
        if value in ("yes", "true", "true()", "1"):
            return True
        if value not in ("", "no", "false", "false()", "0"):
            self.fail(row.where(column), f"expected yes or no, got {value!r}")
        return False

    # -- document

    def document(self) -> dict[str, Any]:
        settings = self.rows.get("settings", [])
        if "settings" in self.rows and len(settings) != 1:
            self.fail("settings", "expected exactly one row of settings")
        setting = settings[0] if settings else _Row("settings", 2, {})
        version = setting.get("version")
        document: dict[str, Any] = {
            "code": setting.get("form_id"),
            "version": int(version) if version.isdigit() else version,
            "languages": self.languages(),
            "title": self.texts(setting, "form_title"),
            "pages": self.pages(),
        }
        default = setting.get("default_language")
        if default and default != MASTER_LANGUAGE:
            self.fail(
                setting.where("default_language"), f"must be the master language {MASTER_LANGUAGE}"
            )
        if drafts := setting.get("draft_languages").split():
            document["draft_languages"] = drafts
        for key in ("code", "version", "title", "draft_languages"):
            self.locations[key] = setting.where()
        if "help_resources" in self.rows:
            rows = self.rows["help_resources"]
            document["help_resources"] = [
                self.help_resource(row, index) for index, row in enumerate(rows)
            ]
        return document

    def help_resource(self, row: _Row, index: int) -> dict[str, Any]:
        self.locations[f"help_resources[{index}]"] = row.where()
        resource: dict[str, Any] = {"code": row.get("code"), "name": self.texts(row, "name")}
        for key in ("phone", "url"):
            if row.get(key):
                resource[key] = row.get(key)
        resource["text"] = self.texts(row, "text")
        return resource

    def pages(self) -> list[dict[str, Any]]:
        pages: list[dict[str, Any]] = []
        page: dict[str, Any] | None = None
        matrix: _OpenMatrix | None = None
        for row in self.rows.get("survey", []):
            kind, argument = _split_type(row.get("type"))
            item_path = f"pages[{len(pages) - 1}].items[{len(page['items']) if page else 0}]"
            if kind == "begin group" and page is None:
                page = self.page(row, len(pages))
                pages.append(page)
            elif kind == "begin group" and page is not None and matrix is None:
                matrix = _OpenMatrix(self.matrix(row, item_path), item_path)
                page["items"].append(matrix.item)
            elif kind == "begin group":
                self.fail(row.where("type"), "groups can only be nested one level (page > matrix)")
            elif kind == "end group" and matrix is not None:
                if not matrix.item["statements"]:
                    self.fail(row.where("type"), "a matrix group needs at least one select_one row")
                matrix = None
            elif kind == "end group" and page is not None:
                page = None
            elif kind == "end group":
                self.fail(row.where("type"), "end group without begin group")
            elif page is None:
                self.fail(
                    row.where("type"),
                    "every question must be inside a page (begin group ... end group)",
                )
            elif matrix is not None:
                self.statement(row, kind, argument, matrix)
            else:
                page["items"].append(self.item(row, kind, argument, item_path))
        if page is not None:
            self.fail("survey", f"group {page['code']!r} is not closed with end group")
        return pages

    def page(self, row: _Row, index: int) -> dict[str, Any]:
        self.locations[f"pages[{index}]"] = row.where()
        for column in ("required", "relevant", "appearance", "constraint"):
            if row.get(column):
                self.fail(row.where(column), "not supported on a page group")
        page: dict[str, Any] = {
            "code": row.get("name"),
            "title": self.texts(row, "label"),
            "items": [],
        }
        if intro := self.texts(row, "hint"):
            page["intro"] = intro
        if self.flag(row, "help_after"):
            page["help_after"] = True
        return page

    def common(self, row: _Row, question_type: QuestionType, path: str) -> dict[str, Any]:
        """The keys every item row has: code, type, text, hint, required, show_if."""
        self.locations[path] = row.where()
        item: dict[str, Any] = {
            "code": row.get("name"),
            "type": question_type,
            "text": self.texts(row, "label"),
        }
        if hint := self.texts(row, "hint"):
            item["hint"] = hint
        if self.flag(row, "required"):
            item["required"] = True
        if row.get("relevant") and (show_if := self.relevant(row)) is not None:
            item["show_if"] = show_if
        if row.get("help_after"):
            self.fail(row.where("help_after"), "help_after is only supported on a page group")
        return item

    def matrix(self, row: _Row, path: str) -> dict[str, Any]:
        if row.get("appearance") != "table-list":
            self.fail(
                row.where("appearance"),
                "a group inside a page must have appearance table-list (a matrix)",
            )
        if row.get("constraint"):
            self.fail(row.where("constraint"), "constraint is only supported on integer")
        # Options come from the statements' shared list, see statement().
        return {**self.common(row, "matrix", path), "options": [], "statements": []}

    def item(self, row: _Row, kind: str, argument: str, path: str) -> dict[str, Any]:
        question_type = _XLSFORM_TYPES.get(kind)
        if question_type is None:
            reason = " (free-text questions are not supported)" if kind == "text" else ""
            self.fail(row.where("type"), f"unsupported type {row.get('type')!r}{reason}")
            return {}
        item = self.common(row, question_type, path)
        if row.get("appearance"):
            self.fail(
                row.where("appearance"),
                "appearance is only supported as table-list on a matrix group",
            )
        if question_type in ("single", "multiple", "district"):
            item["options"] = self.options(row, argument, path)
        if question_type == "number":
            item.update(self.constraint(row))
        elif row.get("constraint"):
            self.fail(row.where("constraint"), "constraint is only supported on integer")
        return item

    def statement(self, row: _Row, kind: str, argument: str, matrix: _OpenMatrix) -> None:
        if kind != "select_one":
            self.fail(row.where("type"), "a matrix group may only contain select_one rows")
            return
        misplaced = ["required", "relevant", "appearance", "constraint", "help_after"]
        misplaced += [column for column in row.cells if column.startswith("hint::")]
        for column in misplaced:
            if row.get(column):
                self.fail(row.where(column), "put this on the matrix group row, not on a statement")
        if matrix.list_name is None:
            matrix.list_name = argument
            matrix.item["options"] = self.options(row, argument, matrix.path)
        elif matrix.list_name != argument:
            self.fail(
                row.where("type"),
                f"all statements of a matrix must use the same list ({matrix.list_name})",
            )
        statements: list[dict[str, Any]] = matrix.item["statements"]
        self.locations[f"{matrix.path}.statements[{len(statements)}]"] = row.where()
        statements.append({"code": row.get("name"), "text": self.texts(row, "label")})

    def options(self, row: _Row, list_name: str, path: str) -> list[dict[str, Any]]:
        if list_name not in self.lists:
            self.fail(row.where("type"), f"unknown choice list {list_name!r}")
            return []
        options = []
        for index, choice in enumerate(self.lists[list_name]):
            self.locations[f"{path}.options[{index}]"] = choice.where()
            option: dict[str, Any] = {
                "code": choice.get("name"),
                "text": self.texts(choice, "label"),
            }
            if self.flag(choice, "exclusive"):
                option["exclusive"] = True
            options.append(option)
        return options

    def constraint(self, row: _Row) -> dict[str, int]:
        text = row.get("constraint")
        limits: dict[str, int] = {}
        for part in re.split(r"\s+and\s+", text) if text else []:
            match = re.fullmatch(r"\.\s*(>=|<=)\s*(-?[0-9]+)", part.strip())
            key = "min" if match and match.group(1) == ">=" else "max"
            if match is None or key in limits:
                expected = "expected '. >= MIN', '. <= MAX' or both joined by and"
                self.fail(row.where("constraint"), f"unsupported constraint {text!r} ({expected})")
                return {}
            limits[key] = int(match.group(2))
        return limits

    def relevant(self, row: _Row) -> dict[str, Any] | None:
        expression = row.get("relevant")
        try:
            parser = _RelevantParser(expression)
            show_if = parser.parse()
        except _RelevantError as error:
            where = f"at character {error.position + 1} of {expression!r}"
            self.fail(row.where("relevant"), f"{error.message} {where}")
            return None
        for code, position in parser.equality_refs:
            if _split_type(self.types.get(code, ""))[0] == "select_multiple":
                message = (
                    f"${{{code}}} is select_multiple: use selected(${{{code}}}, 'x') instead of ="
                )
                self.fail(row.where("relevant"), f"{message} (character {position + 1})")
        return show_if

    def locate(self, problem: Problem) -> Problem:
        """Append the spreadsheet row to a document problem's path (longest matching prefix)."""
        best = ""
        for path in self.locations:
            boundary = problem.path[len(path) : len(path) + 1]
            if (
                problem.path.startswith(path)
                and boundary in ("", ".", " ", "[")
                and len(path) > len(best)
            ):
                best = path
        if not best:
            return problem
        return Problem(f"{problem.path} at {self.locations[best]}", problem.message)


def _split_type(value: str) -> tuple[str, str]:
    words = value.split()
    lowered = [word.lower() for word in words]
    if lowered[:2] in (["begin", "group"], ["end", "group"]):
        return f"{lowered[0]} group", ""
    if lowered[:1] in (["begin_group"], ["end_group"]):
        return lowered[0].replace("_", " "), ""
    if not words:
        return "", ""
    return lowered[0], " ".join(words[1:])


def from_xlsform(source: str | os.PathLike[str] | bytes) -> Questionnaire:
    """Read an XLSForm (path or .xlsx bytes) in the supported subset."""
    reader = _XlsFormReader(_read_sheets(source))
    document = reader.document()
    if reader.problems:
        raise QuestionnaireError(reader.problems)
    try:
        return load_questionnaire(document)
    except QuestionnaireError as error:
        raise QuestionnaireError([reader.locate(problem) for problem in error.problems]) from None


__all__ = [
    "DEFAULT_QUESTIONNAIRE_PATH",
    "DISTRICT_FIXED_OPTIONS",
    "MASTER_LANGUAGE",
    "AllOf",
    "Answer",
    "AnyOf",
    "Condition",
    "FieldError",
    "HelpResource",
    "Option",
    "Page",
    "Problem",
    "Question",
    "Questionnaire",
    "QuestionnaireError",
    "ShowIf",
    "Statement",
    "clean_page_answers",
    "condition_holds",
    "dump_questionnaire",
    "dump_show_if",
    "from_xlsform",
    "is_visible",
    "load_questionnaire",
    "load_yaml_file",
    "normalize_show_if",
    "page_count",
    "parse_yaml",
    "prune_hidden_answers",
    "text_direction",
    "to_xlsform",
    "to_yaml",
    "translate",
    "visible_items",
]
