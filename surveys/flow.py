"""The shape of the pupil flow over a questionnaire: which pages ask, which inform.

The first page is the information page and the last the thank-you page when they hold
only text; the pages in between are the question pages, numbered 1..n for the pupil.
Parsed questionnaires are cached per version id: a version that a wave uses is locked,
so its definition can no longer change.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from . import answer_vector
from . import questionnaire as qn
from .models import QuestionnaireVersion

_CACHE: dict[int, "Flow"] = {}


def _asks(page: qn.Page) -> bool:
    return any(item.field_codes for item in page.items)


def _referenced(condition: qn.ShowIf) -> Iterator[str]:
    match condition:
        case qn.Condition():
            yield condition.question
        case qn.AnyOf() | qn.AllOf():
            for child in condition.conditions:
                yield from _referenced(child)


@dataclass(frozen=True)
class Flow:
    questionnaire: qn.Questionnaire

    @cached_property
    def question_pages(self) -> tuple[int, ...]:
        """Indexes (into questionnaire.pages) of the pages that ask something."""
        return tuple(i for i, page in enumerate(self.questionnaire.pages) if _asks(page))

    @cached_property
    def vector_layout(self) -> answer_vector.Layout:
        """Where each answer goes in a sheet's answer vector (`surveys.answer_vector`)."""
        return answer_vector.layout(self.questionnaire)

    @property
    def info_page(self) -> qn.Page | None:
        first = self.questionnaire.pages[0]
        return None if _asks(first) else first

    @property
    def thanks_page(self) -> qn.Page | None:
        last = self.questionnaire.pages[-1]
        return None if _asks(last) or len(self.questionnaire.pages) < 2 else last

    @property
    def count(self) -> int:
        return len(self.question_pages)

    def page(self, number: int) -> qn.Page:
        return self.questionnaire.pages[self.question_pages[number - 1]]

    def page_fields(self, number: int) -> set[str]:
        return {code for item in self.page(number).items for code in item.field_codes}

    def shown_items(self, number: int, answers: dict[str, Any]) -> list[qn.Question]:
        """Items to render: visible given the answers so far. Without JavaScript an item
        whose condition refers to a question on the same page is always shown; cleaning
        drops its answer if the condition turns out false."""
        page = self.page(number)
        here = {code for item in page.items for code in item.field_codes}
        shown = []
        for item in page.items:
            condition = item.show_if
            if (
                condition is None
                or qn.condition_holds(condition, answers)
                or set(_referenced(condition)) & here
            ):
                shown.append(item)
        return shown

    def has_visible(self, number: int, answers: dict[str, Any]) -> bool:
        return any(item.type != "info" for item in self.shown_items(number, answers))

    def step(self, number: int, direction: int, answers: dict[str, Any]) -> int:
        """The next (or previous) page number that has something to answer; 0 = before the
        first page, count + 1 = after the last."""
        target = number + direction
        while 1 <= target <= self.count and not self.has_visible(target, answers):
            target += direction
        return target


def flow_for(version: QuestionnaireVersion) -> Flow:
    cached = _CACHE.get(version.pk)
    if cached is None:
        cached = Flow(qn.load_questionnaire(version.definition))
        if version.locked:
            _CACHE[version.pk] = cached
    return cached


def flow_for_id(version_id: int) -> Flow:
    cached = _CACHE.get(version_id)
    if cached is not None:
        return cached
    return flow_for(QuestionnaireVersion.objects.get(pk=version_id))
