"""``show_if``: its canonical form, its evaluation, and what a pupil sees because of it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

from .model import AllOf, Answer, AnyOf, Condition, Question, Questionnaire, ShowIf


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
