"""An XLSForm workbook read into a questionnaire, ``from_xlsform`` (long because one walk).

The workbook's rows become a document mapping that ``load_questionnaire`` validates; its
problems are then located back in the spreadsheet. Supported subset:
``docs/questionnaire-format.md``. A little over 400 lines because `_XlsFormReader` is one
walk over the rows whose state (open page, open matrix, row locations) every step shares.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final

from ..model import MASTER_LANGUAGE, Problem, Questionnaire, QuestionnaireError, QuestionType
from ..validation import load_questionnaire
from .relevant import RelevantError, RelevantParser


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


# A column of our own on the survey sheet: "district" marks the home-district question,
# a select_one whose options are the kommun's districts. Other tools ignore the column.
DISTRICT_COLUMN: Final = "trygghet_type"
# The settings sheet's form_title is one text in ODK (the master language's); the title's
# translations are in trygghet_title::<language>.
TITLE_COLUMN: Final = "trygghet_title"

_SHEET_COLUMNS: Final[Mapping[str, tuple[frozenset[str], frozenset[str]]]] = {
    # sheet -> (plain columns, prefixes of per-language columns)
    "survey": (
        frozenset(
            {
                "type",
                "name",
                "required",
                "relevant",
                "appearance",
                "constraint",
                "help_after",
                DISTRICT_COLUMN,
            }
        ),
        frozenset({"label", "hint"}),
    ),
    "choices": (frozenset({"list_name", "name", "exclusive"}), frozenset({"label"})),
    "settings": (
        frozenset({"form_id", "version", "default_language", "draft_languages"}),
        frozenset({"form_title", TITLE_COLUMN}),
    ),
    "help_resources": (frozenset({"code", "phone", "url"}), frozenset({"name", "text"})),
}
_REQUIRED_SHEETS: Final = ("survey", "settings")
_XLSFORM_TYPES: Final[Mapping[str, QuestionType]] = {
    "note": "info",
    "integer": "number",
    "select_one": "single",
    "select_multiple": "multiple",
    "select_one_district": "district",  # files written before DISTRICT_COLUMN
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
            "title": {**self.texts(setting, TITLE_COLUMN), **self.texts(setting, "form_title")},
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
        marker = row.get(DISTRICT_COLUMN)
        if marker:
            if marker != "district" or kind != "select_one":
                self.fail(
                    row.where(DISTRICT_COLUMN),
                    f"{DISTRICT_COLUMN} may only say 'district', on a select_one row",
                )
                return {}
            question_type = "district"
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
            parser = RelevantParser(expression)
            show_if = parser.parse()
        except RelevantError as error:
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
