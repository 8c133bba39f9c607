"""Answer cleaning: what a pupil may submit for a page, and what a stored sheet may hold."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from enum import StrEnum
from typing import Final

from .conditions import is_visible, prune_hidden_answers
from .model import CODE_PATTERN, Answer, Option, Question, Questionnaire

# Nine digits keep parsed numbers far from any database integer limit and stop
# a tampered field from making int() chew on a huge string.
_INTEGER_PATTERN: Final = re.compile(r"[+-]?[0-9]{1,9}")


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
