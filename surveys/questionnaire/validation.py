"""Validation of a questionnaire mapping, ``load_questionnaire`` (long because one pass).

Longer than the package's other modules on purpose: `_Loader` is one class whose state
(declared languages, codes seen so far, pending ``show_if`` checks) every check shares, so
that one pass reports every problem with its path. The rules it enforces are written out
in ``docs/questionnaire-format.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Final, Literal, cast

from eskilstuna_trygghet.document_reader import DocumentReader

from .conditions import normalize_show_if
from .model import (
    CODE_PATTERN,
    DISTRICT_FIXED_OPTIONS,
    LANGUAGE_PATTERN,
    MASTER_LANGUAGE,
    OPTION_CODE_PATTERN,
    QUESTION_TYPES,
    AllOf,
    AnyOf,
    Condition,
    HelpResource,
    Option,
    Page,
    Problem,
    Question,
    Questionnaire,
    QuestionnaireError,
    QuestionType,
    ShowIf,
    Statement,
    describe,
    join_path,
)

_PHONE_PATTERN: Final = re.compile(r"[0-9][0-9 +-]{1,19}")


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


class _Loader(DocumentReader):
    """Validates a document mapping, collecting every problem with its path."""

    def __init__(self) -> None:
        super().__init__()
        self.languages: tuple[str, ...] = (MASTER_LANGUAGE,)
        self.drafts: frozenset[str] = frozenset()
        self.code_paths: dict[str, str] = {}
        self.code_positions: dict[str, int] = {}
        self.targets: dict[str, _Target] = {}
        self.pending: list[_PendingShowIf] = []

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
        code_path = join_path(path, "code")
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
            self.fail(path, f"expected a mapping language -> text, got {describe(value)}")
            return texts
        for language, text in value.items():
            if language not in self.languages:
                declared = ", ".join(self.languages)
                self.fail(
                    join_path(path, str(language)), f"undeclared language (declared: {declared})"
                )
            elif (cleaned := self.string(text, join_path(path, language))) is not None:
                texts[language] = cleaned
        for language in self.languages:
            if language in value:
                continue
            if language == MASTER_LANGUAGE:
                self.fail(join_path(path, language), "missing master-language text")
            elif language not in self.drafts:
                self.fail(
                    join_path(path, language),
                    f"missing translation ({language} is not a draft language)",
                )
        return texts

    def optional_texts(
        self, document: Mapping[str, Any], key: str, path: str
    ) -> dict[str, str] | None:
        return self.texts(document[key], join_path(path, key)) if key in document else None

    def texts_at(self, document: Mapping[str, Any], key: str, path: str) -> dict[str, str]:
        """Texts under a required key; a missing key was already reported by mapping()."""
        return self.optional_texts(document, key, path) or {}

    def flag_at(self, document: Mapping[str, Any], key: str, path: str) -> bool:
        return self.boolean(document[key], join_path(path, key)) if key in document else False

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
            self.sequence(document["items"], join_path(path, "items"))
            if "items" in document
            else []
        )
        items = [self.item(raw, f"{path}.items[{index}]") for index, raw in enumerate(raw_items)]
        if code is None:
            return None
        built = tuple(item for item in items if item is not None)
        return Page(code=code, title=title, items=built, intro=intro, help_after=help_after)

    def item(self, value: object, path: str) -> Question | None:
        if not isinstance(value, Mapping):
            self.fail(path, f"expected a mapping, got {describe(value)}")
            return None
        raw_code = value.get("code")
        if isinstance(raw_code, str):
            path = f"{path} ({raw_code})"
        code = self.claim(raw_code, path)
        kind = value.get("type")
        if kind not in QUESTION_TYPES:
            self.fail(
                join_path(path, "type"),
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
            condition = self.show_if(document["show_if"], join_path(path, "show_if"))
            if condition is not None:
                self.pending.append(
                    _PendingShowIf(condition, join_path(path, "show_if"), self.code_positions[code])
                )
                question = replace(question, show_if=normalize_show_if(condition))
        return question

    def type_specific(self, question: Question, document: Mapping[str, Any], path: str) -> Question:
        kind = question.type
        if "options" in document:
            options = self.options(document["options"], join_path(path, "options"), kind)
            question = replace(question, options=options)
        if "statements" in document:
            statements = self.statements(document["statements"], join_path(path, "statements"))
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
            code = self.option_code(document.get("code"), join_path(option_path, "code"))
            if code is not None and code in {option.code for option in options}:
                self.fail(join_path(option_path, "code"), f"duplicate option code {code!r}")
                code = None
            text = self.texts_at(document, "text", option_path)
            exclusive = self.flag_at(document, "exclusive", option_path)
            if "exclusive" in document and kind != "multiple":
                self.fail(
                    join_path(option_path, "exclusive"),
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
        minimum = (
            self.integer(document["min"], join_path(path, "min")) if "min" in document else None
        )
        maximum = (
            self.integer(document["max"], join_path(path, "max")) if "max" in document else None
        )
        if minimum is not None and maximum is not None and minimum > maximum:
            self.fail(join_path(path, "max"), f"max ({maximum}) is less than min ({minimum})")
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
                for index, raw in enumerate(self.sequence(document[key], join_path(path, key)))
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
                join_path(path, "question"), f"expected a question code, got {describe(question)}"
            )
            return None
        raw_values = self.sequence(document["in"], join_path(path, "in"))
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
        question_path = join_path(path, "question")
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
                self.fail(
                    join_path(path, "code"), f"invalid or duplicate help resource code {code!r}"
                )
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
        self.fail(join_path(path, "phone"), f"invalid phone number {phone!r}")
        return None

    def url(self, document: Mapping[str, Any], path: str) -> str | None:
        if "url" not in document:
            return None
        url = document["url"]
        if isinstance(url, str) and re.fullmatch(r"https?://\S+", url):
            return url
        self.fail(join_path(path, "url"), f"invalid url {url!r} (expected http:// or https://)")
        return None


def load_questionnaire(data: Mapping[str, Any]) -> Questionnaire:
    """Validate a document mapping and build the questionnaire, or raise QuestionnaireError."""
    loader = _Loader()
    questionnaire = loader.questionnaire(data)
    if loader.problems or questionnaire is None:
        raise QuestionnaireError(loader.problems or [Problem("", "invalid questionnaire")])
    return questionnaire
