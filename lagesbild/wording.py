"""The exact question wording behind an indicator, from the wave's own questionnaire version.

A wave records the questionnaire version it asked, so the indicator page quotes what the
pupils of that wave actually read, with the answer options and which of them count as yes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from surveys.models import QuestionnaireVersion
from surveys.questionnaire import (
    Option,
    QuestionnaireError,
    load_questionnaire,
    translate,
)

from .catalogue import AnyOfRule, Indicator, PlacesRule, SimpleRule


@dataclass(frozen=True)
class QuestionText:
    code: str
    text: str
    options: tuple[tuple[str, str, bool], ...]  # (code, text, counted as yes)
    excluded: tuple[str, ...]  # texts of the options left out of n


def question_texts(wave_id: int, indicator: Indicator, language: str) -> tuple[QuestionText, ...]:
    """Wording, options and counting rule of each question the indicator reads."""
    definition = (
        QuestionnaireVersion.objects.filter(waves__id=wave_id)
        .values_list("definition", flat=True)
        .first()
    )
    if not definition:
        return ()
    try:
        questionnaire = load_questionnaire(definition)
    except (QuestionnaireError, TypeError, KeyError, AttributeError):
        return ()
    lang = "en" if language.startswith("en") else "sv"
    index: dict[str, tuple[str, Sequence[Option]]] = {}
    for _page, item in questionnaire.items():
        if item.type == "matrix":
            for statement in item.statements:
                text = f"{translate(item.text, lang)} {translate(statement.text, lang)}"
                index[statement.code] = (text, item.options)
        else:
            index[item.code] = (translate(item.text, lang), item.options)
    rule = indicator.rule
    parts: list[tuple[str, frozenset[str], frozenset[str]]] = []
    if isinstance(rule, SimpleRule):
        parts.append((rule.question, rule.yes, rule.exclude))
    elif isinstance(rule, AnyOfRule):
        parts.extend((c.question, c.yes, c.exclude) for c in rule.components)
    elif isinstance(rule, PlacesRule):
        parts.append((rule.question, frozenset(rule.place_codes), frozenset()))
    texts = []
    for question, yes, exclude in parts:
        if question not in index:
            continue
        text, options = index[question]
        texts.append(
            QuestionText(
                code=question,
                text=text,
                options=tuple(
                    (o.code, translate(o.text, lang), o.code in yes)
                    for o in options
                    if o.code not in exclude
                ),
                excluded=tuple(translate(o.text, lang) for o in options if o.code in exclude),
            )
        )
    return tuple(texts)
