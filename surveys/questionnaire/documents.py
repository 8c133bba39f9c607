"""Questionnaire documents in and out: YAML text or file to a `Questionnaire`, and back.

``load_questionnaire(dump_questionnaire(q)) == q``; the format is in
``docs/questionnaire-format.md``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from eskilstuna_trygghet.document_reader import YamlError, read_yaml

from .model import (
    DEFAULT_QUESTIONNAIRE_PATH,
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
    ShowIf,
    describe,
)
from .validation import load_questionnaire


def parse_yaml(text: str) -> Questionnaire:
    try:
        data = read_yaml(text)
    except YamlError as error:
        raise QuestionnaireError([error.problem]) from None
    if not isinstance(data, Mapping):
        raise QuestionnaireError(
            [Problem("", f"expected a mapping at the top level, got {describe(data)}")]
        )
    return load_questionnaire(data)


def load_yaml_file(path: str | os.PathLike[str] = DEFAULT_QUESTIONNAIRE_PATH) -> Questionnaire:
    return parse_yaml(Path(path).read_text(encoding="utf-8"))


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
