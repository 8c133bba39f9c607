"""A questionnaire written as an XLSForm workbook (``to_xlsform``).

Conventions of the subset: ``docs/questionnaire-format.md``.
"""

from __future__ import annotations

import io
from typing import Any, Final

from ..model import (
    MASTER_LANGUAGE,
    AllOf,
    AnyOf,
    Condition,
    Option,
    Page,
    Question,
    Questionnaire,
    ShowIf,
    Texts,
)
from .reader import DISTRICT_COLUMN, TITLE_COLUMN

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
                # A standard select_one (ODK and Kobo tools read it); the extra column tells
                # this project's reader that it is the home-district question.
                return [
                    {
                        "type": f"select_one {self.list_name(item)}",
                        **row,
                        DISTRICT_COLUMN: "district",
                    }
                ]
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
            DISTRICT_COLUMN,
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
        # ODK's form_title is one text: the master language's. The translations go in a
        # column of our own, which other tools ignore.
        others = [language for language in self.languages if language != MASTER_LANGUAGE]
        titles = [f"{TITLE_COLUMN}::{language}" for language in others]
        row = {
            "form_id": q.code,
            "version": q.version,
            "default_language": MASTER_LANGUAGE,
            "form_title": (q.title or {}).get(MASTER_LANGUAGE, ""),
            **{
                f"{TITLE_COLUMN}::{language}": text
                for language, text in (q.title or {}).items()
                if language != MASTER_LANGUAGE
            },
            "draft_languages": " ".join(q.draft_languages),
        }
        columns = ["form_id", "version", "default_language", "form_title", *titles]
        return [*columns, "draft_languages"], [row]

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
    """The questionnaire as an .xlsx XLSForm (conventions: docs/questionnaire-format.md)."""
    return _XlsFormWriter(questionnaire).workbook_bytes()
